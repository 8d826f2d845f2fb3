import { SwitchyardError } from '../spec/errors.js';

/** What `onRetry` learns before each wait. `attempt` is the 1-based attempt that just failed. */
export interface RetryInfo {
  attempt: number;
  delayMs: number;
  error: SwitchyardError;
}

/** Options for `withRetry`. */
export interface RetryOptions {
  /** Retries after the first attempt; total attempts = maxRetries + 1. */
  maxRetries: number;
  /** First backoff ceiling; doubles per retry. Default 500. */
  baseDelayMs?: number;
  /** Upper bound of any wait, including a server-advised one. Default 30000. */
  maxDelayMs?: number;
  /** Stops the loop (and any wait) at once with an `aborted` error. */
  signal?: AbortSignal;
  /** Called before each wait; for logs, metrics and events. */
  onRetry?: (info: RetryInfo) => void;
  /** The wait; injectable for tests. Default: an abortable timer. */
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  /** Source of jitter in [0, 1); injectable for tests. Default Math.random. */
  random?: () => number;
  /**
   * `performance.now()` by which the whole call must be done. A wait that
   * would end after it is not taken: the error is thrown at once (a 429 with
   * `retry-after: 3600` reaches the caller with its advice, instead of the
   * call sleeping until its deadline).
   */
  deadline?: number;
}

const DEFAULT_BASE_DELAY_MS = 500;
const DEFAULT_MAX_DELAY_MS = 30_000;

/**
 * True for statuses worth retrying: 408 (timeout), 409 (conflict/lock),
 * 429 (rate limit) and every 5xx. Never 400, 401, 403, 404 or 413.
 */
export function isRetryableStatus(status: number): boolean {
  return status === 408 || status === 409 || status === 429 || status >= 500;
}

/**
 * Runs `run(attempt)` (attempt is 1-based) and retries it while it throws a
 * SwitchyardError with `isRetryable` true, up to `maxRetries` times. The wait
 * is exponential backoff with full jitter (uniform in 0..min(max, base·2^n)),
 * except that a server-advised `retryAfterMs` is used as the wait, capped by
 * `maxDelayMs`. A wait that would pass `deadline` is not taken: the error is
 * thrown at once, its advice intact. Other errors
 * are rethrown as they are. An abort of `signal` ends a wait at once with a
 * SwitchyardError `aborted`.
 */
export async function withRetry<T>(run: (attempt: number) => Promise<T>, options: RetryOptions): Promise<T> {
  const baseDelayMs = options.baseDelayMs ?? DEFAULT_BASE_DELAY_MS;
  const maxDelayMs = options.maxDelayMs ?? DEFAULT_MAX_DELAY_MS;
  const maxRetries = Number.isFinite(options.maxRetries) ? Math.max(0, Math.floor(options.maxRetries)) : 0;
  const sleep = options.sleep ?? abortableSleep;
  const random = options.random ?? Math.random;

  for (let attempt = 1; ; attempt += 1) {
    throwIfAborted(options.signal);
    try {
      return await run(attempt);
    } catch (error) {
      if (!SwitchyardError.is(error) || !error.isRetryable || attempt > maxRetries) throw error;
      if (options.signal?.aborted) throw abortedError(options.signal);
      const delayMs = retryDelay(error, attempt, baseDelayMs, maxDelayMs, random);
      if (options.deadline !== undefined && performance.now() + delayMs >= options.deadline) throw error;
      options.onRetry?.({ attempt, delayMs, error });
      await raceAbort(sleep(delayMs, options.signal), options.signal);
    }
  }
}

/** The wait before the retry that follows failed attempt `attempt` (1-based). */
function retryDelay(
  error: SwitchyardError,
  attempt: number,
  baseDelayMs: number,
  maxDelayMs: number,
  random: () => number,
): number {
  if (error.retryAfterMs !== undefined && error.retryAfterMs >= 0) {
    return Math.min(error.retryAfterMs, maxDelayMs);
  }
  const ceiling = Math.min(maxDelayMs, baseDelayMs * 2 ** (attempt - 1));
  return Math.floor(random() * ceiling);
}

/**
 * A timer that resolves after `ms`, or rejects as soon as `signal` aborts. The
 * timer keeps the process alive: a call waiting to retry is work in progress.
 */
export function abortableSleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(abortedError(signal));
      return;
    }
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(abortedError(signal!));
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/** Settles with `promise`, or rejects `aborted` the moment `signal` aborts (even if a custom sleep ignores it). */
function raceAbort(promise: Promise<void>, signal?: AbortSignal): Promise<void> {
  if (!signal) return promise;
  if (signal.aborted) {
    promise.catch(() => undefined); // the sleep may reject too; that outcome is already decided
    return Promise.reject(abortedError(signal));
  }
  return new Promise((resolve, reject) => {
    const onAbort = (): void => reject(abortedError(signal));
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      () => {
        signal.removeEventListener('abort', onAbort);
        resolve();
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(signal.aborted && !SwitchyardError.is(error) ? abortedError(signal, error) : error);
      },
    );
  });
}

function throwIfAborted(signal?: AbortSignal): void {
  if (signal?.aborted) throw abortedError(signal);
}

function abortedError(signal: AbortSignal, cause: unknown = signal.reason): SwitchyardError {
  return new SwitchyardError({ code: 'aborted', message: 'The request was aborted', cause });
}
