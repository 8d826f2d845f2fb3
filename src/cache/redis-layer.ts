import { namespaceOf, type CacheLayer } from './cache-layer.js';
import { createRedisOpener, type RedisLike } from './redis-like.js';

/** Options for {@link createRedisLayer}. */
export interface RedisLayerOptions {
  client: RedisLike;
  /** Prefix of every key this layer writes. Default `switchyard:cache:`. */
  prefix?: string;
  /** Whether `close()` closes the client too. Default false (the client may be shared). */
  ownsClient?: boolean;
  /** How long the first call waits for the connection to open. Default 1000 ms. */
  connectWaitMs?: number;
}

const SCAN_COUNT = 500;

function escapeGlob(text: string): string {
  return text.replace(/[*?[\]\\]/g, '\\$&');
}

/**
 * The L2 layer: Redis, shared by every Switchyard process. TTL via `PX`, so
 * Redis expires entries itself (no prune). Values are stored as strings under
 * `prefix + key`. No per-command timers: a disconnected client fails fast.
 */
export function createRedisLayer(options: RedisLayerOptions): CacheLayer {
  const { client } = options;
  const prefix = options.prefix ?? 'switchyard:cache:';
  const open = createRedisOpener(client, options.connectWaitMs);

  async function unlinkMatching(pattern: string, keep?: (key: string) => boolean): Promise<void> {
    await open();
    for await (const batch of client.scanIterator({ MATCH: pattern, COUNT: SCAN_COUNT })) {
      const keys = (batch as string[]).filter((fullKey) => keep === undefined || keep(fullKey.slice(prefix.length)));
      if (keys.length > 0) await client.del(keys);
    }
  }

  return {
    name: 'redis',
    async get(key) {
      await open();
      const fullKey = prefix + key;
      const [value, ttl] = await Promise.all([client.get(fullKey), client.pTTL(fullKey)]);
      if (typeof value !== 'string') return undefined;
      const remaining = Number(ttl);
      // -1: no expiry (written by someone else); -2: gone between the two reads.
      if (remaining === -2) return undefined;
      return { value, expiresAt: remaining === -1 ? Number.MAX_SAFE_INTEGER : Date.now() + remaining };
    },
    async set(key, value, ttlMs) {
      await open();
      if (ttlMs <= 0) {
        await client.del(prefix + key);
        return;
      }
      await client.set(prefix + key, value, { expiration: { type: 'PX', value: Math.ceil(ttlMs) } });
    },
    async delete(key) {
      await open();
      await client.del(prefix + key);
    },
    async clear(namespace) {
      if (namespace === undefined) return unlinkMatching(`${escapeGlob(prefix)}*`);
      await unlinkMatching(`${escapeGlob(prefix)}${escapeGlob(namespace)}:*`);
      // Keys without a `namespace:` part belong to `default`.
      if (namespace === 'default') await unlinkMatching(`${escapeGlob(prefix)}*`, (key) => namespaceOf(key) === 'default');
    },
    async usage() {
      // SCAN walks the key space in steps; meant for the CLI and the dashboard, not the hot path.
      await open();
      let entries = 0;
      for await (const batch of client.scanIterator({ MATCH: `${escapeGlob(prefix)}*`, COUNT: SCAN_COUNT })) entries += (batch as string[]).length;
      return { entries, bytes: null };
    },
    async close() {
      if (options.ownsClient === true && client.isOpen) await client.close();
    },
  };
}
