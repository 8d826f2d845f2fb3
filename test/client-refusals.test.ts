import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ChatRequest } from '../src/spec/request.js';
import { SwitchyardError } from '../src/spec/errors.js';
import { createTestClient } from './support/client.js';
import { startUpstreamFleet, type FleetProvider, type UpstreamFleet } from './support/upstream-fleet.js';

/*
 * A setting the target provider cannot honour is an error in the library
 * (chat and stream alike), the same refusal the gateway answers as a 400:
 * code `unsupported`, the field named (the neutral setting in the library,
 * the wire field through the gateway) and the provider named. Nothing
 * reaches the upstream. (A same-wire gateway call is passed through as is:
 * the upstream judges it, so those cases go through the other wire.)
 */

let fleet: UpstreamFleet;
let ai: ReturnType<typeof createTestClient>;

beforeAll(async () => {
  fleet = await startUpstreamFleet();
  const url = (provider: FleetProvider) => fleet.upstreamOf(provider)!.url;
  ai = createTestClient({
    providers: {
      openai: { baseURL: url('openai'), apiKey: 'k', retries: 0 },
      anthropic: { baseURL: url('anthropic'), apiKey: 'k', retries: 0 },
      gemini: { baseURL: url('gemini'), apiKey: 'k', retries: 0 },
      ollama: { baseURL: url('ollama'), retries: 0 },
    },
    cache: { responses: false },
  });
});

afterAll(async () => {
  await ai?.close();
  await fleet?.close();
});

interface Case {
  provider: Exclude<FleetProvider, 'mock'>;
  model: string;
  /** The library's settings, and the neutral setting its error names. */
  settings: Partial<ChatRequest>;
  setting: string;
  /** The same on the OpenAI wire (the Anthropic wire with `anthropicWire`), and the field the gateway's 400 names. */
  wire: Record<string, unknown>;
  anthropicWire?: boolean;
  field: string;
}

const CASES: Case[] = [
  { provider: 'anthropic', model: 'anthropic/claude-haiku-4-5', settings: { seed: 7 }, setting: 'seed', wire: { seed: 7 }, field: 'seed' },
  { provider: 'anthropic', model: 'anthropic/claude-haiku-4-5', settings: { temperature: 1.5 }, setting: 'temperature', wire: { temperature: 1.5 }, field: 'temperature' },
  { provider: 'anthropic', model: 'anthropic/claude-haiku-4-5', settings: { temperature: 0.5, topP: 0.9 }, setting: 'topP', wire: { temperature: 0.5, top_p: 0.9 }, field: 'top_p' },
  { provider: 'anthropic', model: 'anthropic/claude-haiku-4-5', settings: { frequencyPenalty: 0.5 }, setting: 'frequencyPenalty', wire: { frequency_penalty: 0.5 }, field: 'frequency_penalty' },
  { provider: 'gemini', model: 'gemini/gemini-2.5-flash', settings: { user: 'u-1' }, setting: 'user', wire: { user: 'u-1' }, field: 'user' },
  { provider: 'gemini', model: 'gemini/gemini-2.5-flash', settings: { stop: ['a', 'b', 'c', 'd', 'e', 'f'] }, setting: 'stop', wire: { stop_sequences: ['a', 'b', 'c', 'd', 'e', 'f'] }, anthropicWire: true, field: 'stop_sequences' },
  { provider: 'ollama', model: 'ollama/llama3.2', settings: { logprobs: true }, setting: 'logprobs', wire: { logprobs: true }, field: 'logprobs' },
  { provider: 'openai', model: 'openai/o4-mini', settings: { temperature: 0.2 }, setting: 'temperature', wire: { temperature: 0.2 }, anthropicWire: true, field: 'temperature' },
  { provider: 'openai', model: 'openai/gpt-4o-mini', settings: { topK: 5 }, setting: 'topK', wire: {}, field: '' },
];

async function caught(run: () => Promise<unknown>): Promise<SwitchyardError> {
  try {
    await run();
  } catch (error) {
    expect(SwitchyardError.is(error)).toBe(true);
    return error as SwitchyardError;
  }
  throw new Error('expected the call to be refused');
}

describe('settings a provider cannot honour', () => {
  it('are errors in the library, on chat and on stream, naming the setting and the provider; nothing reaches the upstream', async () => {
    for (const entry of CASES) {
      const upstream = fleet.upstreamOf(entry.provider)!;
      upstream.reset();
      const request: ChatRequest = { model: entry.model, messages: [{ role: 'user', content: 'refuse me' }], ...entry.settings };
      const label = `${entry.provider} ${entry.setting}`;
      const chatError = await caught(() => ai.chat(request));
      expect(chatError, label).toMatchObject({ code: 'unsupported', status: 400, provider: entry.provider, param: entry.setting });
      expect(chatError.message, label).toMatch(new RegExp(`^${entry.setting}: .*provider "${entry.provider}"`));
      const streamError = await caught(async () => {
        for await (const _part of ai.stream(request)) {
          // a refused stream yields nothing
        }
      });
      expect(streamError, label).toMatchObject({ code: 'unsupported', status: 400, provider: entry.provider, param: entry.setting });
      expect(upstream.stats.requests, label).toBe(0);
    }
  });

  it('are the same refusals the gateway answers as a 400 naming the wire field and the provider', async () => {
    for (const entry of CASES.filter((item) => item.field !== '')) {
      const upstream = fleet.upstreamOf(entry.provider)!;
      upstream.reset();
      const response = await fetch(`${fleet.gateway.url}${entry.anthropicWire ? '/v1/messages' : '/v1/chat/completions'}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'anthropic-version': '2023-06-01' },
        body: JSON.stringify({ model: entry.model, max_tokens: 64, messages: [{ role: 'user', content: 'refuse me' }], ...entry.wire }),
      });
      const body = (await response.json()) as { error: { message: string; param?: string } };
      const param = body.error.param ?? /^(\S+):/.exec(body.error.message)?.[1];
      const label = `${entry.provider} ${entry.field}`;
      expect(response.status, label).toBe(400);
      expect(param, label).toBe(entry.field);
      expect(body.error.message, label).toContain(`"${entry.provider}"`);
      expect(upstream.stats.requests, label).toBe(0);
    }
  });

  it('leave a setting the provider honours alone: the call goes through with no warning', async () => {
    const response = await ai.chat({ model: 'anthropic/claude-sonnet-4-0', temperature: 0.5, topP: 0.9, messages: [{ role: 'user', content: 'both' }] });
    expect(response.content).toBe('both');
    expect(response.warnings).toBeUndefined();
    expect(fleet.upstreamOf('anthropic')!.lastRequest()?.body).toMatchObject({ temperature: 0.5, top_p: 0.9 });
  });
});
