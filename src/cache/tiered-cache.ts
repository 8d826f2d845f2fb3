import { SwitchyardError } from '../spec/errors.js';
import { entryBytes, type CacheLayer, type CacheLayerName, type LayerUsage } from './cache-layer.js';
import type { TieredCacheEvent, CacheEventSource, CacheLayerStats, CacheLogger, TieredCacheOperation, TieredCacheOutcome, CacheStats } from './cache-events.js';
import type { CacheInvalidation, InvalidationMessage } from './redis-invalidation.js';
import type { DistributedLock } from './redis-lock.js';
import { computeWithLock } from './single-flight.js';
import { createLockWithTimeouts } from './with-timeout.js';

/** A value read through the tiers, with the layer that had it. */
export interface TieredHit {
  value: string;
  expiresAt: number;
  layer: CacheLayerName;
}

/** Where a `getOrCompute` value came from: a layer, or a compute (this caller's or one it joined). */
export type CacheSource = CacheLayerName | 'compute';

/** Options for one `getOrCompute` call. */
export interface GetOrComputeOptions {
  /** Entry TTL. Default: the cache's `defaultTtlMs`. */
  ttlMs?: number;
  /** Decides whether a computed value is stored (e.g. not a failed response). Default: always. */
  shouldStore?: (value: string) => boolean;
}

/** The result of `getOrCompute`. */
export interface ComputedValue {
  value: string;
  source: CacheSource;
}

/** Options for {@link createTieredCache}. */
export interface TieredCacheOptions {
  /** Layers fastest first, e.g. [memory, redis, sql]; at most one of each name. */
  layers: CacheLayer[];
  /** Larger entries (UTF-8 bytes of key and value) are not stored. Default 1 MiB. */
  maxEntryBytes?: number;
  /** TTL when a call gives none. Default 1 hour. */
  defaultTtlMs?: number;
  /** Cross-process lock for `getOrCompute` (see createRedisLock); without it, single-flight is per process. */
  lock?: DistributedLock;
  /** Lock expiry: covers a holder that dies mid-compute. Default 30 s. */
  lockTtlMs?: number;
  /** Longest a caller waits for another process's compute before computing itself. Default `lockTtlMs`. */
  lockWaitMs?: number;
  /** First and longest pause between polls while waiting. Defaults 10 ms and 200 ms. */
  pollMinMs?: number;
  pollMaxMs?: number;
  /**
   * Broadcast (see createRedisInvalidation) so deletes, clears and `broadcast`
   * sets also drop other processes' in-memory copies. Subscribed on first use.
   */
  invalidation?: CacheInvalidation;
  /** After a layer fails, it is skipped for this long (a down database must not slow every call). Default 1000 ms. */
  layerCooldownMs?: number;
  /**
   * Longest wait for one lock operation before it counts as a lock error (the
   * caller then computes without the lock). Default 1000 ms. Layers are timed
   * by wrapping them (createTimedLayer).
   */
  lockTimeoutMs?: number;
  /** Receives a warning when a layer starts failing (once per failure streak). */
  logger?: CacheLogger;
  /** Receives every event (layer, op, outcome), for metrics. */
  onEvent?: (event: TieredCacheEvent) => void;
}

/**
 * A read-through cache over several layers. Reads try L1, L2, L3 in turn; a
 * hit in a lower layer fills the layers above with the remaining TTL. Writes,
 * deletes and clears reach every layer. A failing layer is a miss plus an
 * error count and a warning: no call fails because a cache layer did.
 */
