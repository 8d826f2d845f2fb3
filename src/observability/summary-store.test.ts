import { describe, expect, it } from 'vitest';
import { createSummaryStore, summarize } from './summary-store.js';

describe('summary store', () => {
  it('computes window figures: rate, percentiles, cache ratios, top models, tokens, cost and errors', () => {
    let clock = 0;
    const store = createSummaryStore({ windowMs: 10_000, now: () => clock });
    clock = 20_000;
    for (let index = 1; index <= 100; index += 1) {
      store.recordRequest({
        model: index <= 60 ? 'openai/gpt-4o-mini' : 'mock/echo',
        ok: index % 10 !== 0,
        durationMs: index,
        overheadMs: index / 10,
        cache: index <= 20 ? 'hit-memory' : 'miss',
        usage: { inputTokens: 2, outputTokens: 3, totalTokens: 5 },
        cost: 0.5,
        code: index % 10 === 0 ? 'upstream_error' : undefined,
      });
    }
    for (let index = 0; index < 4; index += 1) store.recordCache('redis', index === 0 ? 'hit' : 'miss');
    store.recordCache('sql', 'error');
    const snapshot = store.snapshot();
    expect(snapshot.requests).toMatchObject({ total: 100, succeeded: 90, failed: 10, perSecond: 10 });
    expect(snapshot.latencyMs).toMatchObject({ p50: 50, p90: 90, p95: 95, p99: 99, max: 100, mean: 50.5 });
    expect(snapshot.overheadMs.p50).toBe(5);
    expect(snapshot.cache.byLayer.redis).toEqual({ hits: 1, misses: 3, errors: 0, hitRatio: 0.25 });
    expect(snapshot.cache.byLayer.sql).toEqual({ hits: 0, misses: 0, errors: 1, hitRatio: null });
    expect(snapshot.cache.byStatus).toEqual({ 'hit-memory': 20, 'hit-redis': 0, 'hit-sql': 0, miss: 80, bypass: 0 });
    expect(snapshot.cache.responseHitRatio).toBeCloseTo(20 / 90);
    expect(snapshot.topModels.map((model) => [model.model, model.requests, model.errors])).toEqual([
      ['openai/gpt-4o-mini', 60, 6],
      ['mock/echo', 40, 4],
    ]);
    expect(snapshot.tokens).toEqual({ input: 200, output: 300 });
    expect(snapshot.costUsd).toBe(50);
    expect(snapshot.errorsByCode).toEqual({ upstream_error: 10 });
  });

  it('drops requests older than the window and overwrites the oldest past capacity', () => {
    let clock = 0;
    const store = createSummaryStore({ windowMs: 1000, capacity: 3, now: () => clock });
    const request = { model: 'm/a', ok: true, durationMs: 1, overheadMs: 0 };
    store.recordRequest(request);
    clock = 5000;
    for (let index = 0; index < 5; index += 1) store.recordRequest({ ...request, durationMs: 10 + index });
    const snapshot = store.snapshot();
    expect(snapshot.requests.total).toBe(3);
    expect(snapshot.latencyMs.max).toBe(14);
    expect(snapshot.latencyMs.p50).toBe(13);
    expect(snapshot.lifetime.requests).toBe(6);
  });

  it('records nothing when disabled and tracks in-flight requests when enabled', () => {
    const disabled = createSummaryStore({ enabled: false });
    disabled.recordRequest({ model: 'm/a', ok: true, durationMs: 1, overheadMs: 0 });
    disabled.inFlight(1);
    expect(disabled.snapshot()).toMatchObject({ monitoring: false, requests: { total: 0, inFlight: 0 } });
    const enabled = createSummaryStore();
    enabled.inFlight(1);
    enabled.inFlight(1);
    enabled.inFlight(-1);
    expect(enabled.snapshot().requests.inFlight).toBe(1);
  });

  it('summarizes an empty list as zeros without touching the input', () => {
    expect(summarize([])).toEqual({ p50: 0, p90: 0, p95: 0, p99: 0, max: 0, mean: 0 });
    const values = [3, 1, 2];
    expect(summarize(values).p50).toBe(2);
    expect(values).toEqual([3, 1, 2]);
  });
});
