import { LRUCache } from 'lru-cache';
import type { GatewayKey } from '../config/load.js';
import type { Database } from '../store/database.js';
import type { GatewayIdentity } from './key-policy.js';
import { hashKey } from './key-secret.js';
import { findKeyByHash, hasStoredKeys, identityOfRow, keysChangedSince } from './key-store.js';

/** Finds who a presented key belongs to: static keys first, then the database through an in-process cache. */
export interface KeyDirectory {
  /** True when static keys are configured or the database holds keys: requests then need one. */
  readonly required: boolean;
  /** Waits for the first look at the database (whether it holds keys); never throws. */
  ready(): Promise<void>;
  /** The identity of a key, or undefined for an unknown, revoked or expired one. */
  identify(key: string): Promise<GatewayIdentity | undefined>;
  /**
   * What `identify` would answer, when it is known without a database query
   * (a static key, or a key looked up before): `{ identity }`; undefined when
   * only `identify` can tell. The hot path of every request.
   */
  identifyCached(key: string): { identity: GatewayIdentity | undefined } | undefined;
  /** Polls now (after a revocation made by this instance). */
  refresh(): Promise<void>;
  /** Stops polling. */
  close(): void;
}

/** Options of {@link createKeyDirectory}. */
export interface KeyDirectoryOptions {
  /** Static `SWITCHYARD_API_KEYS` (they have no limits of their own; their tenant's apply). */
  staticKeys: readonly GatewayKey[];
  /** The database, opened on first use. */
  database: () => Promise<Database>;
  /** How often each instance asks the database what changed (revocations, new keys). Default 500 ms. */
  refreshMs?: number;
  /** Cached lookups (hits and misses). Default 10,000. */
  maxEntries?: number;
  /** Called when the database cannot be read. */
  onError?: (error: unknown) => void;
}

/** Rows changed this long before the last poll are read again: a lookup racing a revocation cannot keep a stale entry. */
const POLL_OVERLAP_MS = 2_000;

/** Cache entries: an identity, or `null` for a key the database does not hold (or no longer grants). */
type Entry = { identity: GatewayIdentity | null; expiresAt: number | null };

/**
 * Creates the key directory. Database keys are looked up by their SHA-256
 * hash once, then served from an LRU cache, so a request does not query SQL.
 * Every `refreshMs` (one indexed query) each instance reads the rows changed
 * since its last poll and updates its cache: a revoked key is refused on
 * every instance within `refreshMs` plus one query, with or without Redis,
 * and a key created by another instance or by `switchyard keys create` works
 * at once (a miss is looked up, a cached miss is replaced by the poll).
 */
export function createKeyDirectory(options: KeyDirectoryOptions): KeyDirectory {
  const refreshMs = options.refreshMs ?? 500;
  const staticByHash = new Map<string, GatewayIdentity>();
  for (const entry of options.staticKeys) {
    const hash = hashKey(entry.key);
    staticByHash.set(hash, { keyId: `static_${hash.slice(0, 12)}`, keyName: 'static', tenant: entry.tenant, models: [], limits: {} });
  }
  const maxEntries = options.maxEntries ?? 10_000;
  const cache = new LRUCache<string, Entry>({ max: maxEntries });
  // A key presented again is not hashed again (SHA-256 on every request was 1.3 % of the gateway's CPU).
  const hashes = new Map<string, string>();
  const hashOf = (key: string): string => {
    let hash = hashes.get(key);
    if (hash === undefined) {
      hash = hashKey(key);
      if (hashes.size >= maxEntries) hashes.clear();
      hashes.set(key, hash);
    }
    return hash;
  };
  const usable = (entry: Entry): GatewayIdentity | undefined =>
    entry.identity && entry.expiresAt !== null && entry.expiresAt <= Date.now() ? undefined : (entry.identity ?? undefined);
  let databaseHasKeys: boolean | undefined;
  let polledAt = 0;
  let timer: NodeJS.Timeout | undefined;
  let polling: Promise<void> | undefined;

  function remember(hash: string, row: Parameters<typeof identityOfRow>[0] | undefined): Entry {
    const entry: Entry = { identity: (row && identityOfRow(row)) ?? null, expiresAt: row?.expires_at ?? null };
    cache.set(hash, entry);
    return entry;
  }

  async function poll(): Promise<void> {
    const startedAt = Date.now();
    try {
      const { db } = await options.database();
      if (databaseHasKeys !== true) databaseHasKeys = await hasStoredKeys(db);
      const rows = await keysChangedSince(db, polledAt - POLL_OVERLAP_MS);
      for (const row of rows) if (cache.has(row.key_hash)) remember(row.key_hash, row);
      polledAt = startedAt;
    } catch (error) {
      options.onError?.(error);
    }
  }

  const first = poll();
  const refresh = (): Promise<void> => (polling ??= poll().finally(() => (polling = undefined)));
  timer = setInterval(() => void refresh(), refreshMs);
  timer.unref();

  return {
    get required() {
      // Unknown (the database never answered): fail closed.
      return staticByHash.size > 0 || databaseHasKeys !== false;
    },
    ready: () => first,
    refresh,
    async identify(key) {
      const hash = hashOf(key);
      const fixed = staticByHash.get(hash);
      if (fixed) return fixed;
      let entry = cache.get(hash);
      if (entry === undefined) {
        const { db } = await options.database();
        entry = remember(hash, await findKeyByHash(db, hash));
        if (entry.identity) databaseHasKeys = true;
      }
      return usable(entry);
    },
    identifyCached(key) {
      const hash = hashOf(key);
      const fixed = staticByHash.get(hash);
      if (fixed) return { identity: fixed };
      const entry = cache.get(hash);
      return entry === undefined ? undefined : { identity: usable(entry) };
    },
    close() {
      if (timer) clearInterval(timer);
      timer = undefined;
    },
  };
}
