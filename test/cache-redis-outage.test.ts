import type { ChildProcess } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createMemoryLayer } from '../src/cache/memory-layer.js';
import { createRedisClient } from '../src/cache/redis-client.js';
import { createRedisLayer } from '../src/cache/redis-layer.js';
import { pingRedis, type RedisLike } from '../src/cache/redis-like.js';
import { createRedisLock } from '../src/cache/redis-lock.js';
import { createSqlLayer } from '../src/cache/sql-layer.js';
import { createTieredCache } from '../src/cache/tiered-cache.js';
import { createTestSqlite, type TestDatabase } from './store-support.js';
import { sparePort, startRedis, stopRedis } from './support/redis-server.js';

let port: number;
let server: ChildProcess;
let sqlite: TestDatabase;
let client: RedisLike;
const redisErrors: string[] = [];

beforeAll(async () => {
  port = await sparePort();
  server = await startRedis(port);
  sqlite = await createTestSqlite();
  client = createRedisClient(`redis://127.0.0.1:${port}`, { onError: (error) => redisErrors.push(error.message), maxReconnectDelayMs: 100 });
});

afterAll(async () => {
  if (client.isOpen) client.destroy();
  await stopRedis(server);
  await sqlite.dispose();
});

describe('Redis going away mid-run', () => {
  it('keeps serving from the other layers, counts the errors, and uses Redis again once it is back', async () => {
    const warnings: string[] = [];
    const makeCache = () =>
      createTieredCache({
        layers: [createMemoryLayer(), createRedisLayer({ client, prefix: 'outage:' }), createSqlLayer({ db: sqlite.database.db })],
        lock: createRedisLock({ client, prefix: 'outage-lock:' }),
        layerCooldownMs: 0,
        logger: { warn: (_details, message) => warnings.push(message) },
      });
    const cache = makeCache();

    // Healthy: the value reaches Redis.
    await cache.set('t:before', 'before', 60_000);
    expect(await client.get('outage:t:before')).toBe('before');

    await stopRedis(server);
    await vi.waitFor(() => expect(client.isReady).toBe(false), { timeout: 5_000, interval: 10 });

    // Every call still succeeds.
    expect((await cache.get('t:before'))?.layer).toBe('memory');
    expect(await cache.set('t:during', 'during', 60_000)).toBe(true);
    const otherProcess = makeCache(); // its own empty memory: must fall through to SQL
    expect(await otherProcess.get('t:during')).toMatchObject({ value: 'during', layer: 'sql' });
    let computes = 0;
    const computed = await otherProcess.getOrCompute('t:computed', async () => {
      computes += 1;
      return 'computed while Redis was down';
    });
    expect(computed).toEqual({ value: 'computed while Redis was down', source: 'compute' });
    expect(computes).toBe(1);
    const errorsDuringOutage = cache.stats().layers.redis!.errors + otherProcess.stats().layers.redis!.errors;
    expect(cache.stats().layers.redis!.errors).toBeGreaterThanOrEqual(1);
    expect(otherProcess.stats().layers.redis!.errors).toBeGreaterThanOrEqual(2);
    expect(otherProcess.stats().lockErrors).toBe(1);
    expect(warnings.length).toBeGreaterThanOrEqual(2);
    expect(redisErrors.length).toBeGreaterThan(0);

    // Redis comes back on the same port; node-redis reconnects by itself.
    server = await startRedis(port);
    await vi.waitFor(() => expect(client.isReady).toBe(true), { timeout: 10_000, interval: 20 });

    await cache.set('t:after', 'after', 60_000);
    expect(await client.get('outage:t:after')).toBe('after');
    const freshProcess = makeCache();
    expect(await freshProcess.get('t:after')).toMatchObject({ value: 'after', layer: 'redis' });
    expect(freshProcess.stats().layers.redis).toMatchObject({ hits: 1, errors: 0 });
    // The counters only grew; nothing failed after the reconnect.
    expect(cache.stats().layers.redis!.errors + otherProcess.stats().layers.redis!.errors).toBe(errorsDuringOutage);
  });
});

describe('pingRedis', () => {
  it('answers quickly whether Redis is up or down', async () => {
    const downPort = await sparePort();
    const down = createRedisClient(`redis://127.0.0.1:${downPort}`);
    await expect(pingRedis(down, 200)).rejects.toThrow();
    down.destroy();
    const up = createRedisClient(`redis://127.0.0.1:${port}`);
    await pingRedis(up, 2_000);
    await up.close();
  });
});
