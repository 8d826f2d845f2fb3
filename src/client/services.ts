import type { ResolvedConfig } from '../config/load.js';
import type { CacheLogger } from '../cache/cache-events.js';
import type { CacheLayer } from '../cache/cache-layer.js';
import { createDeferredLayer } from '../cache/deferred-layer.js';
import { createMemoryLayer } from '../cache/memory-layer.js';
import type { ClusterState } from '../cache/redis-cluster-client.js';
import type { RedisPubSubLike } from '../cache/redis-like.js';
import { createTieredCache, type TieredCache } from '../cache/tiered-cache.js';
import { createTimedLayer } from '../cache/with-timeout.js';
import type { Database } from '../store/database.js';

/** The stateful services behind the client, each opened (and its modules loaded) on first use. */
export interface ClientServices {
  /** The migrated database; a failed open is retried by the next caller. */
  database(): Promise<Database>;
  /** The tiered cache: memory, then Redis when configured, then SQL. */
  cache(): Promise<TieredCache>;
  /** The shared Redis (a node or a cluster client, one shape), opened on first use; absent when none is configured. */
  redis?: () => Promise<RedisPubSubLike>;
  /** Dependency states for readiness checks. */
  health(): Promise<Record<string, DependencyState>>;
  close(): Promise<void>;
}

/** One dependency's state for `/readyz`; a cluster adds what CLUSTER INFO says. */
export interface DependencyState {
  ok: boolean;
  detail?: string;
  cluster?: ClusterState;
}

/** Hooks the services report through. */
export interface ServiceHooks {
  logger?: CacheLogger;
  /** Wraps each cache layer, e.g. to track its accesses. */
  wrapLayer?: (layer: CacheLayer) => CacheLayer;
}

/** The cluster's own view (CLUSTER INFO) and this client's: ok only while every slot is served and every master it knows answers. */
async function clusterHealth(client: RedisPubSubLike): Promise<DependencyState> {
  const { isRedisCluster } = await import('../cache/redis-cluster-client.js');
  if (!isRedisCluster(client)) return { ok: false, detail: 'the Redis client is not a cluster client' };
  try {
    const cluster = await client.clusterState();
    const ok = cluster.state === 'ok' && cluster.slotsOk === 16_384 && cluster.clientMastersReachable === cluster.clientMasters;
    const detail = `cluster_state:${cluster.state}, ${cluster.slotsOk} of 16384 slots ok, ${cluster.clientMastersReachable} of ${cluster.clientMasters} masters answer`;
    return { ok, cluster, ...(ok ? {} : { detail }) };
  } catch (error) {
    return { ok: false, detail: error instanceof Error ? error.message : String(error) };
  }
}

/** Longest wait for one Redis or SQL cache operation before it counts as that layer's failure. */
const SHARED_LAYER_TIMEOUT_MS = 1_000;

/** Memoizes an async open; a failure is forgotten so that the next caller tries again. */
function once<T>(open: () => Promise<T>): { get: () => Promise<T>; current: () => Promise<T> | undefined; reset: () => void } {
  let pending: Promise<T> | undefined;
  return {
    get: () =>
      (pending ??= open().catch((error: unknown) => {
        pending = undefined;
        throw error;
      })),
    current: () => pending,
    reset: () => {
      pending = undefined;
    },
  };
}

/**
 * Creates the services from config. Opens nothing until first use; the Redis
 * client, Kysely and the database drivers are imported then too, so a process
 * that never caches (a one-shot CLI call) never loads them.
 */
export function createClientServices(config: ResolvedConfig, hooks: ServiceHooks = {}): ClientServices {
  const database = once(async () => {
    const { createDatabase } = await import('../store/database.js');
    const opened = createDatabase(config.databaseUrl);
    try {
      await opened.migrate();
    } catch (error) {
      await opened.close().catch(() => undefined);
      throw error;
    }
    return opened;
  });

  const hasRedis = config.redisUrl !== undefined || config.redisClusterNodes !== undefined;
  const redis = once(async (): Promise<RedisPubSubLike> => {
    const onError = (error: Error) => hooks.logger?.warn({ error: error.message }, 'redis connection error');
    if (config.redisClusterNodes) {
      const { createRedisClusterClient } = await import('../cache/redis-cluster-client.js');
      return createRedisClusterClient(config.redisClusterNodes, { onError });
    }
    const { createRedisClient } = await import('../cache/redis-client.js');
    return createRedisClient(config.redisUrl!, { onError });
  });

  const cache = once(async () => {
    const wrap = hooks.wrapLayer ?? ((layer: CacheLayer) => layer);
    const layers: CacheLayer[] = [createMemoryLayer({ maxBytes: config.cache.memoryMaxBytes })];
    let shared: Partial<Parameters<typeof createTieredCache>[0]> = {};
    if (hasRedis) {
      const client = await redis.get();
      const [{ createRedisLayer }, { createRedisLock }, { createRedisInvalidation }] = await Promise.all([
        import('../cache/redis-layer.js'),
        import('../cache/redis-lock.js'),
        import('../cache/redis-invalidation.js'),
      ]);
      layers.push(createRedisLayer({ client }));
      shared = {
        lock: createRedisLock({ client }),
        // A lock outlives the slowest upstream call, so a second process never computes the same answer.
        lockTtlMs: Math.max(30_000, ...Object.values(config.providers).map((provider) => provider.timeoutMs)),
        invalidation: createRedisInvalidation({ client }),
      };
    }
    // Open (and migrate) the database now, so the first cache operations are not timed against the migration;
    // a database that is down is retried by the deferred layer on later operations.
    await database.get().catch((error: unknown) => hooks.logger?.warn({ error: error instanceof Error ? error.message : String(error) }, 'database unavailable; the SQL cache layer will retry'));
    layers.push(
      createDeferredLayer('sql', async () => {
        const { createSqlLayer } = await import('../cache/sql-layer.js');
        return createSqlLayer({ db: (await database.get()).db });
      }),
    );
    return createTieredCache({
      // Shared layers give up after a bound (a Redis that stops answering must not hang a call); timing sits
      // under the tracking wrapper so a timeout counts as that layer's error.
      layers: layers.map((layer) => wrap(layer.name === 'memory' ? layer : createTimedLayer(layer, SHARED_LAYER_TIMEOUT_MS))),
      maxEntryBytes: config.cache.maxEntryBytes,
      defaultTtlMs: config.cache.ttlSeconds * 1000,
      logger: hooks.logger,
      ...shared,
    });
  });

  async function state(check: () => Promise<unknown>): Promise<DependencyState> {
    try {
      await check();
      return { ok: true };
    } catch (error) {
      return { ok: false, detail: error instanceof Error ? error.message : String(error) };
    }
  }

  return {
    database: database.get,
    cache: cache.get,
    ...(hasRedis ? { redis: redis.get } : {}),
    async health() {
      const states: Record<string, DependencyState> = {
        database: await state(async () => (await database.get()).db.selectFrom('cache_entries').select('key').limit(1).execute()),
      };
      if (hasRedis) {
        const { pingRedis } = await import('../cache/redis-like.js');
        states.redis = await state(async () => pingRedis(await redis.get()));
        if (config.redisClusterNodes) states.redisCluster = await clusterHealth(await redis.get());
      }
      return states;
    },
    async close() {
      const openCache = await cache.current()?.catch(() => undefined);
      await openCache?.close();
      const client = await redis.current()?.catch(() => undefined);
      if (client?.isOpen) await client.close().catch(() => client.destroy());
      const db = await database.current()?.catch(() => undefined);
      await db?.close();
      cache.reset();
      redis.reset();
      database.reset();
    },
  };
}
