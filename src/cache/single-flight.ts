import type { TieredCacheOperation } from './cache-events.js';
import type { DistributedLock } from './redis-lock.js';
import type { ComputedValue } from './tiered-cache.js';

/** What {@link computeWithLock} needs from the tiered cache. */
export interface LockedComputeOptions {
  key: string;
  lock: DistributedLock;
  lockTtlMs: number;
  /** Longest wait for another holder before computing anyway. */
  waitMs: number;
  pollMinMs: number;
  pollMaxMs: number;
  /** Reads the key through the cache layers. */
  read: () => Promise<ComputedValue | undefined>;
  computeAndStore: () => Promise<ComputedValue>;
  onWait: () => void;
  onLockError: (op: TieredCacheOperation, error: unknown) => void;
  onLockSuccess: (op: TieredCacheOperation) => void;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * Cross-process single flight. The first process to take the lock computes
 * and stores; the others poll the cache (backoff from `pollMinMs` doubling to
 * `pollMaxMs`) until the value appears. If the lock frees up without a value
 * (the holder failed, or died and the lock expired) a waiter takes it and
 * computes. A lock failure (Redis down) means computing without it.
 */
export async function computeWithLock(options: LockedComputeOptions): Promise<ComputedValue> {
  const deadline = Date.now() + options.waitMs;
  let waited = false;
  for (;;) {
    let token: string | undefined;
    try {
      token = await options.lock.acquire(options.key, options.lockTtlMs);
      options.onLockSuccess('acquire');
    } catch (error) {
      options.onLockError('acquire', error);
      return options.computeAndStore();
    }

    if (token !== undefined) {
      try {
        // Another process may have stored the value and released between our miss and our lock.
        const found = await options.read();
        if (found !== undefined) return found;
        return await options.computeAndStore();
      } finally {
        await options.lock.release(options.key, token).then(
          () => options.onLockSuccess('release'),
          (error: unknown) => options.onLockError('release', error),
        );
      }
    }

    if (!waited) options.onWait();
    waited = true;
    let delay = options.pollMinMs;
    for (;;) {
      if (Date.now() >= deadline) return options.computeAndStore();
      await sleep(delay);
      delay = Math.min(delay * 2, options.pollMaxMs);
      const found = await options.read();
      if (found !== undefined) return found;
      let locked: boolean;
      try {
        locked = await options.lock.isLocked(options.key);
      } catch (error) {
        options.onLockError('wait', error);
        return options.computeAndStore();
      }
      if (!locked) break;
    }
  }
}
