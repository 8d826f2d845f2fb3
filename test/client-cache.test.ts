import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startOpenAIMockServer, type OpenAIMockServer } from '../src/mock-upstream/openai-server.js';
import type { StreamPart } from '../src/spec/stream.js';
import { createTestClient, fakeOpenAIProvider } from './support/client.js';

let upstream: OpenAIMockServer;

beforeAll(async () => {
  upstream = await startOpenAIMockServer({ latencyMs: 20 });
});
afterAll(() => upstream.close());
beforeEach(() => upstream.reset());

function cachingClient() {
  return createTestClient({ providers: { openai: fakeOpenAIProvider(upstream.url) }, cache: { responses: true } });
}

const ask = (content: string, extra: Record<string, unknown> = {}) => ({
  model: 'openai/gpt-4o-mini',
  temperature: 0,
  messages: [{ role: 'user' as const, content }],
  ...extra,
});

describe('response caching through the client', () => {
  it('answers a repeated request from memory with the original usage and zero cost', async () => {
    const ai = cachingClient();
    const first = await ai.chat(ask('cache me'));
    const second = await ai.chat(ask('cache me'));
    expect(first.cache).toBe('miss');
    expect(second.cache).toBe('hit-memory');
    expect(second.content).toBe(first.content);
    expect(second.usage).toEqual(first.usage);
    expect(second.cost).toBe(0);
    expect(upstream.stats.requests).toBe(1);
    await ai.close();
  });

  it('sends 100 concurrent identical misses upstream once', async () => {
    const ai = cachingClient();
    const responses = await Promise.all(Array.from({ length: 100 }, () => ai.chat(ask('stampede'))));
    expect(upstream.stats.requests).toBe(1);
    expect(new Set(responses.map((response) => response.content))).toEqual(new Set(['stampede']));
    await ai.close();
  });

  it('lets one caller of an identical call in flight abort without failing the others', async () => {
    upstream.configure({ latencyMs: 300 });
    const ai = cachingClient();
    try {
      const leaving = new AbortController();
      const first = ai.chat(ask('shared flight', { signal: leaving.signal }));
      const second = ai.chat(ask('shared flight'));
      setTimeout(() => leaving.abort(), 50);
      await expect(first).rejects.toMatchObject({ code: 'aborted' });
      const answered = await second;
      expect(answered.content).toBe('shared flight');
      expect(upstream.stats.requests).toBe(1);

      // When every caller leaves, the shared upstream call is cancelled.
      const both = [new AbortController(), new AbortController()];
      const calls = both.map((controller) => ai.chat(ask('everyone leaves', { signal: controller.signal })).catch((error: unknown) => error));
      await new Promise((resolve) => setTimeout(resolve, 50));
      both.forEach((controller) => controller.abort());
      expect(await Promise.all(calls)).toMatchObject([{ code: 'aborted' }, { code: 'aborted' }]);
      const deadline = Date.now() + 2_000;
      while (upstream.stats.closedRequests < 1 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
      expect(upstream.stats.closedRequests).toBe(1);
    } finally {
      upstream.configure({ latencyMs: 20 });
      await ai.close();
    }
  });

  it('does not cache above the temperature threshold, nor when the call says not to', async () => {
    const ai = cachingClient();
    expect((await ai.chat(ask('hot', { temperature: 0.9 }))).cache).toBe('bypass');
    expect((await ai.chat(ask('hot', { temperature: 0.9 }))).cache).toBe('bypass');
    expect((await ai.chat({ ...ask('default temperature'), temperature: undefined })).cache).toBe('bypass');
    await ai.chat(ask('skip'));
    expect((await ai.chat(ask('skip', { cache: { read: false } }))).cache).toBe('miss');
    expect(upstream.stats.requests).toBe(5);
    await ai.close();
  });

  it('keeps tenants apart', async () => {
    const ai = cachingClient();
    await ai.chat(ask('shared prompt', { tenant: 'acme' }));
    expect((await ai.chat(ask('shared prompt', { tenant: 'globex' }))).cache).toBe('miss');
    expect((await ai.chat(ask('shared prompt', { tenant: 'acme' }))).cache).toBe('hit-memory');
    await ai.close();
  });

  it('stores a completed stream and replays it in order, ending with the finish part', async () => {
    const ai = cachingClient();
    const collect = async () => {
      const parts: StreamPart[] = [];
      for await (const part of ai.stream(ask('a streamed answer that is long enough to need several chunks'))) parts.push(part);
      return parts;
    };
    const live = await collect();
    const replayed = await collect();
    const text = (parts: StreamPart[]) => parts.flatMap((part) => (part.type === 'text-delta' ? [part.text] : [])).join('');
    expect(text(replayed)).toBe(text(live));
    expect(live.at(-1)).toMatchObject({ type: 'finish', cache: 'miss' });
    expect(replayed.at(-1)).toMatchObject({ type: 'finish', cache: 'hit-memory', finishReason: 'stop', cost: 0 });
    expect(replayed.filter((part) => part.type === 'finish')).toHaveLength(1);
    expect(upstream.stats.requests).toBe(1);
    // A non-streamed call of the same request shares the entry.
    expect((await ai.chat(ask('a streamed answer that is long enough to need several chunks'))).cache).toBe('hit-memory');
    await ai.close();
  });

  it('does not store a stream the consumer broke off', async () => {
    const ai = cachingClient();
    for await (const part of ai.stream(ask('broken off early, this text is long enough for more chunks'))) {
      if (part.type === 'text-delta') break;
    }
    expect((await ai.chat(ask('broken off early, this text is long enough for more chunks'))).cache).toBe('miss');
    await ai.close();
  });
});
