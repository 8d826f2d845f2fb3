import { startAnthropicMockServer, type AnthropicMockServer } from '../../src/mock-upstream/anthropic-server.js';
import { startGeminiMockServer, type GeminiMockServer } from '../../src/mock-upstream/gemini-server.js';
import { startOllamaMockServer, type OllamaMockServer } from '../../src/mock-upstream/ollama-server.js';
import { startOpenAIMockServer, type OpenAIMockServer } from '../../src/mock-upstream/openai-server.js';
import { startTestGateway, type TestGateway } from '../gateway-support.js';

/** The providers the field tables cover: one fake upstream each, and the mock provider (no upstream). */
export type FleetProvider = 'openai' | 'anthropic' | 'gemini' | 'ollama' | 'mock';

/** A fake upstream of the fleet: what a table row reads of it. */
export type FleetUpstream = OpenAIMockServer | AnthropicMockServer | GeminiMockServer | OllamaMockServer;

/** A gateway in front of a fake upstream per wire format. */
export interface UpstreamFleet {
  gateway: TestGateway;
  /** The provider's fake upstream; undefined for the mock provider. */
  upstreamOf(provider: FleetProvider): FleetUpstream | undefined;
  close(): Promise<void>;
}

/** Starts the OpenAI, Anthropic, Gemini and Ollama fakes and a gateway configured with all four (no retries). */
export async function startUpstreamFleet(): Promise<UpstreamFleet> {
  const [openai, anthropic, gemini, ollama] = await Promise.all([startOpenAIMockServer(), startAnthropicMockServer(), startGeminiMockServer(), startOllamaMockServer()]);
  const gateway = await startTestGateway({
    providers: {
      openai: { baseURL: openai.url, apiKey: 'k', retries: 0 },
      anthropic: { baseURL: anthropic.url, apiKey: 'k', retries: 0 },
      gemini: { baseURL: gemini.url, apiKey: 'k', retries: 0 },
      ollama: { baseURL: ollama.url, retries: 0 },
    },
  });
  return {
    gateway,
    upstreamOf: (provider) => ({ openai, anthropic, gemini, ollama, mock: undefined })[provider],
    async close() {
      await gateway.stop();
      await Promise.all([openai.close(), anthropic.close(), gemini.close(), ollama.close()]);
    },
  };
}

/** An OpenAI fake and an Anthropic fake behind one gateway: the set-up of the SDK wire tests. */
export interface WirePair {
  openai: OpenAIMockServer;
  anthropic: AnthropicMockServer;
  gateway: TestGateway;
  /** Forgets what both upstreams received. */
  reset(): void;
  close(): Promise<void>;
}

/** Starts the OpenAI and Anthropic fakes and a gateway configured with both (no retries). */
export async function startWirePair(): Promise<WirePair> {
  const [openai, anthropic] = await Promise.all([startOpenAIMockServer(), startAnthropicMockServer()]);
  const gateway = await startTestGateway({
    providers: {
      openai: { baseURL: openai.url, apiKey: 'k', retries: 0 },
      anthropic: { baseURL: anthropic.url, apiKey: 'k', retries: 0 },
    },
  });
  return {
    openai,
    anthropic,
    gateway,
    reset() {
      openai.reset();
      anthropic.reset();
    },
    async close() {
      await gateway.stop();
      await Promise.all([openai.close(), anthropic.close()]);
    },
  };
}
