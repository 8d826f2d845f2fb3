import type { CacheLayer } from '../cache/cache-layer.js';
import type { Tracker } from '../observability/tracker.js';

/**
 * Wraps a cache layer so every access is one tracked `cache` operation:
 * timed, counted per layer (hits, misses, writes, errors), logged, traced and
 * emitted as a `cache` event. Errors still reach the tiered cache, which
 * degrades past the layer.
 */
export function createTrackedLayer(layer: CacheLayer, tracker: Tracker): CacheLayer {
  const name = layer.name;
  return {
    name,
    get: (key) => tracker.track('cache', { layer: name, operation: 'get' }, () => layer.get(key)),
    set: (key, value, ttlMs) => tracker.track('cache', { layer: name, operation: 'set' }, () => layer.set(key, value, ttlMs)),
    delete: (key) => tracker.track('cache', { layer: name, operation: 'delete' }, () => layer.delete(key)),
    clear: (namespace) => tracker.track('cache', { layer: name, operation: 'clear' }, () => layer.clear(namespace)),
    ...(layer.prune ? { prune: () => tracker.track('cache', { layer: name, operation: 'prune' }, () => layer.prune!()) } : {}),
    ...(layer.usage ? { usage: () => layer.usage!() } : {}),
    close: () => layer.close(),
  };
}
