import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startOpenAIMockServer, type OpenAIMockServer } from '../src/mock-upstream/openai-server.js';
import type { ChatRequest } from '../src/spec/request.js';
import type { StreamPart } from '../src/spec/stream.js';
import { createTestClient, fakeOpenAIProvider } from './support/client.js';
import { waitFor } from './support/driver.js';

/*
 * Identical concurrent streams share one upstream stream: the single-flight
 * layer applies to streams as it does to chat. A late joiner gets what was
 * already sent, then the live tail; one caller leaving never fails the
 * others; the upstream is released when the last one leaves.
 */

const REPLY = Array.from({ length: 40 }, (_, index) => `word${index}`).join(' ');

let upstream: OpenAIMockServer;

beforeAll(async () => {
  upstream = await startOpenAIMockServer({ reply: REPLY, streamChunkDelayMs: 10 });
});
afterEach(() => {
  upstream.configure({ streamChunkDelayMs: 10 });
  upstream.reset();
});
afterAll(async () => {
  await upstream.close();
});

function client() {
  return createTestClient({ providers: { openai: fakeOpenAIProvider(upstream.url) }, cache: { responses: true } });
}

function request(content: string): ChatRequest {
  return { model: 'openai/gpt-4o-mini', temperature: 0, messages: [{ role: 'user', content }] };
}

async function readAll(parts: AsyncIterable<StreamPart>): Promise<{ text: string; parts: StreamPart[] }> {
  const seen: StreamPart[] = [];
  for await (const part of parts) seen.push(part);
  return { text: seen.flatMap((part) => (part.type === 'text-delta' ? [part.text] : [])).join(''), parts: seen };
}

describe('identical concurrent streams', () => {
  it('50 concurrent identical streams reach the upstream once, and each gets the whole answer', async () => {
    const ai = client();
    const results = await Promise.all(Array.from({ length: 50 }, () => readAll(ai.stream(request('share this stream')))));
    expect(upstream.stats.requests).toBe(1);
    for (const result of results) {
      expect(result.text).toBe(REPLY);
      expect(result.parts[0]).toMatchObject({ type: 'stream-start', provider: 'openai', model: 'openai/gpt-4o-mini', cache: 'miss' });
      expect(result.parts.at(-1)).toMatchObject({ type: 'finish', finishReason: 'stop', provider: 'openai', cache: 'miss' });
    }
    // The cost was paid once, by the caller that opened the stream; the others joined it.
    expect(results.filter((result) => (result.parts.at(-1) as { cost: number }).cost > 0)).toHaveLength(1);
    await ai.close();
  });

  it('a late joiner gets what was already sent, then the live tail', async () => {
    const ai = client();
    const first = ai.stream(request('join me late'))[Symbol.asyncIterator]();
    const early: StreamPart[] = [];
    while (early.filter((part) => part.type === 'text-delta').length < 5) early.push((await first.next()).value as StreamPart);
    const late = await readAll(ai.stream(request('join me late')));
    let rest = early.flatMap((part) => (part.type === 'text-delta' ? [part.text] : [])).join('');
    for (let step = await first.next(); !step.done; step = await first.next()) if (step.value.type === 'text-delta') rest += step.value.text;
    expect(late.text).toBe(REPLY);
    expect(rest).toBe(REPLY);
    expect(upstream.stats.requests).toBe(1);
    await ai.close();
  });

  it('one caller leaving (break or abort) never fails the others; the last to leave releases the upstream', async () => {
    const ai = client();
    const controller = new AbortController();
    const breaker = (async () => {
      let parts = 0;
      for await (const part of ai.stream(request('leave early'))) if (part.type === 'text-delta' && ++parts === 3) break;
      return 'left';
    })();
    const aborted = readAll(ai.stream({ ...request('leave early'), signal: controller.signal })).then(
      () => 'finished',
      (error: { code?: string }) => error.code,
    );
    const staying = readAll(ai.stream(request('leave early')));
    await breaker;
    controller.abort();
    expect(await aborted).toBe('aborted');
    expect((await staying).text).toBe(REPLY);
    expect(upstream.stats.requests).toBe(1);

    upstream.configure({ streamChunkDelayMs: 50 });
    const lonely = ai.stream(request('everyone leaves'))[Symbol.asyncIterator]();
    await lonely.next();
    await lonely.next();
    await lonely.return?.();
    await waitFor(() => upstream.stats.closedRequests === 1, 2000);
    await ai.close();
  });
});
