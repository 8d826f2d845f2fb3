import { withCoarseTimeout } from '../core/coarse-timeout.js';
import { SwitchyardError } from '../spec/errors.js';
import type { CacheLayer } from './cache-layer.js';
import type { DistributedLock } from './redis-lock.js';

/**
 * Settles like `operation`, or rejects after `timeoutMs`: a cache server that
 * stops answering (rather than refusing) must cost a call this long at most,
 * never hang it.
 */
export function withTimeout<T>(operation: Promise<T>, timeoutMs: number, what: string): Promise<T> {
  return withCoarseTimeout(operation, timeoutMs, () => new SwitchyardError({ code: 'request_timeout', message: `${what} did not answer within ${timeoutMs} ms` }));
}

/** The same bound on every operation of a distributed lock. */
export function createLockWithTimeouts(lock: DistributedLock, timeoutMs: number): DistributedLock {
  return {
    acquire: (key, ttlMs) => withTimeout(lock.acquire(key, ttlMs), timeoutMs, 'cache lock acquire'),
    release: (key, token) => withTimeout(lock.release(key, token), timeoutMs, 'cache lock release'),
    isLocked: (key) => withTimeout(lock.isLocked(key), timeoutMs, 'cache lock check'),
  };
}

/**
 * A layer whose every operation gives up after `timeoutMs` (see withTimeout):
 * wrap the shared layers (Redis, SQL) with it, under any tracking, so that a
 * timeout is counted as that layer's error.
 */
export function createTimedLayer(layer: CacheLayer, timeoutMs: number): CacheLayer {
  const what = (operation: string) => `cache layer ${layer.name} ${operation}`;
  return {
    name: layer.name,
    get: (key) => withTimeout(layer.get(key), timeoutMs, what('get')),
    set: (key, value, ttlMs) => withTimeout(layer.set(key, value, ttlMs), timeoutMs, what('set')),
    delete: (key) => withTimeout(layer.delete(key), timeoutMs, what('delete')),
    clear: (namespace) => withTimeout(layer.clear(namespace), timeoutMs, what('clear')),
    ...(layer.prune ? { prune: () => layer.prune!() } : {}),
    ...(layer.usage ? { usage: () => layer.usage!() } : {}),
    close: () => layer.close(),
  };
}
