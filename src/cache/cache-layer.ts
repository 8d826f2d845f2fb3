import type { CacheLayerName } from '../spec/response.js';

export type { CacheLayerName };

/** A value found in a layer, with its absolute expiry (epoch ms). */
export interface CacheHit {
  value: string;
  expiresAt: number;
}

/**
 * One cache layer. Values are strings (callers store serialized JSON), so
 * every layer stores them as-is: no Buffer juggling, and the byte size is
 * `Buffer.byteLength(value)`. Keys are `namespace:rest`; the namespace (the
 * text before the first `:`) lets `clear(namespace)` drop one kind of entry.
 * Methods may throw (Redis down, database gone); the tiered cache turns that
 * into a miss plus an error count, never a failed call.
 */
export interface CacheLayer {
  readonly name: CacheLayerName;
  get(key: string): Promise<CacheHit | undefined>;
  /** Stores `value` for `ttlMs` milliseconds (> 0). */
  set(key: string, value: string, ttlMs: number): Promise<void>;
  delete(key: string): Promise<void>;
  /** Drops every entry, or only those of one namespace. */
  clear(namespace?: string): Promise<void>;
  /** Removes expired entries; returns how many. Absent when the store expires entries itself. */
  prune?(): Promise<number>;
  /** How much the layer holds now (for `switchyard cache stats` and the dashboard). */
  usage?(): Promise<LayerUsage>;
  close(): Promise<void>;
}

/** What a layer holds: entries, and their bytes when the store can tell cheaply (null for Redis). */
export interface LayerUsage {
  entries: number;
  bytes: number | null;
}

/** The namespace of a key: the text before the first `:`, or `default`. */
export function namespaceOf(key: string): string {
  const index = key.indexOf(':');
  return index > 0 ? key.slice(0, index) : 'default';
}

/** The size an entry is counted at: UTF-8 bytes of key and value. */
export function entryBytes(key: string, value: string): number {
  return Buffer.byteLength(key) + Buffer.byteLength(value);
}
