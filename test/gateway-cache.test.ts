import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestGateway, type TestGateway } from './gateway-support.js';

// Response caching through the gateway: layer headers, Cache-Control, and tenants never sharing entries.
let gateway: TestGateway;

beforeAll(async () => {
  gateway = await startTestGateway({ cache: { responses: true }, server: { apiKeys: ['alpha:key-alpha-123', 'beta:key-beta-456'] } });
});

afterAll(async () => {
  await gateway?.stop();
});

async function chat(prompt: string, headers: Record<string, string> = {}, stream = false) {
  const response = await fetch(`${gateway.url}/v1/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: 'Bearer key-alpha-123', ...headers },
    body: JSON.stringify({ model: 'mock/echo', temperature: 0, stream, messages: [{ role: 'user', content: prompt }] }),
  });
  expect(response.status).toBe(200);
  const cache = response.headers.get('x-switchyard-cache');
  if (stream) {
    const text = await response.text();
    const content = [...text.matchAll(/^data: (\{.*\})$/gm)]
      .map((match) => JSON.parse(match[1]) as { choices: Array<{ delta: { content?: string } }> })
      .map((chunk) => chunk.choices[0]?.delta.content ?? '')
      .join('');
    return { cache, content, done: text.trimEnd().endsWith('data: [DONE]') };
  }
  const body = (await response.json()) as { choices: Array<{ message: { content: string } }> };
  return { cache, content: body.choices[0].message.content, done: true };
}

describe('gateway response caching', () => {
  it('answers a repeated request from memory with the same content', async () => {
    const first = await chat('cache me please');
    const second = await chat('cache me please');
    expect(first.cache).toBe('miss');
    expect(second.cache).toBe('hit-memory');
    expect(second.content).toBe(first.content);
    expect(second.content).toBe('cache me please');
  });

  it('replays a cached answer as a stream with the hit in the headers', async () => {
    const live = await chat('streamed and then cached', {}, true);
    const replay = await chat('streamed and then cached', {}, true);
    expect(live.cache).toBe('miss');
    expect(replay.cache).toBe('hit-memory');
    expect(replay.content).toBe(live.content);
    expect(replay.done).toBe(true);
  });

  it('honours Cache-Control no-cache (skip reading) and no-store (skip writing)', async () => {
    await chat('cached before no-cache');
    expect((await chat('cached before no-cache', { 'cache-control': 'no-cache' })).cache).toBe('miss');
    expect((await chat('cached before no-cache')).cache).toBe('hit-memory');

    expect((await chat('never stored', { 'cache-control': 'no-store' })).cache).toBe('miss');
    expect((await chat('never stored')).cache).toBe('miss');
  });

  it('keeps tenants apart: the same request from another tenant is a miss', async () => {
    expect((await chat('tenant scoped prompt')).cache).toBe('miss');
    expect((await chat('tenant scoped prompt')).cache).toBe('hit-memory');
    const otherTenant = await chat('tenant scoped prompt', { authorization: 'Bearer key-beta-456' });
    expect(otherTenant.cache).toBe('miss');
    expect(otherTenant.content).toBe('tenant scoped prompt');
    expect((await chat('tenant scoped prompt', { authorization: '', 'x-api-key': 'key-beta-456' })).cache).toBe('hit-memory');
  });

  it('bypasses the cache for a high temperature', async () => {
    const response = await fetch(`${gateway.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-api-key': 'key-alpha-123' },
      body: JSON.stringify({ model: 'mock/echo', temperature: 1.2, messages: [{ role: 'user', content: 'creative' }] }),
    });
    expect(response.headers.get('x-switchyard-cache')).toBe('bypass');
  });
});
