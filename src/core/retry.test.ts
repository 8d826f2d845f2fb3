import { describe, expect, it } from 'vitest';
import { SwitchyardError } from '../spec/errors.js';
import { isRetryableStatus, withRetry, type RetryInfo } from './retry.js';

const retryable = (retryAfterMs?: number): SwitchyardError =>
  new SwitchyardError({ code: 'upstream_error', message: 'boom', status: 500, isRetryable: true, retryAfterMs });

/** A sleep that records requested waits and returns at once. */
function recordingSleep(): { sleep: (ms: number) => Promise<void>; delays: number[] } {
  const delays: number[] = [];
  return { delays, sleep: async (ms) => void delays.push(ms) };
}

describe('isRetryableStatus', () => {
  it.each([408, 409, 429, 500, 502, 503, 504])('retries %i', (status) => {
    expect(isRetryableStatus(status)).toBe(true);
  });
  it.each([400, 401, 403, 404, 413, 422])('does not retry %i', (status) => {
    expect(isRetryableStatus(status)).toBe(false);
  });
});

describe('withRetry', () => {
  it('makes exactly maxRetries + 1 attempts, then throws the last error', async () => {
    const { sleep } = recordingSleep();
    const attempts: number[] = [];
    await expect(
      withRetry(async (attempt) => {
        attempts.push(attempt);
        throw retryable();
      }, { maxRetries: 2, sleep }),
    ).rejects.toMatchObject({ code: 'upstream_error' });
    expect(attempts).toEqual([1, 2, 3]);
  });

  it('returns the first success', async () => {
    const { sleep } = recordingSleep();
    let calls = 0;
    const value = await withRetry(async () => {
      calls += 1;
      if (calls < 2) throw retryable();
      return 'ok';
    }, { maxRetries: 5, sleep });
    expect(value).toBe('ok');
    expect(calls).toBe(2);
  });

  it('never retries non-retryable or foreign errors', async () => {
    const { sleep, delays } = recordingSleep();
    let calls = 0;
    const badRequest = new SwitchyardError({ code: 'invalid_request', message: 'bad', status: 400 });
    await expect(withRetry(async () => { calls += 1; throw badRequest; }, { maxRetries: 3, sleep })).rejects.toBe(badRequest);
    await expect(withRetry(async () => { calls += 1; throw new TypeError('bug'); }, { maxRetries: 3, sleep })).rejects.toBeInstanceOf(TypeError);
    expect(calls).toBe(2);
    expect(delays).toEqual([]);
  });

  it('uses exponential backoff with full jitter, capped by maxDelayMs', async () => {
    const { sleep, delays } = recordingSleep();
    const infos: RetryInfo[] = [];
    await expect(
      withRetry(async () => { throw retryable(); }, {
        maxRetries: 5,
        baseDelayMs: 100,
        maxDelayMs: 1000,
        sleep,
        random: () => 0.5,
        onRetry: (info) => infos.push(info),
      }),
    ).rejects.toBeDefined();
    // ceilings 100, 200, 400, 800, 1000 (capped); jitter 0.5 of each
    expect(delays).toEqual([50, 100, 200, 400, 500]);
    expect(infos.map((info) => info.attempt)).toEqual([1, 2, 3, 4, 5]);
    expect(infos.every((info) => info.error.code === 'upstream_error')).toBe(true);
  });

  it('honours a server-advised retryAfterMs, capped by maxDelayMs', async () => {
    const { sleep, delays } = recordingSleep();
    let calls = 0;
    await withRetry(async () => {
      calls += 1;
      if (calls === 1) throw retryable(2500);
      if (calls === 2) throw retryable(60_000);
      return 'done';
    }, { maxRetries: 3, maxDelayMs: 10_000, sleep, random: () => 0.99 });
    expect(delays).toEqual([2500, 10_000]);
  });

  it('throws at once, advice intact, when the wait would pass the deadline', async () => {
    const { sleep, delays } = recordingSleep();
    let calls = 0;
    const error = await withRetry(async () => {
      calls += 1;
      throw retryable(3_600_000);
    }, { maxRetries: 3, sleep, deadline: performance.now() + 30_000 }).catch((thrown: unknown) => thrown);
    expect(error).toMatchObject({ retryAfterMs: 3_600_000 });
    expect(calls).toBe(1);
    expect(delays).toEqual([]);
    // A wait that fits is taken.
    calls = 0;
    await withRetry(async () => {
      calls += 1;
      if (calls === 1) throw retryable(100);
      return 'done';
    }, { maxRetries: 3, sleep, deadline: performance.now() + 30_000 });
    expect(delays).toEqual([100]);
  });

  it('stops a wait at once when the signal aborts', async () => {
    const controller = new AbortController();
    let calls = 0;
    const promise = withRetry(async () => {
      calls += 1;
      throw retryable(60_000);
    }, { maxRetries: 3, maxDelayMs: 60_000, signal: controller.signal });
    setTimeout(() => controller.abort(), 20).unref();
    await expect(promise).rejects.toMatchObject({ code: 'aborted' });
    expect(calls).toBe(1);
  });

  it('an abort from onRetry ends before the wait, with no unhandled rejection', async () => {
    const controller = new AbortController();
    let calls = 0;
    await expect(
      withRetry(async () => {
        calls += 1;
        throw retryable(10);
      }, { maxRetries: 3, signal: controller.signal, onRetry: () => controller.abort() }),
    ).rejects.toMatchObject({ code: 'aborted' });
    expect(calls).toBe(1);
  });

  it('does not start when the signal is already aborted', async () => {
    let calls = 0;
    await expect(withRetry(async () => { calls += 1; }, { maxRetries: 1, signal: AbortSignal.abort() })).rejects.toMatchObject({ code: 'aborted' });
    expect(calls).toBe(0);
  });
});
