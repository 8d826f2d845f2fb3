import type { Kysely } from 'kysely';
import type { CacheLogger } from '../cache/cache-events.js';
import type { DistributedLock } from '../cache/redis-lock.js';
import { computeWithLock } from '../cache/single-flight.js';
import type { TieredCache } from '../cache/tiered-cache.js';
import { parseJson } from '../core/safe-json.js';
import type { DriverModel } from '../spec/driver.js';
import type { ModelInfo } from '../spec/response.js';
import type { DatabaseSchema } from '../store/database-schema.js';
import { listStoredModels, syncProviderModels, type SyncCounts } from './catalog-store.js';
import { findKnownModel } from './known-models.js';

/** Options for {@link createModelCatalog}. */
export interface ModelCatalogOptions {
  /** Where model lists are cached (namespace `catalog`). */
  cache: TieredCache;
  /** A migrated database; refreshes write `provider_models`. */
  db: Kysely<DatabaseSchema>;
  /** Asks a provider for its models (the client passes the driver's `listModels`). */
  listFromProvider: (provider: string, signal?: AbortSignal) => Promise<DriverModel[]>;
  /** A list younger than this is served as is. Default 12 hours. */
  freshMs?: number;
  /** A list is kept (and served stale while one refresh runs) this long. Default 24 hours. */
  keepMs?: number;
  /**
   * A lock shared by every instance (createRedisLock): with it, one refresh
   * per provider runs at a time across the fleet, and the other instances
   * wait for its list instead of asking the provider too.
   */
  lease?: DistributedLock;
  /** How long a refresh holds the lease at most (a holder that dies frees it then). Default 60 s. */
  leaseTtlMs?: number;
  /** Clock, for tests. Default `Date.now`. */
  now?: () => number;
  logger?: CacheLogger;
}

/** Options for `models()`. */
export interface ModelsOptions {
  provider: string;
  /** Skip the cache and ask the provider now. */
  refresh?: boolean;
  signal?: AbortSignal;
}

/** The result of `sync()`: the counts plus how many models the provider listed. */
export interface SyncResult extends SyncCounts {
  provider: string;
  listed: number;
  dryRun: boolean;
}

/** The model catalog: provider lists cached, persisted in SQL and enriched with bundled prices. */
export interface ModelCatalog {
  /**
   * A provider's models. Served from the cache while fresh (12 h); when stale
   * but kept (24 h) the old list is returned at once and one background
   * refresh runs; otherwise (or with `refresh`) the provider is asked now.
   */
  models(options: ModelsOptions): Promise<ModelInfo[]>;
  /** Lists the provider and writes `provider_models` (nothing with `dryRun`), returning the counts. */
  sync(options: { provider: string; dryRun?: boolean; signal?: AbortSignal }): Promise<SyncResult>;
  /** Resolves when no background refresh is running. */
  idle(): Promise<void>;
  /** Refreshes started so far (foreground and background), for tests and stats. */
  refreshCount(): number;
  /** Aborts background refreshes and waits for them. */
  close(): Promise<void>;
}

interface CachedList {
  fetchedAt: number;
  models: ModelInfo[];
}

/** The cache key of one provider's list. */
export function catalogCacheKey(provider: string): string {
  return `catalog:${provider}`;
}

/** A listed model with the bundled catalog's name, context length, capabilities and prices. */
export function enrichModel(provider: string, model: DriverModel): ModelInfo {
  const known = findKnownModel(provider, model.modelId);
  return {
    id: `${provider}/${model.modelId}`,
    provider,
    modelId: model.modelId,
    name: model.name ?? known?.name ?? model.modelId,
    contextLength: model.contextLength ?? known?.contextLength ?? null,
    capabilities: known?.capabilities ?? [],
    inputPricePerMillion: known?.inputPricePerMillion ?? null,
    outputPricePerMillion: known?.outputPricePerMillion ?? null,
    ...(model.ownedBy !== undefined ? { ownedBy: model.ownedBy } : {}),
    ...(model.createdAt !== undefined ? { createdAt: model.createdAt } : {}),
  };
}

function parseCachedList(text: string): CachedList | undefined {
  try {
    const value = parseJson(text, 'cached model list') as CachedList;
    return typeof value === 'object' && value !== null && typeof value.fetchedAt === 'number' && Array.isArray(value.models) ? value : undefined;
  } catch {
    return undefined;
  }
}

