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
  /**
   * Brings the deadline forward to `ms` from now, when that is sooner (a
   * stream's wait for its first content part once the upstream answered):
   * the same one timer, re-armed. If it passes, the call ends and `explain`
   * gives `body_timeout` (504) naming `setting`. `relax()` undoes it.
   */
  narrow(ms: number, setting: string): void;
  /** Puts the deadline back to `expiresAt` after `narrow` (an attempt failed and the call may retry). */
  relax(): void;
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
  /** While narrowed: the shorter wait and the setting that set it; once it passed, kept for `explain`. */
  let narrowed: { ms: number; setting: string; passed: boolean } | undefined;
  const onCallerAbort = (): void => controller.abort(what.signal!.reason);
  if (what.signal?.aborted) controller.abort(what.signal.reason);
  else what.signal?.addEventListener('abort', onCallerAbort, { once: true });
  const expire = (): void => {
    timedOut = true;
    if (narrowed) narrowed.passed = true;
    controller.abort(new Error(narrowed ? `no content within ${narrowed.ms} ms (${narrowed.setting})` : `the ${timeoutMs} ms deadline passed`));
  };
  let timer = setTimeout(expire, timeoutMs);
  timer.unref();
  const rearm = (ms: number): void => {
    clearTimeout(timer);
    timer = setTimeout(expire, ms);
    timer.unref();
  };
  return {
    signal: controller.signal,
    expiresAt,
    expired: () => timedOut,
    explain(error) {
      if (!timedOut || what.signal?.aborted) return error;
      if (narrowed?.passed) {
        return new SwitchyardError({
          code: 'body_timeout',
          message: `${what.provider}: the stream sent no content within ${narrowed.ms} ms of the upstream's answer (${narrowed.setting})`,
          provider: what.provider,
          isRetryable: false,
          cause: error,
        });
      }
      return new SwitchyardError({
        code: 'request_timeout',
        message: `${what.provider}: no complete answer within ${timeoutMs} ms (timeoutMs covers connecting, headers, body and retries)`,
        provider: what.provider,
        isRetryable: false,
        cause: error,
      });
    },
    narrow(ms, setting) {
      if (controller.signal.aborted || ms >= expiresAt - performance.now()) return;
      narrowed = { ms, setting, passed: false };
      rearm(ms);
    },
    relax() {
      if (narrowed === undefined || controller.signal.aborted) return;
      narrowed = undefined;
      rearm(Math.max(0, expiresAt - performance.now()));
    },
    clear() {
      // Only the timer: an open stream still follows the caller's signal (a client that leaves cancels it).
      clearTimeout(timer);
    },
  };
}
