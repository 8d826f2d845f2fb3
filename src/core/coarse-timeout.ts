/*
 * Time limits on calls to shared services (Redis), watched by one ticker for
 * every pending call. A timer and a Promise.race per call cost more than the
 * call itself on the hot path (two of them on every rate-limited request);
 * here a call adds one entry to a set, and a call that times out is rejected
 * at most one tick (TICK_MS) after its limit.
 */

const TICK_MS = 50;

interface Waiter {
  dueTick: number;
  expire(): void;
}

const waiters = new Set<Waiter>();
let tick = 0;
let ticker: NodeJS.Timeout | undefined;

function onTick(): void {
  tick += 1;
  for (const waiter of waiters) {
    if (waiter.dueTick > tick) continue;
    waiters.delete(waiter);
    waiter.expire();
  }
  if (waiters.size === 0) {
    clearInterval(ticker);
    ticker = undefined;
  }
}

/**
 * Settles like `operation`, or rejects with `timeoutError()` once `timeoutMs`
 * has passed (never sooner, at most TICK_MS later). The ticker is unref'd and
 * stops while nothing waits.
 */
export function withCoarseTimeout<T>(operation: Promise<T>, timeoutMs: number, timeoutError: () => Error): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    // One tick more than the limit: the next tick may come at once.
    const waiter: Waiter = { dueTick: tick + Math.ceil(timeoutMs / TICK_MS) + 1, expire: () => reject(timeoutError()) };
    waiters.add(waiter);
    if (ticker === undefined) {
      ticker = setInterval(onTick, TICK_MS);
      ticker.unref();
    }
    operation.then(
      (value) => {
        waiters.delete(waiter);
        resolve(value);
      },
      (error: unknown) => {
        waiters.delete(waiter);
        reject(error);
      },
    );
  });
}
