// The typed event emitter: behaviour at run time, and its types checked by `tsc --noEmit`
// (npm test runs it over test/): each `@ts-expect-error` below must stay an error, so a
// loosened signature breaks the build. This is the compile-fail test.
import { describe, expect, expectTypeOf, it } from 'vitest';
import {
  createEvents,
  createMemoryDestination,
  createObservability,
  type CacheEvent,
  type ErrorEvent,
  type RequestEvent,
  type ResponseEvent,
  type SwitchyardEventMap,
  type SwitchyardListener,
  type ThresholdEvent,
} from '../src/observability/index.js';
import { SwitchyardError } from '../src/spec/index.js';

const request: RequestEvent = { requestId: 'r1', operation: 'chat', model: 'mock/echo', timestamp: 1 };

describe('event emitter', () => {
  it('delivers payloads to on listeners until off, once listeners a single time', () => {
    const events = createEvents();
    const seen: string[] = [];
    const listener = (payload: RequestEvent) => seen.push(`on:${payload.requestId}`);
    events.on('request', listener);
    events.once('request', (payload) => seen.push(`once:${payload.requestId}`));
    events.emit('request', request);
    events.emit('request', { ...request, requestId: 'r2' });
    events.off('request', listener);
    events.emit('request', { ...request, requestId: 'r3' });
    expect(seen).toEqual(['on:r1', 'once:r1', 'on:r2']);
    expect(events.has('request')).toBe(false);
  });

  it('returns an unsubscribe function and removes a once listener through off', () => {
    const events = createEvents();
    let calls = 0;
    const unsubscribe = events.on('cache', () => calls++);
    const onceListener = () => calls++;
    events.once('cache', onceListener);
    expect(events.listenerCount('cache')).toBe(2);
    unsubscribe();
    events.off('cache', onceListener);
    events.emit('cache', { layer: 'memory', operation: 'get', outcome: 'hit', durationMs: 1, timestamp: 1 });
    expect(calls).toBe(0);
    expect(events.listenerCount('cache')).toBe(0);
  });

  it('keeps a throwing listener from breaking the emit or the other listeners', () => {
    const reported: Array<[unknown, string]> = [];
    const events = createEvents({ onListenerError: (error, event) => reported.push([error, event]) });
    let reached = false;
    events.on('retry', () => {
      throw new Error('listener bug');
    });
    events.on('retry', () => {
      reached = true;
    });
    events.emit('retry', { requestId: 'r', provider: 'p', model: 'p/m', attempt: 2, delayMs: 10, code: 'rate_limited', timestamp: 1 });
    expect(reached).toBe(true);
    expect(reported).toHaveLength(1);
    expect(reported[0][1]).toBe('retry');
  });

  it('lets a listener remove itself or another while an emit is running', () => {
    const events = createEvents();
    const order: string[] = [];
    const second = () => order.push('second');
    events.on('fallback', () => {
      order.push('first');
      events.off('fallback', second);
    });
    events.on('fallback', second);
    const payload = { requestId: 'r', from: 'a/x', to: 'b/y', code: 'upstream_error' as const, timestamp: 1 };
    events.emit('fallback', payload);
    events.emit('fallback', payload);
    expect(order).toEqual(['first', 'second', 'first']);
  });

  it('rejects a listener that is not a function with a named error', () => {
    const events = createEvents();
    expect(() => events.on('request', 'nope' as unknown as SwitchyardListener<'request'>)).toThrowError(
      expect.objectContaining({ code: 'invalid_request', param: 'listener' }),
    );
  });

  it('reports listener errors through the logger when wired by createObservability', async () => {
    const destination = createMemoryDestination();
    const observability = createObservability({ profile: 'test', logLevel: 'error', logDestination: destination });
    observability.events.on('error', () => {
      throw new Error('listener bug');
    });
    const failing = observability.tracker.track('request', { requestId: 'r9', operation: 'chat', model: 'mock/echo' }, () => {
      throw new SwitchyardError({ code: 'upstream_error', message: 'upstream said no' });
    });
    await expect(failing).rejects.toThrow('upstream said no');
    const lines = destination.records().filter((record) => record.event === 'error');
    expect(lines).toHaveLength(1);
    await observability.close();
  });
});

describe('event types', () => {
  it('gives each listener its own payload type', () => {
    const events = createEvents();
    events.on('response', (payload) => {
      expectTypeOf(payload).toEqualTypeOf<ResponseEvent>();
      expectTypeOf(payload.usage.inputTokens).toBeNumber();
      expectTypeOf(payload.cache).toEqualTypeOf<'hit-memory' | 'hit-redis' | 'hit-sql' | 'miss' | 'bypass'>();
      expectTypeOf(payload.cost).toEqualTypeOf<number | null>();
    });
    events.on('error', (payload) => expectTypeOf(payload.code).toEqualTypeOf<ErrorEvent['code']>());
    events.on('threshold', (payload) => expectTypeOf(payload).toEqualTypeOf<ThresholdEvent>());
    events.once('cache', (payload) => expectTypeOf(payload.layer).toEqualTypeOf<'memory' | 'redis' | 'sql'>());
    expectTypeOf<SwitchyardListener<'request'>>().parameter(0).toEqualTypeOf<RequestEvent>();
    expectTypeOf<keyof SwitchyardEventMap>().toEqualTypeOf<
      'request' | 'response' | 'error' | 'cache' | 'retry' | 'fallback' | 'threshold'
    >();
    // A listener that needs less than the payload is fine (parameters are contravariant).
    events.on('response', (payload: { requestId: string }) => payload.requestId);
    events.on('retry', () => undefined);
  });

  it('refuses listeners, payloads and names of the wrong type', () => {
    const events = createEvents();
    const onResponse = (payload: ResponseEvent) => payload.durationMs;
    const onCache = (payload: CacheEvent) => payload.outcome;

    // @ts-expect-error a response listener cannot listen to request events
    events.on('request', onResponse);
    // @ts-expect-error a cache listener cannot listen to threshold events
    events.once('threshold', onCache);
    // @ts-expect-error nor be removed from error events
    events.off('error', onResponse);
    // @ts-expect-error a listener's parameter must accept the payload
    events.on('retry', (payload: string) => payload);
    // @ts-expect-error a listener takes one parameter
    events.on('fallback', (payload: SwitchyardEventMap['fallback'], extra: number) => extra);
    // @ts-expect-error unknown event names do not compile
    events.on('finish', () => undefined);
    // @ts-expect-error the payload of emit is checked: requests lack durationMs
    events.emit('response', request);
    // @ts-expect-error payload fields are checked too: an unknown cache layer
    events.emit('cache', { layer: 'disk', operation: 'get', outcome: 'hit', durationMs: 1, timestamp: 1 });
    // @ts-expect-error threshold names are a closed set
    events.emit('threshold', { name: 'cpu', value: 1, limit: 0, suppressed: 0, timestamp: 1 });
    expect(events.listenerCount('request')).toBe(1);
    events.removeAll();
    expect(events.listenerCount('request')).toBe(0);
  });
});
