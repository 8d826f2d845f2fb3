import { createClient } from 'redis';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createMemoryLayer } from '../src/cache/memory-layer.js';
import { createRedisClient } from '../src/cache/redis-client.js';
import { createRedisInvalidation } from '../src/cache/redis-invalidation.js';
import { createRedisLayer } from '../src/cache/redis-layer.js';
import type { RedisPubSubLike } from '../src/cache/redis-like.js';
import { createTieredCache, type TieredCache } from '../src/cache/tiered-cache.js';
import { REDIS_URL, uniqueName } from './store-support.js';

const prefix = `${uniqueName('sy-inval')}:`;
const channel = `${prefix}channel`;
let clientA: RedisPubSubLike;
let clientB: RedisPubSubLike;
const caches: TieredCache[] = [];
const inspector = createClient({ url: REDIS_URL });

/** One "process": its own Redis connection, memory layer and invalidation subscriber. */
function instance(client: RedisPubSubLike) {
  const memory = createMemoryLayer();
  const cache = createTieredCache({
    layers: [memory, createRedisLayer({ client, prefix: `${prefix}cache:` })],
    invalidation: createRedisInvalidation({ client, channel }),
  });
  caches.push(cache);
  return { cache, memory };
}

beforeAll(async () => {
  clientA = createRedisClient(REDIS_URL);
  clientB = createRedisClient(REDIS_URL);
  await Promise.all([clientA.connect(), clientB.connect(), inspector.connect()]);
});

afterAll(async () => {
  for (const cache of caches) await cache.close();
  for await (const keys of clientA.scanIterator({ MATCH: `${prefix}*`, COUNT: 500 })) {
    if ((keys as string[]).length > 0) await clientA.del(keys as string[]);
  }
  await Promise.all([clientA.close(), clientB.close(), inspector.close()]);
});

describe('cross-process invalidation', () => {
  it('a delete, a clear or a broadcast set in one process drops the other processes’ memory copies', async () => {
    const a = instance(clientA);
    const b = instance(clientB);
    // Both read once (subscribing on first use) and B keeps copies in memory.
    await a.cache.set('catalog:openai', 'v1', 60_000);
    await a.cache.set('response:1', 'r1', 60_000);
    await a.cache.set('response:2', 'r2', 60_000);
    expect((await b.cache.get('catalog:openai'))?.layer).toBe('redis');
    expect((await b.cache.get('response:1'))?.layer).toBe('redis');
    expect((await b.cache.get('response:2'))?.layer).toBe('redis');
    expect((await b.memory.get('catalog:openai'))?.value).toBe('v1');
    // Both subscribers are listening before anything is published.
    await vi.waitFor(async () => expect((await inspector.pubSubNumSub(channel))[channel]).toBe(2), { timeout: 5_000, interval: 10 });

    // A replaces the list and tells the others.
    await a.cache.set('catalog:openai', 'v2', 60_000, { broadcast: true });
    await vi.waitFor(async () => expect(await b.memory.get('catalog:openai')).toBeUndefined(), { timeout: 5_000, interval: 10 });
    expect((await b.cache.get('catalog:openai'))?.value).toBe('v2');

    await a.cache.delete('response:1');
    await vi.waitFor(async () => expect(await b.memory.get('response:1')).toBeUndefined(), { timeout: 5_000, interval: 10 });
    expect(await b.cache.get('response:1')).toBeUndefined();

    await a.cache.clear('response');
    await vi.waitFor(async () => expect(await b.memory.get('response:2')).toBeUndefined(), { timeout: 5_000, interval: 10 });
    expect((await b.memory.get('catalog:openai'))?.value).toBe('v2');

    expect(b.cache.stats().invalidationsReceived).toBe(3);
    // A does not receive its own messages.
    expect(a.cache.stats().invalidationsReceived).toBe(0);
    expect((await a.memory.get('catalog:openai'))?.value).toBe('v2');
  });
});
