import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAnthropicMockServer, type AnthropicMockServer } from '../src/mock-upstream/anthropic-server.js';
import { startOpenAIMockServer, type OpenAIMockServer } from '../src/mock-upstream/openai-server.js';
import { createTestClient } from './support/client.js';
import { cleanEnvironment, runCli, startCli } from './support/cli.js';

let anthropic: AnthropicMockServer;
let openai: OpenAIMockServer;
beforeAll(async () => {
  anthropic = await startAnthropicMockServer({ apiKey: 'anthropic-test-key' });
  openai = await startOpenAIMockServer({ apiKey: 'openai-test-key' });
});
afterAll(async () => {
  await Promise.all([anthropic.close(), openai.close()]);
});

/** A client configured only through the environment, as a user would. */
function clientFromEnvironment(extra: Record<string, string> = {}) {
  return createTestClient({
    environment: {
      ANTHROPIC_API_KEY: 'anthropic-test-key',
      ANTHROPIC_BASE_URL: anthropic.url,
      OPENAI_API_KEY: 'openai-test-key',
      OPENAI_BASE_URL: openai.url,
      ...extra,
    },
  });
}

describe('providers configured from the environment', () => {
  it('chats and streams with the Anthropic provider', async () => {
    const ai = clientFromEnvironment();
    const response = await ai.chat({ model: 'anthropic/claude-haiku-4-5', messages: [{ role: 'system', content: 'be brief' }, { role: 'user', content: 'hello claude' }] });
    expect(response).toMatchObject({ provider: 'anthropic', model: 'anthropic/claude-haiku-4-5', content: 'hello claude', finishReason: 'stop' });
    expect(response.usage.outputTokens).toBeGreaterThan(0);
    expect(response.cost).toBeGreaterThan(0);
    let text = '';
    for await (const part of ai.stream({ model: 'anthropic/claude-haiku-4-5', messages: [{ role: 'user', content: 'streamed claude' }] })) {
      if (part.type === 'text-delta') text += part.text;
    }
    expect(text).toBe('streamed claude');
    await ai.close();
  });

  it('falls back from an overloaded Anthropic (529) to OpenAI on a route', async () => {
    anthropic.configure({ onRequest: () => ({ status: 529, body: { type: 'error', error: { type: 'overloaded_error', message: 'Overloaded' } } }) });
    const ai = createTestClient({
      environment: { ANTHROPIC_API_KEY: 'anthropic-test-key', ANTHROPIC_BASE_URL: anthropic.url, OPENAI_API_KEY: 'openai-test-key', OPENAI_BASE_URL: openai.url },
      providers: { anthropic: { retries: 0 } },
      routes: { resilient: ['anthropic/claude-haiku-4-5', 'openai/gpt-4o-mini'] },
    });
    const response = await ai.chat({ model: 'resilient', messages: [{ role: 'user', content: 'anyone there?' }] });
    expect(response.model).toBe('openai/gpt-4o-mini');
    anthropic.configure({ onRequest: undefined });
    await ai.close();
  });

  it('sends a bare model name to the default provider', async () => {
    const ai = clientFromEnvironment({ SWITCHYARD_DEFAULT_PROVIDER: 'anthropic' });
    expect((await ai.chat({ model: 'claude-haiku-4-5', messages: [{ role: 'user', content: 'bare' }] })).provider).toBe('anthropic');
    await ai.close();
  });

  it('lists models from every enabled provider', async () => {
    const ai = clientFromEnvironment();
    const ids = (await ai.models({ refresh: true })).map((model) => model.id);
    expect(ids).toEqual(expect.arrayContaining(['mock/echo', 'openai/gpt-4o-mini']));
    expect(ids.some((id) => id.startsWith('anthropic/claude'))).toBe(true);
    await ai.close();
  });
});

describe('switchyard mock-upstream --flavor anthropic', () => {
  it('serves the Anthropic wire format to switchyard chat', async () => {
    const { child, match } = await startCli(['mock-upstream', '--flavor', 'anthropic', '--port', '0'], cleanEnvironment(), /listening on (http:\/\/\S+)/);
    try {
      const result = await runCli(['chat', 'hi claude', '--model', 'anthropic/claude-haiku-4-5'], cleanEnvironment({ ANTHROPIC_BASE_URL: match[1], ANTHROPIC_API_KEY: 'x' }));
      expect(result.stderr).toBe('');
      expect(result.stdout).toBe('hi claude\n');
    } finally {
      child.kill('SIGTERM');
    }
  });
});

describe('Gemini and Ollama from the environment', () => {
  it('chats and streams with each', async () => {
    const { startGeminiMockServer } = await import('../src/mock-upstream/gemini-server.js');
    const { startOllamaMockServer } = await import('../src/mock-upstream/ollama-server.js');
    const gemini = await startGeminiMockServer({ apiKey: 'gemini-test-key' });
    const ollama = await startOllamaMockServer();
    const ai = createTestClient({ environment: { GEMINI_API_KEY: 'gemini-test-key', GEMINI_BASE_URL: gemini.url, OLLAMA_BASE_URL: ollama.url } });
    try {
      for (const model of ['gemini/gemini-2.5-flash', 'ollama/llama3.2']) {
        const response = await ai.chat({ model, messages: [{ role: 'user', content: `hello ${model}` }] });
        expect(response).toMatchObject({ model, content: `hello ${model}`, finishReason: 'stop' });
        let text = '';
        for await (const part of ai.stream({ model, messages: [{ role: 'user', content: `streamed ${model}` }] })) {
          if (part.type === 'text-delta') text += part.text;
        }
        expect(text).toBe(`streamed ${model}`);
      }
      const embedded = await ai.embed({ model: 'ollama/nomic-embed-text', input: ['a', 'b'] });
      expect(embedded.embeddings).toHaveLength(2);
    } finally {
      await ai.close();
      await Promise.all([gemini.close(), ollama.close()]);
    }
  });
});
