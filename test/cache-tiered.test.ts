import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TieredCacheEvent } from '../src/cache/cache-events.js';
import { sqlCacheInventory } from '../src/cache/cache-inventory.js';
import { createMemoryLayer } from '../src/cache/memory-layer.js';
import { createRedisClient } from '../src/cache/redis-client.js';
import { createRedisLayer } from '../src/cache/redis-layer.js';
import type { RedisLike } from '../src/cache/redis-like.js';
import { createRedisLock } from '../src/cache/redis-lock.js';
import { createSqlLayer } from '../src/cache/sql-layer.js';
import { createTieredCache, type TieredCache } from '../src/cache/tiered-cache.js';
import { createDatabase } from '../src/store/database.js';
import { createTestSqlite, REDIS_URL, uniqueName, type TestDatabase } from './store-support.js';

let redis: RedisLike;
let sqlite: TestDatabase;
const prefix = `${uniqueName('sy-tiered')}:`;

beforeAll(async () => {
  redis = createRedisClient(REDIS_URL);
  await redis.connect();
  sqlite = await createTestSqlite();
});

afterAll(async () => {
  for await (const keys of redis.scanIterator({ MATCH: `${prefix}*`, COUNT: 500 })) {
    if ((keys as string[]).length > 0) await redis.del(keys as string[]);
  }
  await redis.close();
  await sqlite.dispose();
});

/** A three-layer cache over the shared Redis and SQLite, with its own memory and key space. */
function threeLayers(options: { events?: TieredCacheEvent[]; scope?: string; maxEntryBytes?: number } = {}) {
  const scope = options.scope ?? uniqueName('scope');
  const memory = createMemoryLayer();
  const redisLayer = createRedisLayer({ client: redis, prefix: `${prefix}${scope}:` });
  const sqlLayer = createSqlLayer({ db: sqlite.database.db });
  const cache = createTieredCache({
    layers: [memory, redisLayer, sqlLayer],
    ...(options.maxEntryBytes !== undefined ? { maxEntryBytes: options.maxEntryBytes } : {}),
    onEvent: (event) => options.events?.push(event),
  });
  return { cache, memory, redisLayer, sqlLayer, scope };
}

