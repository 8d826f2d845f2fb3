import type { CacheLayerName } from './cache-layer.js';

/** What a cache event is about: one layer, the cross-process lock, or the invalidation broadcast. */
export type CacheEventSource = CacheLayerName | 'lock' | 'invalidation';

/** The operation an event reports. */
export type TieredCacheOperation = 'get' | 'set' | 'delete' | 'clear' | 'prune' | 'usage' | 'acquire' | 'release' | 'wait' | 'publish' | 'subscribe' | 'receive';

/** How it went. `skipped`: the layer was cooling down after an error, or the entry was too large. */
export type TieredCacheOutcome = 'hit' | 'miss' | 'ok' | 'error' | 'skipped';

/** One cache event, for metrics (the observability module counts them). */
export interface TieredCacheEvent {
  layer: CacheEventSource;
  op: TieredCacheOperation;
  outcome: TieredCacheOutcome;
  key?: string;
  error?: unknown;
}

/** Counts per layer since the cache was created. */
export interface CacheLayerStats {
  hits: number;
  misses: number;
  sets: number;
  errors: number;
  skipped: number;
}

/** The tiered cache's counters, returned by `stats()`. */
export interface CacheStats {
  layers: Partial<Record<CacheLayerName, CacheLayerStats>>;
  /** Times `getOrCompute` ran `compute`. */
  computes: number;
  /** `getOrCompute` callers that joined a compute already running in this process. */
  joined: number;
  /** `getOrCompute` calls that waited for another process holding the lock. */
  lockWaits: number;
  /** Lock operations that failed (Redis down): the caller computed without the lock. */
  lockErrors: number;
  /** Entries not stored because they exceeded `maxEntryBytes`. */
  oversized: number;
  /** Invalidations received from other processes (applied to the memory layer). */
  invalidationsReceived: number;
  /** Invalidation publishes or subscriptions that failed (Redis down). */
  invalidationErrors: number;
}

/** The logger shape the cache warns through (pino's `warn(details, message)` fits). */
export interface CacheLogger {
  warn(details: Record<string, unknown>, message: string): void;
}
