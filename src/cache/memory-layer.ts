import { LRUCache } from 'lru-cache';
import { entryBytes, namespaceOf, type CacheHit, type CacheLayer } from './cache-layer.js';

/** Options for {@link createMemoryLayer}. */
export interface MemoryLayerOptions {
  /** Total bytes (keys plus values, UTF-8) kept before the least recently used entries go. Default 64 MiB. */
  maxBytes?: number;
  /** Clock for expiry, for tests. Default `Date.now`. */
  now?: () => number;
}

/**
 * The L1 layer: an in-process LRU bounded by bytes, each entry with its own
 * TTL. Expired entries are dropped when read (lru-cache starts no timers).
 */
export function createMemoryLayer(options: MemoryLayerOptions = {}): CacheLayer {
  const now = options.now ?? Date.now;
  const lru = new LRUCache<string, CacheHit>({
    maxSize: options.maxBytes ?? 64 * 1024 * 1024,
    sizeCalculation: (entry, key) => Math.max(1, entryBytes(key, entry.value)),
  });

  return {
    name: 'memory',
    async get(key) {
      const entry = lru.get(key);
      if (entry === undefined) return undefined;
      if (entry.expiresAt <= now()) {
        lru.delete(key);
        return undefined;
      }
      return entry;
    },
    async set(key, value, ttlMs) {
      if (ttlMs <= 0) {
        lru.delete(key);
        return;
      }
      lru.set(key, { value, expiresAt: now() + ttlMs });
    },
    async delete(key) {
      lru.delete(key);
    },
    async clear(namespace) {
      if (namespace === undefined) {
        lru.clear();
        return;
      }
      for (const key of [...lru.keys()]) {
        if (namespaceOf(key) === namespace) lru.delete(key);
      }
    },
    async prune() {
      const limit = now();
      let removed = 0;
      for (const [key, entry] of [...lru.entries()]) {
        if (entry.expiresAt <= limit) {
          lru.delete(key);
          removed += 1;
        }
      }
      return removed;
    },
    async usage() {
      return { entries: lru.size, bytes: lru.calculatedSize };
    },
    async close() {
      lru.clear();
    },
  };
}