describe('tiered cache', () => {
  it('writes every layer and reads the fastest', async () => {
    const { cache, memory, redisLayer, sqlLayer } = threeLayers();
    const key = `t:${uniqueName('k')}`;
    expect(await cache.set(key, 'v', 60_000)).toBe(true);
    for (const layer of [memory, redisLayer, sqlLayer]) expect((await layer.get(key))?.value).toBe('v');
    expect((await cache.get(key))?.layer).toBe('memory');
    expect(cache.stats().layers.memory).toMatchObject({ hits: 1, misses: 0, sets: 1 });
  });

  it('fills the layers above a lower hit with the remaining TTL', async () => {
    const { cache, memory, redisLayer, sqlLayer } = threeLayers();
    const key = `t:${uniqueName('k')}`;
    await sqlLayer.set(key, 'from-sql', 30_000);
    const stored = await sqlLayer.get(key);
    const hit = await cache.get(key);
    expect(hit).toEqual({ value: 'from-sql', expiresAt: stored!.expiresAt, layer: 'sql' });
    const inMemory = await memory.get(key);
    const inRedis = await redisLayer.get(key);
    expect(inMemory?.value).toBe('from-sql');
    expect(inRedis?.value).toBe('from-sql');
    // Not a fresh 30 s: at most what the SQL entry had left.
    expect(inMemory!.expiresAt).toBeLessThanOrEqual(stored!.expiresAt + 1);
    expect(inRedis!.expiresAt).toBeLessThanOrEqual(stored!.expiresAt + 5);
    const stats = cache.stats();
    expect(stats.layers.memory).toMatchObject({ misses: 1, sets: 1 });
    expect(stats.layers.redis).toMatchObject({ misses: 1, sets: 1 });
    expect(stats.layers.sql).toMatchObject({ hits: 1, sets: 0 });
    expect((await cache.get(key))?.layer).toBe('memory');
  });

  it('a second process (its own memory) hits Redis', async () => {
    const first = threeLayers();
    const second = threeLayers({ scope: first.scope });
    const key = `t:${uniqueName('k')}`;
    await first.cache.set(key, 'shared', 60_000);
    expect((await second.cache.get(key))?.layer).toBe('redis');
  });

  it('deletes and clears by namespace across every layer', async () => {
    const { cache, redisLayer, sqlLayer } = threeLayers();
    const namespace = uniqueName('ns');
    await cache.set(`${namespace}:1`, 'a', 60_000);
    await cache.set(`${namespace}:2`, 'b', 60_000);
    await cache.set(`other${namespace}:3`, 'c', 60_000);
    await cache.delete(`${namespace}:1`);
    expect(await cache.get(`${namespace}:1`)).toBeUndefined();
    await cache.clear(namespace);
    expect(await cache.get(`${namespace}:2`)).toBeUndefined();
    expect(await redisLayer.get(`${namespace}:2`)).toBeUndefined();
    expect(await sqlLayer.get(`${namespace}:2`)).toBeUndefined();
    expect((await cache.get(`other${namespace}:3`))?.value).toBe('c');
  });

  it('does not store an entry larger than maxEntryBytes', async () => {
    const events: TieredCacheEvent[] = [];
    const { cache, sqlLayer } = threeLayers({ events, maxEntryBytes: 1_000 });
    const key = `t:${uniqueName('k')}`;
    expect(await cache.set(key, 'x'.repeat(2_000), 60_000)).toBe(false);
    expect(await sqlLayer.get(key)).toBeUndefined();
    expect(await cache.get(key)).toBeUndefined();
    expect(cache.stats().oversized).toBe(1);
    expect(events.filter((event) => event.op === 'set' && event.outcome === 'skipped')).toHaveLength(3);
  });

  it('a broken layer becomes a miss, an error count and one warning; the others still serve', async () => {
    const broken = createDatabase(':memory:'); // never migrated: every query fails
    const warnings: string[] = [];
    const events: TieredCacheEvent[] = [];
    const memory = createMemoryLayer();
    const cache = createTieredCache({
      layers: [memory, createSqlLayer({ db: broken.db })],
      layerCooldownMs: 0,
      logger: { warn: (_details, message) => warnings.push(message) },
      onEvent: (event) => events.push(event),
    });
    expect(await cache.set('t:a', 'kept in memory', 60_000)).toBe(true);
    expect((await cache.get('t:a'))?.layer).toBe('memory');
    expect(await cache.get('t:missing')).toBeUndefined();
    await cache.delete('t:a');
    expect(cache.stats().layers.sql!.errors).toBe(3);
    expect(warnings).toHaveLength(1);
    expect(events.filter((event) => event.layer === 'sql' && event.outcome === 'error').map((event) => event.op)).toEqual(['set', 'get', 'delete']);
    await broken.close();
  });

  it('skips a failed layer during its cooldown', async () => {
    const broken = createDatabase(':memory:');
    const cache = createTieredCache({ layers: [createMemoryLayer(), createSqlLayer({ db: broken.db })], layerCooldownMs: 60_000 });
    await cache.get('t:1');
    await cache.get('t:2');
    await cache.get('t:3');
    expect(cache.stats().layers.sql).toMatchObject({ errors: 1, skipped: 2 });
    await broken.close();
  });

  it('reports what each layer holds', async () => {
    const database = await createTestSqlite();
    const scope = uniqueName('usage');
    const cache = createTieredCache({
      layers: [createMemoryLayer(), createRedisLayer({ client: redis, prefix: `${prefix}${scope}:` }), createSqlLayer({ db: database.database.db })],
    });
    await cache.set('response:1', 'abc', 60_000);
    await cache.set('catalog:openai', 'defg', 60_000);
    await cache.set('catalog:gone', 'x', 1);
    await new Promise((resolve) => setTimeout(resolve, 20));
    const usage = await cache.usage();
    expect(usage.memory).toEqual({ entries: 3, bytes: 'response:1abc'.length + 'catalog:openaidefg'.length + 'catalog:gonex'.length });
    expect(usage.redis).toEqual({ entries: 2, bytes: null });
    expect(usage.sql).toEqual({ entries: 3, bytes: usage.memory!.bytes });
    expect(await sqlCacheInventory(database.database.db)).toEqual([
      { namespace: 'catalog', entries: 2, bytes: 'catalog:openaidefg'.length + 'catalog:gonex'.length, expired: 1 },
      { namespace: 'response', entries: 1, bytes: 'response:1abc'.length, expired: 0 },
    ]);
    await database.dispose();
  });

  it('prunes the layers that need it', async () => {
    const memory = createMemoryLayer();
    const database = await createTestSqlite();
    const sqlLayer = createSqlLayer({ db: database.database.db });
    const cache = createTieredCache({ layers: [memory, sqlLayer] });
    await cache.set('t:gone', 'x', 1);
    await cache.set('t:kept', 'y', 60_000);
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(await cache.prune()).toEqual({ memory: 1, sql: 1 });
    expect((await cache.get('t:kept'))?.value).toBe('y');
    await database.dispose();
  });
});

