import type { ResolvedConfig } from '../config/load.js';
import { createDeferredLayer } from '../cache/deferred-layer.js';
import { createMemoryLayer } from '../cache/memory-layer.js';
import { createRedisClient } from '../cache/redis-client.js';
import { createRedisLayer } from '../cache/redis-layer.js';
import { pingRedis, type RedisPubSubLike } from '../cache/redis-like.js';
import { createRedisInvalidation } from '../cache/redis-invalidation.js';
import { createRedisLock } from '../cache/redis-lock.js';
import { createSqlLayer } from '../cache/sql-layer.js';
import { createTieredCache, type TieredCache } from '../cache/tiered-cache.js';
import type { CacheLogger } from '../cache/cache-events.js';
import type { CacheLayer } from '../cache/cache-layer.js';
import { createDatabase, type Database } from '../store/database.js';

/** The stateful services behind the client, each opened on first use. */
export interface ClientServices {
  /** The migrated database; a failed open is retried by the next caller. */
  database(): Promise<Database>;
  /** The tiered cache: memory, then Redis when configured, then SQL. */
  cache(): TieredCache;
  /** Dependency states for readiness checks. */
  health(): Promise<Record<string, { ok: boolean; detail?: string }>>;
  close(): Promise<void>;
}

/** Hooks the services report through. */
export interface ServiceHooks {
  logger?: CacheLogger;
  /** Wraps each cache layer, e.g. to track its accesses. */
  wrapLayer?: (layer: CacheLayer) => CacheLayer;
}

/** Creates the services from config. Opens nothing until first use. */
export function createClientServices(config: ResolvedConfig, hooks: ServiceHooks = {}): ClientServices {
  let database: Database | undefined;
  let migrating: Promise<Database> | undefined;
  let redis: RedisPubSubLike | undefined;
  let cache: TieredCache | undefined;

  function openDatabase(): Promise<Database> {
    return (migrating ??= (async () => {
      database ??= createDatabase(config.databaseUrl);
      await database.migrate();
      return database;
    })().catch((error: unknown) => {
      migrating = undefined;
      throw error;
    }));
  }

  function redisClient(): RedisPubSubLike | undefined {
    if (!config.redisUrl) return undefined;
    return (redis ??= createRedisClient(config.redisUrl, {
      onError: (error) => hooks.logger?.warn({ error: error.message }, 'redis connection error'),
    }));
  }

  return {
    database: openDatabase,
    cache() {
      if (cache) return cache;
      const client = redisClient();
      const wrap = hooks.wrapLayer ?? ((layer: CacheLayer) => layer);
      cache = createTieredCache({
        layers: [
          createMemoryLayer({ maxBytes: config.cache.memoryMaxBytes }),
          ...(client ? [createRedisLayer({ client })] : []),
          createDeferredLayer('sql', async () => createSqlLayer({ db: (await openDatabase()).db })),
        ].map(wrap),
        maxEntryBytes: config.cache.maxEntryBytes,
        defaultTtlMs: config.cache.ttlSeconds * 1000,
        lock: client ? createRedisLock({ client }) : undefined,
        // A lock outlives the slowest upstream call, so a second process never computes the same answer.
        lockTtlMs: Math.max(30_000, ...Object.values(config.providers).map((provider) => provider.timeoutMs)),
        invalidation: client ? createRedisInvalidation({ client }) : undefined,
        logger: hooks.logger,
      });
      return cache;
    },
    async health() {
      const states: Record<string, { ok: boolean; detail?: string }> = {};
      try {
        const { db } = await openDatabase();
        await db.selectFrom('cache_entries').select('key').limit(1).execute();
        states.database = { ok: true };
      } catch (error) {
        states.database = { ok: false, detail: error instanceof Error ? error.message : String(error) };
      }
      const client = redisClient();
      if (client) {
        try {
          await pingRedis(client);
          states.redis = { ok: true };
        } catch (error) {
          states.redis = { ok: false, detail: error instanceof Error ? error.message : String(error) };
        }
      }
      return states;
    },
    async close() {
      await cache?.close();
      if (redis?.isOpen) await redis.close().catch(() => redis?.destroy());
      await migrating?.catch(() => undefined);
      await database?.close();
      cache = undefined;
      redis = undefined;
      database = undefined;
      migrating = undefined;
    },
  };
}