export interface TieredCache {
  /** The layer names, fastest first. */
  readonly layerNames: readonly CacheLayerName[];
  /** Reads through the layers; `sharedOnly` skips this process's memory (to see what another process just wrote). */
  get(key: string, options?: { sharedOnly?: boolean }): Promise<TieredHit | undefined>;
  /**
   * Stores in every layer; `ttlMs` defaults to `defaultTtlMs`. With
   * `broadcast`, other processes drop their in-memory copy (for entries that
   * are replaced, like a refreshed model list). Returns false when the entry
   * was too large.
   */
  set(key: string, value: string, ttlMs?: number, options?: { broadcast?: boolean }): Promise<boolean>;
  /** Deletes from every layer, and from other processes' memory when an invalidation broadcast is set. */
  delete(key: string): Promise<void>;
  /** Clears every layer, or one namespace (the key text before the first `:`); broadcast like `delete`. */
  clear(namespace?: string): Promise<void>;
  /** Removes expired entries from the layers that need it; counts per layer. */
  prune(): Promise<Partial<Record<CacheLayerName, number>>>;
  /**
   * Returns the cached value, or computes, stores and returns it. Concurrent
   * callers of one key in this process share one compute; with a lock, callers
   * in other processes wait for the first one's result instead of computing.
   */
  getOrCompute(key: string, compute: () => Promise<string>, options?: number | GetOrComputeOptions): Promise<ComputedValue>;
  stats(): CacheStats;
  /** What each layer holds now; a layer that cannot tell (or is down) is left out. */
  usage(): Promise<Partial<Record<CacheLayerName, LayerUsage>>>;
  close(): Promise<void>;
}

function emptyLayerStats(): CacheLayerStats {
  return { hits: 0, misses: 0, sets: 0, errors: 0, skipped: 0 };
}

