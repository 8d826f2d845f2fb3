import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { startDeadline } from './deadline.js';

// One timer per deadline, moved by narrow() and relax(); fake timers, so nothing depends on the machine's speed.
beforeEach(() => {
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'performance'] });
});
afterEach(() => {
  vi.useRealTimers();
});

describe('startDeadline', () => {
  it('aborts at timeoutMs and explains it as request_timeout', () => {
    const deadline = startDeadline(1000, { provider: 'p' });
    vi.advanceTimersByTime(999);
    expect(deadline.signal.aborted).toBe(false);
    vi.advanceTimersByTime(1);
    expect(deadline.signal.aborted).toBe(true);
    expect(deadline.explain(new Error('x'))).toMatchObject({ code: 'request_timeout' });
  });

  it('narrow() brings it forward, and explains a stall as body_timeout naming the setting', () => {
    const deadline = startDeadline(1000, { provider: 'p' });
    vi.advanceTimersByTime(100);
    deadline.narrow(200, 'providers.p.firstContentTimeoutMs');
    vi.advanceTimersByTime(200);
    expect(deadline.signal.aborted).toBe(true);
    const error = deadline.explain(new Error('x')) as Error & { code: string };
    expect(error.code).toBe('body_timeout');
    expect(error.message).toMatch(/no content within 200 ms .*providers\.p\.firstContentTimeoutMs/);
  });

  it('narrow() never pushes it later than timeoutMs', () => {
    const deadline = startDeadline(1000, { provider: 'p' });
    vi.advanceTimersByTime(900);
    deadline.narrow(500, 'x');
    vi.advanceTimersByTime(100);
    expect(deadline.signal.aborted).toBe(true);
    expect(deadline.explain(new Error('x'))).toMatchObject({ code: 'request_timeout' });
  });

  it('relax() puts it back to timeoutMs (a retry after a failed attempt)', () => {
    const deadline = startDeadline(1000, { provider: 'p' });
    deadline.narrow(200, 'x');
    vi.advanceTimersByTime(150);
    deadline.relax();
    vi.advanceTimersByTime(200);
    expect(deadline.signal.aborted).toBe(false);
    vi.advanceTimersByTime(650);
    expect(deadline.signal.aborted).toBe(true);
    expect(deadline.explain(new Error('x'))).toMatchObject({ code: 'request_timeout' });
  });

  it('clear() stops the timer; the caller signal is still followed and its abort is not explained as a timeout', () => {
    const caller = new AbortController();
    const deadline = startDeadline(1000, { provider: 'p', signal: caller.signal });
    deadline.narrow(100, 'x');
    deadline.clear();
    vi.advanceTimersByTime(5000);
    expect(deadline.signal.aborted).toBe(false);
    caller.abort();
    expect(deadline.signal.aborted).toBe(true);
    const original = new Error('aborted');
    expect(deadline.explain(original)).toBe(original);
  });
});
