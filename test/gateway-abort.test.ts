import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startOpenAIMockServer, type OpenAIMockServer } from '../src/mock-upstream/openai-server.js';
import { startTestGateway, waitFor, type TestGateway } from './gateway-support.js';

// A client that goes away mid-stream must cancel the upstream request, through the gateway.
let upstream: OpenAIMockServer;
let gateway: TestGateway;

beforeAll(async () => {
  upstream = await startOpenAIMockServer({ reply: Array.from({ length: 400 }, (_, index) => `word${index}`).join(' '), streamChunkDelayMs: 25 });
  gateway = await startTestGateway({ providers: { openai: { baseURL: upstream.url, apiKey: 'sk-abort-test-upstream', retries: 0 } } });
});

afterAll(async () => {
  await gateway?.stop();
  await upstream?.close();
});

async function readSome(body: ReadableStream<Uint8Array>, chunks: number): Promise<string> {
  const reader = body.getReader();
  const decoder = new TextDecoder();
  let text = '';
  for (let index = 0; index < chunks; index++) {
    const { value, done } = await reader.read();
    if (done) break;
    text += decoder.decode(value, { stream: true });
  }
  return text;
}

describe('gateway stream cancellation', () => {
  for (const [name, path, body] of [
    ['openai', '/v1/chat/completions', { model: 'openai/gpt-4o-mini', stream: true, messages: [{ role: 'user', content: 'long story' }] }],
    ['anthropic', '/v1/messages', { model: 'openai/gpt-4o-mini', max_tokens: 4000, stream: true, messages: [{ role: 'user', content: 'long story' }] }],
  ] as const) {
    it(`closes the upstream request when a ${name} client disconnects mid-stream`, async () => {
      const closedBefore = upstream.stats.closedRequests;
      const controller = new AbortController();
      const response = await fetch(`${gateway.url}${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
        signal: controller.signal,
      });
      expect(response.status).toBe(200);
      const start = await readSome(response.body!, 3);
      expect(start).toContain('word0');
      controller.abort();

      expect(await waitFor(() => upstream.stats.closedRequests === closedBefore + 1, 1_000)).toBe(true);

      const next = await fetch(`${gateway.url}/v1/chat/completions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ model: 'mock/echo', messages: [{ role: 'user', content: 'after the abort' }] }),
      });
      expect(next.status).toBe(200);
    });
  }

  it('counts the abandoned streams as aborted in /api/stats', async () => {
    expect(await waitFor(async () => {
      const stats = (await (await fetch(`${gateway.url}/api/stats`)).json()) as { errorsByCode: Record<string, number> };
      return stats.errorsByCode.aborted === 2;
    }, 2_000)).toBe(true);
  });
});
