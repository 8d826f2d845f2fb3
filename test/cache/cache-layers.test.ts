import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMemoryLayer } from '../../src/cache/memory-layer.js';
import { createRedisClient } from '../../src/cache/redis-client.js';
import { createRedisLayer } from '../../src/cache/redis-layer.js';
import type { RedisLike } from '../../src/cache/redis-like.js';
import { createSqlLayer } from '../../src/cache/sql-layer.js';
import { describeCacheLayerContract } from './cache-layer-contract.js';
import { createTestPostgres, createTestSqlite, REDIS_URL, uniqueName, type TestDatabase } from '../store-support.js';

let redis: RedisLike;
let sqlite: TestDatabase;
let postgres: TestDatabase;

beforeAll(async () => {
  redis = createRedisClient(REDIS_URL);
  await redis.connect(); // a missing Redis fails here, loudly
  sqlite = await createTestSqlite();
  postgres = await createTestPostgres();
});

afterAll(async () => {
  await redis?.close();
  await sqlite?.dispose();
  await postgres?.dispose();
});

describeCacheLayerContract('memory', async () => {
  const layer = createMemoryLayer({ maxBytes: 8 * 1024 * 1024 });
  return { layer, dispose: () => layer.close() };
});

describeCacheLayerContract('redis', async () => {
  const prefix = `${uniqueName('sy-test')}:`;
  const layer = createRedisLayer({ client: redis, prefix });
  return {
    layer,
    async dispose() {
      await layer.clear();
      await layer.close();
    },
  };
});

describeCacheLayerContract('sql (sqlite)', async () => {
  const layer = createSqlLayer({ db: sqlite.database.db, pruneBatchSize: 2 });
  await layer.clear();
  return { layer, dispose: () => layer.close() };
});

describeCacheLayerContract('sql (postgres)', async () => {
  const layer = createSqlLayer({ db: postgres.database.db, pruneBatchSize: 2 });
  await layer.clear();
  return { layer, dispose: () => layer.close() };
});

describe('sql layer pruning on its own', () => {
  it('removes expired rows in bounded batches without a prune() call, and stops at close()', async () => {
    let clock = 1_000_000;
    const layer = createSqlLayer({ db: sqlite.database.db, pruneBatchSize: 2, autoPruneIntervalMs: 20, autoPruneBatches: 2, now: () => clock });
    await layer.clear();
    for (let index = 0; index < 6; index++) await layer.set(`auto-prune:${index}`, 'v', 1000);
    await layer.set('auto-prune:kept', 'v', 60_000);
    clock += 5000; // six rows expire
    const count = async () => (await layer.usage!()).entries;
    // Each tick deletes at most 2 batches of 2: the six go over two ticks, and the live row stays.
    for (let waited = 0; waited < 5000 && (await count()) > 1; waited += 20) await new Promise((resolve) => setTimeout(resolve, 20));
    expect(await count()).toBe(1);
    expect((await layer.get('auto-prune:kept'))?.value).toBe('v');
    await layer.close();
  });
});
