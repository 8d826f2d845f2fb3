import { afterAll, beforeAll } from 'vitest';
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