/** Creates a {@link ModelCatalog}. Starts nothing until first use. */
export function createModelCatalog(options: ModelCatalogOptions): ModelCatalog {
  const { cache, db } = options;
  const now = options.now ?? Date.now;
  const freshMs = options.freshMs ?? 12 * 60 * 60 * 1000;
  const keepMs = options.keepMs ?? 24 * 60 * 60 * 1000;
  const running = new Map<string, Promise<ModelInfo[]>>();
  const background = new Set<Promise<unknown>>();
  const closing = new AbortController();
  let refreshes = 0;

  function warn(details: Record<string, unknown>, message: string): void {
    options.logger?.warn(details, message);
  }

  async function fetchList(provider: string, signal?: AbortSignal): Promise<ModelInfo[]> {
    const listed = await options.listFromProvider(provider, signal);
    return listed.map((model) => enrichModel(provider, model));
  }

  /** Replaces the cached list; `broadcast` invalidates other processes' in-memory copies. */
  async function store(provider: string, models: ModelInfo[]): Promise<void> {
    await cache.set(catalogCacheKey(provider), JSON.stringify({ fetchedAt: now(), models } satisfies CachedList), keepMs, { broadcast: true });
  }

  /** Lists the provider, writes `provider_models` and the cache. */
  async function refreshNow(provider: string, signal?: AbortSignal): Promise<ModelInfo[]> {
    refreshes += 1;
    const models = await fetchList(provider, signal);
    try {
      await syncProviderModels(db, provider, models, { now: now() });
    } catch (error) {
      warn({ provider, error: error instanceof Error ? error.message : String(error) }, 'model catalog: writing provider_models failed');
    }
    await store(provider, models);
    return models;
  }

  /**
   * Refreshes under the fleet-wide lease: the holder lists the provider; the
   * others wait until a list written after they asked appears in the cache
   * (or the lease frees without one, and one of them takes it). Without
   * Redis, or when it fails, the refresh runs here.
   */
  async function refreshUnderLease(provider: string, lease: DistributedLock, signal?: AbortSignal): Promise<ModelInfo[]> {
    const askedAt = now();
    const leaseTtlMs = options.leaseTtlMs ?? 60_000;
    let fresh: ModelInfo[] | undefined;
    const result = await computeWithLock({
      key: `catalog-refresh:${provider}`,
      lock: lease,
      lockTtlMs: leaseTtlMs,
      waitMs: leaseTtlMs,
      pollMinMs: 20,
      pollMaxMs: 250,
      read: async () => {
        // The shared layers only: this process's memory may still hold the list the holder replaced.
        const hit = await cache.get(catalogCacheKey(provider), { sharedOnly: true });
        const cached = hit === undefined ? undefined : parseCachedList(hit.value);
        return cached !== undefined && cached.fetchedAt >= askedAt ? { value: hit!.value, source: hit!.layer } : undefined;
      },
      computeAndStore: async () => {
        fresh = await refreshNow(provider, signal);
        return { value: '', source: 'compute' };
      },
      onWait: () => {},
      onLockError: (op, error) => warn({ provider, op, error: error instanceof Error ? error.message : String(error) }, 'model catalog: the refresh lease failed; refreshing here'),
      onLockSuccess: () => {},
    });
    return fresh ?? parseCachedList(result.value)?.models ?? refreshNow(provider, signal);
  }

  /** One refresh per provider at a time in this process (callers join a running one), and with a lease across the fleet. */
  function refresh(provider: string, signal?: AbortSignal): Promise<ModelInfo[]> {
    const current = running.get(provider);
    if (current !== undefined) return current;
    const task = options.lease === undefined ? refreshNow(provider, signal) : refreshUnderLease(provider, options.lease, signal);
    running.set(provider, task);
    const cleanup = () => {
      if (running.get(provider) === task) running.delete(provider);
    };
    task.then(cleanup, cleanup);
    return task;
  }

  function refreshInBackground(provider: string): void {
    if (running.has(provider)) return;
    const task = refresh(provider, closing.signal).catch((error: unknown) => {
      warn({ provider, error: error instanceof Error ? error.message : String(error) }, 'model catalog: background refresh failed; serving the stale list');
    });
    background.add(task);
    void task.finally(() => background.delete(task));
  }

  async function refreshOrFallBack(provider: string, signal?: AbortSignal): Promise<ModelInfo[]> {
    try {
      return await refresh(provider, signal);
    } catch (error) {
      // The provider is unreachable: the last list written to SQL beats an error.
      const stored = await listStoredModels(db, provider).catch(() => []);
      if (stored.length > 0) {
        warn({ provider, error: error instanceof Error ? error.message : String(error) }, 'model catalog: provider list failed; serving the stored list');
        return stored;
      }
      throw error;
    }
  }

  return {
    async models({ provider, refresh: force, signal }) {
      if (force === true) return refresh(provider, signal);
      const hit = await cache.get(catalogCacheKey(provider));
      const cached = hit === undefined ? undefined : parseCachedList(hit.value);
      if (cached !== undefined) {
        const age = now() - cached.fetchedAt;
        if (age < freshMs) return cached.models;
        if (age < keepMs) {
          refreshInBackground(provider);
          return cached.models;
        }
      }
      return refreshOrFallBack(provider, signal);
    },
    async sync({ provider, dryRun = false, signal }) {
      const models = await fetchList(provider, signal);
      const counts = await syncProviderModels(db, provider, models, { dryRun, now: now() });
      if (!dryRun) await store(provider, models);
      return { provider, listed: models.length, dryRun, ...counts };
    },
    async idle() {
      while (background.size > 0) await Promise.allSettled([...background]);
    },
    refreshCount: () => refreshes,
    async close() {
      closing.abort();
      await Promise.allSettled([...background]);
    },
  };
}
