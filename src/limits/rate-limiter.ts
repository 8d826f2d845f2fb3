import { withCoarseTimeout } from '../core/coarse-timeout.js';
import type { AdmitResult, LimitBackend, LimitSubject, Settlement } from './limit-types.js';

/** Where an admission was counted, so it is settled in the same place. */
export type LimitStore = 'redis' | 'memory';

/** A decision plus where it was counted. */
export interface Admitted extends AdmitResult {
  store: LimitStore;
}

/** Limits shared through Redis, falling back to this process while Redis is unreachable. */
export interface RateLimiter {
  admit(subjects: readonly LimitSubject[], tokens: number, leaseId: string): Promise<Admitted>;
  /** Releases the lease, settles tokens and adds the cost to the budgets; never throws. */
  settle(store: LimitStore, subjects: readonly LimitSubject[], settlement: Settlement): Promise<void>;
  /** True while decisions are made in process although Redis is configured. */
  readonly degraded: boolean;
}

/** Options of {@link createRateLimiter}. */
export interface RateLimiterOptions {
  memory: LimitBackend;
  /** Absent without Redis: limits are then this process's own, with no warning. */
  redis?: LimitBackend;
  /** Longest wait for a Redis that does not answer (a closed connection fails at once). Default 1000 ms. */
  redisTimeoutMs?: number;
  /** Each decision made in process because Redis failed (count it). */
  onFallback?: (error: unknown, firstOfOutage: boolean) => void;
  /** Redis answered again after an outage. */
  onRecovered?: () => void;
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  return withCoarseTimeout(promise, ms, () => new Error(`redis did not answer within ${ms} ms`));
}

/**
 * Creates the rate limiter. Each admission is one Redis script call; when it
 * fails or times out the decision is made in process (warned about once per
 * outage, counted every time), and the next admission tries Redis again, so
 * shared limits apply as soon as Redis is back. While degraded each instance
 * enforces the full limits on its own.
 */
export function createRateLimiter(options: RateLimiterOptions): RateLimiter {
  const timeoutMs = options.redisTimeoutMs ?? 1_000;
  let degraded = false;
  return {
    get degraded() {
      return degraded;
    },
    async admit(subjects, tokens, leaseId) {
      if (options.redis) {
        try {
          // Redis decides on its own clock, when the script runs: never a time taken here, before the round trip.
          const result = await withTimeout(options.redis.admit(subjects, tokens, leaseId), timeoutMs);
          if (degraded) {
            degraded = false;
            options.onRecovered?.();
          }
          return { ...result, store: 'redis' };
        } catch (error) {
          const first = !degraded;
          degraded = true;
          options.onFallback?.(error, first);
        }
      }
      return { ...(await options.memory.admit(subjects, tokens, leaseId)), store: 'memory' };
    },
    async settle(store, subjects, settlement) {
      if (store === 'memory' || !options.redis) return options.memory.settle(subjects, settlement);
      // A settlement Redis misses leaves the lease to expire and the reservation to leave the window.
      await withTimeout(options.redis.settle(subjects, settlement), timeoutMs).catch(() => undefined);
    },
  };
}