/** Creates a {@link TieredCache}. Starts no timers and opens nothing until first use. */
export function createTieredCache(options: TieredCacheOptions): TieredCache {
  const layers = options.layers;
  const names = layers.map((layer) => layer.name);
  if (new Set(names).size !== names.length) {
    throw new SwitchyardError({ code: 'invalid_config', message: `Cache layers must be distinct, got ${names.join(', ')}`, param: 'layers' });
  }
  const maxEntryBytes = options.maxEntryBytes ?? 1024 * 1024;
  const defaultTtlMs = options.defaultTtlMs ?? 60 * 60 * 1000;
  const cooldownMs = options.layerCooldownMs ?? 1_000;
  const lock = options.lock === undefined ? undefined : createLockWithTimeouts(options.lock, options.lockTimeoutMs ?? 1_000);
  const lockTtlMs = options.lockTtlMs ?? 30_000;

  const layerStats = new Map<CacheLayerName, CacheLayerStats>(names.map((name) => [name, emptyLayerStats()]));
  const counters = { computes: 0, joined: 0, lockWaits: 0, lockErrors: 0, oversized: 0, invalidationsReceived: 0, invalidationErrors: 0 };
  const localLayers = layers.filter((layer) => layer.name === 'memory');
  let listening = false;
  const failingSince = new Map<CacheEventSource, number>();
  const inFlight = new Map<string, Promise<ComputedValue>>();

  function emit(layer: CacheEventSource, op: TieredCacheOperation, outcome: TieredCacheOutcome, key?: string, error?: unknown): void {
    if (options.onEvent === undefined) return;
    try {
      options.onEvent({ layer, op, outcome, ...(key !== undefined ? { key } : {}), ...(error !== undefined ? { error } : {}) });
    } catch {
      // A metrics listener must not break a cache call.
    }
  }

  function recordError(source: CacheEventSource, op: TieredCacheOperation, error: unknown, key?: string): void {
    if (source === 'lock') counters.lockErrors += 1;
    else if (source === 'invalidation') counters.invalidationErrors += 1;
    else layerStats.get(source)!.errors += 1;
    emit(source, op, 'error', key, error);
    if (!failingSince.has(source)) {
      options.logger?.warn(
        { layer: source, op, error: error instanceof Error ? error.message : String(error) },
        `cache ${source} failed; continuing with the other layers`,
      );
    }
    failingSince.set(source, Date.now());
  }

  function recordSuccess(source: CacheEventSource): void {
    failingSince.delete(source);
  }

  function isCoolingDown(layer: CacheLayer): boolean {
    const since = failingSince.get(layer.name);
    return since !== undefined && Date.now() - since < cooldownMs;
  }

  /** Runs one operation on one layer; failures become `undefined` plus an error count. */
  async function attempt<T>(layer: CacheLayer, op: TieredCacheOperation, key: string | undefined, run: () => Promise<T>): Promise<{ ok: true; value: T } | { ok: false }> {
    if (isCoolingDown(layer)) {
      layerStats.get(layer.name)!.skipped += 1;
      emit(layer.name, op, 'skipped', key);
      return { ok: false };
    }
    try {
      const value = await run();
      recordSuccess(layer.name);
      return { ok: true, value };
    } catch (error) {
      recordError(layer.name, op, error, key);
      return { ok: false };
    }
  }

  /** Applies another process's invalidation to this process's memory layer. */
  function applyInvalidation(message: InvalidationMessage): void {
    counters.invalidationsReceived += 1;
    emit('invalidation', 'receive', 'ok', message.type === 'delete' ? message.key : undefined);
    for (const layer of localLayers) {
      const done = message.type === 'delete' ? layer.delete(message.key) : layer.clear(message.namespace);
      done.catch((error: unknown) => recordError(layer.name, message.type, error));
    }
  }

  /** Subscribes to invalidations on first use (constructors open nothing). */
  function listen(): void {
    if (listening || options.invalidation === undefined) return;
    listening = true;
    options.invalidation.subscribe(applyInvalidation).then(
      () => emit('invalidation', 'subscribe', 'ok'),
      (error: unknown) => {
        listening = false;
        recordError('invalidation', 'subscribe', error);
      },
    );
  }

  async function broadcast(message: InvalidationMessage): Promise<void> {
    if (options.invalidation === undefined) return;
    try {
      await options.invalidation.publish(message);
      recordSuccess('invalidation');
      emit('invalidation', 'publish', 'ok', message.type === 'delete' ? message.key : undefined);
    } catch (error) {
      recordError('invalidation', 'publish', error);
    }
  }

  async function setIn(targets: CacheLayer[], key: string, value: string, ttlMs: number): Promise<void> {
    await Promise.all(
      targets.map(async (layer) => {
        const result = await attempt(layer, 'set', key, () => layer.set(key, value, ttlMs));
        if (result.ok) {
          layerStats.get(layer.name)!.sets += 1;
          emit(layer.name, 'set', 'ok', key);
        }
      }),
    );
  }

  async function get(key: string, getOptions?: { sharedOnly?: boolean }): Promise<TieredHit | undefined> {
    listen();
    for (let index = 0; index < layers.length; index += 1) {
      const layer = layers[index];
      if (getOptions?.sharedOnly === true && localLayers.includes(layer)) continue;
      const result = await attempt(layer, 'get', key, () => layer.get(key));
      if (!result.ok) continue;
      const hit = result.value;
      const stats = layerStats.get(layer.name)!;
      const remaining = hit === undefined ? 0 : hit.expiresAt - Date.now();
      if (hit === undefined || remaining <= 0) {
        stats.misses += 1;
        emit(layer.name, 'get', 'miss', key);
        continue;
      }
      stats.hits += 1;
      emit(layer.name, 'get', 'hit', key);
      if (index > 0) await setIn(layers.slice(0, index), key, hit.value, remaining);
      return { value: hit.value, expiresAt: hit.expiresAt, layer: layer.name };
    }
    return undefined;
  }

  async function set(key: string, value: string, ttlMs?: number, setOptions?: { broadcast?: boolean }): Promise<boolean> {
    listen();
    if (entryBytes(key, value) > maxEntryBytes) {
      counters.oversized += 1;
      for (const layer of layers) emit(layer.name, 'set', 'skipped', key);
      return false;
    }
    await setIn(layers, key, value, ttlMs ?? defaultTtlMs);
    if (setOptions?.broadcast === true) await broadcast({ type: 'delete', key });
    return true;
  }

  async function everyLayer(op: TieredCacheOperation, key: string | undefined, run: (layer: CacheLayer) => Promise<void>): Promise<void> {
    await Promise.all(
      layers.map(async (layer) => {
        const result = await attempt(layer, op, key, () => run(layer));
        if (result.ok) emit(layer.name, op, 'ok', key);
      }),
    );
  }

  async function getOrCompute(key: string, compute: () => Promise<string>, callOptions?: number | GetOrComputeOptions): Promise<ComputedValue> {
    const settings = typeof callOptions === 'number' ? { ttlMs: callOptions } : (callOptions ?? {});
    const running = inFlight.get(key);
    if (running !== undefined) {
      counters.joined += 1;
      return running;
    }
    const flight = (async (): Promise<ComputedValue> => {
      const hit = await get(key);
      if (hit !== undefined) return { value: hit.value, source: hit.layer };
      const computeAndStore = async (): Promise<ComputedValue> => {
        counters.computes += 1;
        const value = await compute();
        if (settings.shouldStore === undefined || settings.shouldStore(value)) await set(key, value, settings.ttlMs);
        return { value, source: 'compute' };
      };
      if (lock === undefined) return computeAndStore();
      return computeWithLock({
        key,
        lock,
        lockTtlMs,
        waitMs: options.lockWaitMs ?? lockTtlMs,
        pollMinMs: options.pollMinMs ?? 10,
        pollMaxMs: options.pollMaxMs ?? 200,
        read: async () => {
          const found = await get(key);
          return found === undefined ? undefined : { value: found.value, source: found.layer };
        },
        computeAndStore,
        onWait: () => {
          counters.lockWaits += 1;
          emit('lock', 'wait', 'ok', key);
        },
        onLockError: (op, error) => recordError('lock', op, error, key),
        onLockSuccess: (op) => {
          recordSuccess('lock');
          emit('lock', op, 'ok', key);
        },
      });
    })();
    inFlight.set(key, flight);
    try {
      return await flight;
    } finally {
      inFlight.delete(key);
    }
  }

  return {
    layerNames: names,
    get,
    set,
    async delete(key) {
      listen();
      await everyLayer('delete', key, (layer) => layer.delete(key));
      await broadcast({ type: 'delete', key });
    },
    async clear(namespace) {
      listen();
      await everyLayer('clear', undefined, (layer) => layer.clear(namespace));
      await broadcast(namespace === undefined ? { type: 'clear' } : { type: 'clear', namespace });
    },
    async prune() {
      const counts: Partial<Record<CacheLayerName, number>> = {};
      for (const layer of layers) {
        if (layer.prune === undefined) continue;
        const prune = layer.prune.bind(layer);
        const result = await attempt(layer, 'prune', undefined, prune);
        if (result.ok) {
          counts[layer.name] = result.value;
          emit(layer.name, 'prune', 'ok');
        }
      }
      return counts;
    },
    getOrCompute,
    stats() {
      const perLayer: Partial<Record<CacheLayerName, CacheLayerStats>> = {};
      for (const [name, stats] of layerStats) perLayer[name] = { ...stats };
      return { layers: perLayer, ...counters };
    },
    async usage() {
      const result: Partial<Record<CacheLayerName, LayerUsage>> = {};
      await Promise.all(
        layers.map(async (layer) => {
          if (layer.usage === undefined) return;
          const usage = await attempt(layer, 'usage', undefined, layer.usage.bind(layer));
          if (usage.ok) result[layer.name] = usage.value;
        }),
      );
      return result;
    },
    async close() {
      await options.invalidation?.close().catch(() => undefined);
      await Promise.all(layers.map((layer) => layer.close().catch(() => undefined)));
    },
  };
}