describe('getOrCompute in one process', () => {
  async function countedCompute(cache: TieredCache, key: string, calls: number) {
    let computes = 0;
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const compute = async () => {
      computes += 1;
      await gate;
      return JSON.stringify({ computed: computes });
    };
    const results = Array.from({ length: calls }, () => cache.getOrCompute(key, compute, 60_000));
    release();
    return { values: await Promise.all(results), computes: () => computes };
  }

  it('100 concurrent callers of one key share one compute', async () => {
    const { cache } = threeLayers();
    const { values, computes } = await countedCompute(cache, `t:${uniqueName('k')}`, 100);
    expect(computes()).toBe(1);
    expect(new Set(values.map((result) => result.value))).toEqual(new Set(['{"computed":1}']));
    expect(cache.stats()).toMatchObject({ computes: 1, joined: 99 });
  });

  it('100 concurrent callers share one compute with the Redis lock too, and the next call hits memory', async () => {
    const { cache: plain, scope } = threeLayers();
    await plain.close();
    const cache = createTieredCache({
      layers: [createMemoryLayer(), createRedisLayer({ client: redis, prefix: `${prefix}${scope}:` })],
      lock: createRedisLock({ client: redis, prefix: `${prefix}${scope}:lock:` }),
    });
    const key = `t:${uniqueName('k')}`;
    const { computes } = await countedCompute(cache, key, 100);
    expect(computes()).toBe(1);
    expect(await cache.getOrCompute(key, async () => 'never', 60_000)).toEqual({ value: '{"computed":1}', source: 'memory' });
    expect(await redis.get(`${prefix}${scope}:lock:${key}`)).toBeNull();
  });

  it('a failed compute reaches every joined caller and is not cached', async () => {
    const { cache } = threeLayers();
    const key = `t:${uniqueName('k')}`;
    let computes = 0;
    const failing = async () => {
      computes += 1;
      await new Promise((resolve) => setTimeout(resolve, 10));
      throw new Error('upstream failed');
    };
    const results = await Promise.allSettled(Array.from({ length: 10 }, () => cache.getOrCompute(key, failing)));
    expect(results.every((result) => result.status === 'rejected')).toBe(true);
    expect(computes).toBe(1);
    expect(await cache.getOrCompute(key, async () => 'second try')).toEqual({ value: 'second try', source: 'compute' });
  });

  it('shouldStore decides whether a computed value is kept', async () => {
    const { cache } = threeLayers();
    const key = `t:${uniqueName('k')}`;
    await cache.getOrCompute(key, async () => '{"finishReason":"error"}', { shouldStore: (value) => !value.includes('error') });
    expect(await cache.get(key)).toBeUndefined();
  });

  it('a lock holder that died is covered by the lock expiry', async () => {
    const scope = uniqueName('scope');
    const lock = createRedisLock({ client: redis, prefix: `${prefix}${scope}:lock:` });
    const key = `t:${uniqueName('k')}`;
    // A "process" takes the lock and never releases it.
    expect(await lock.acquire(key, 150)).toBeTypeOf('string');
    const cache = createTieredCache({
      layers: [createMemoryLayer(), createRedisLayer({ client: redis, prefix: `${prefix}${scope}:` })],
      lock,
      pollMaxMs: 20,
    });
    expect(await cache.getOrCompute(key, async () => 'after expiry')).toEqual({ value: 'after expiry', source: 'compute' });
    expect(cache.stats()).toMatchObject({ computes: 1, lockWaits: 1 });
  });

  it('releasing only deletes the holder’s own lock', async () => {
    const lock = createRedisLock({ client: redis, prefix: `${prefix}${uniqueName('l')}:` });
    const token = await lock.acquire('k', 10_000);
    expect(await lock.acquire('k', 10_000)).toBeUndefined();
    await lock.release('k', 'not-the-token');
    expect(await lock.isLocked('k')).toBe(true);
    await lock.release('k', token!);
    expect(await lock.isLocked('k')).toBe(false);
  });
});
