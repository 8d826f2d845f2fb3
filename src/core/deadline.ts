import { SwitchyardError } from '../spec/errors.js';

/** An overall time limit on one call: its signal, when it runs out, and how to report it. */
export interface Deadline {
  /** Aborts when the deadline passes or the caller's signal aborts. */
  readonly signal: AbortSignal;
  /** `performance.now()` at which the deadline passes. */
  readonly expiresAt: number;
  /** True once the deadline itself (not the caller) ended the call. */
  expired(): boolean;
  /** The error to throw for a failure: `request_timeout` (504) when the deadline ended the call, else the error as it is. */
  explain(error: unknown): unknown;
  /** Stops the timer (the call finished, or its stream is open and runs on under the idle body timeout); the caller's signal is still followed. */
  clear(): void;
}

/**
 * Starts a deadline of `timeoutMs` over a whole call (connection, headers,
 * body and every retry), following the caller's `signal` too. The timer is
 * unref'd and cleared by `clear()`.
 */
export function startDeadline(timeoutMs: number, what: { provider: string; signal?: AbortSignal }): Deadline {
  const controller = new AbortController();
  const expiresAt = performance.now() + timeoutMs;
  let timedOut = false;
  const onCallerAbort = (): void => controller.abort(what.signal!.reason);
  if (what.signal?.aborted) controller.abort(what.signal.reason);
  else what.signal?.addEventListener('abort', onCallerAbort, { once: true });
  const timer = setTimeout(() => {
    timedOut = true;
    controller.abort(new Error(`the ${timeoutMs} ms deadline passed`));
  }, timeoutMs);
  timer.unref();
  return {
    signal: controller.signal,
    expiresAt,
    expired: () => timedOut,
    explain(error) {
      if (!timedOut || what.signal?.aborted) return error;
      return new SwitchyardError({
        code: 'request_timeout',
        message: `${what.provider}: no complete answer within ${timeoutMs} ms (timeoutMs covers connecting, headers, body and retries)`,
        provider: what.provider,
        isRetryable: false,
        cause: error,
      });
    },
    clear() {
      // Only the timer: an open stream still follows the caller's signal (a client that leaves cancels it).
      clearTimeout(timer);
    },
  };
}
