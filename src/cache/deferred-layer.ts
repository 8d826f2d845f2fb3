import type { CacheLayer, CacheLayerName } from './cache-layer.js';

/**
 * A layer opened on first use, e.g. the SQL layer, which needs its migrations
 * to have run. A failed open is retried on the next call (and counts as that
 * call's layer error in the tiered cache).
 */
export function createDeferredLayer(name: CacheLayerName, open: () => Promise<CacheLayer>): CacheLayer {
  let opening: Promise<CacheLayer> | undefined;
  const layer = (): Promise<CacheLayer> =>
    (opening ??= open().catch((error: unknown) => {
      opening = undefined;
      throw error;
    }));
  return {
    name,
    get: async (key) => (await layer()).get(key),
    set: async (key, value, ttlMs) => (await layer()).set(key, value, ttlMs),
    delete: async (key) => (await layer()).delete(key),
    clear: async (namespace) => (await layer()).clear(namespace),
    prune: async () => (await (await layer()).prune?.()) ?? 0,
    usage: async () => {
      const opened = await layer();
      return opened.usage === undefined ? { entries: 0, bytes: null } : opened.usage();
    },
    async close() {
      const opened = await opening?.catch(() => undefined);
      opening = undefined;
      await opened?.close();
    },
  };
}
