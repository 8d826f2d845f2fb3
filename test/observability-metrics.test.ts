// The /metrics exposition: parsed by a strict Prometheus text-format parser, and its
// counters checked against exactly what went through the tracker.
import { describe, expect, it } from 'vitest';
import { createObservability, createMetrics } from '../src/observability/index.js';
import { SwitchyardError, type CacheStatus } from '../src/spec/index.js';
import { parseExposition, sum } from './support/prometheus.js';

describe('Prometheus metrics', () => {
  it('counts exactly the requests, cache hits, tokens and cost that were tracked', async () => {
    const observability = createObservability({ profile: 'production', logLevel: 'silent' });
    const { tracker } = observability;
    for (let index = 0; index < 10; index += 1) {
      const hit = index < 3;
      await tracker.track('request', { requestId: `r${index}`, operation: 'chat', model: 'mock/echo', provider: 'mock' }, async (request) => {
        const cached = await tracker.track('cache', { requestId: `r${index}`, layer: 'memory', operation: 'get' }, () => (hit ? 'cached answer' : undefined));
        if (cached === undefined) {
          await tracker.track('upstream', { requestId: `r${index}`, provider: 'mock', model: 'mock/echo', operation: 'generate', attempt: 1 }, () => 'answer', { parent: request });
          await tracker.track('cache', { requestId: `r${index}`, layer: 'memory', operation: 'set' }, () => undefined);
        }
        const cache: CacheStatus = hit ? 'hit-memory' : 'miss';
        request.set({ cache, usage: { inputTokens: 10, outputTokens: hit ? 0 : 5, totalTokens: 15 }, cost: hit ? 0 : 0.25 });
      });
    }
    await expect(
      tracker.track('request', { requestId: 'bad', operation: 'chat', model: 'openai/gpt-4o-mini', provider: 'openai' }, () => {
        throw new SwitchyardError({ code: 'rate_limited', message: 'slow down', provider: 'openai', status: 429 });
      }),
    ).rejects.toThrow('slow down');
    tracker.recordRetry({ requestId: 'bad', provider: 'openai', model: 'openai/gpt-4o-mini', attempt: 2, delayMs: 100, code: 'rate_limited' });
    tracker.recordFallback({ requestId: 'bad', from: 'openai/gpt-4o-mini', to: 'mock/echo', code: 'rate_limited' });

    const exposition = parseExposition(await observability.metricsText());
    expect(observability.contentType).toMatch(/^text\/plain; version=0\.0\.4/);
    for (const family of exposition.families.values()) {
      expect(family.name).toMatch(/^switchyard_/);
      expect(family.help.length).toBeGreaterThan(10);
    }
    expect(exposition.families.get('switchyard_requests_total')?.type).toBe('counter');
    expect(exposition.families.get('switchyard_request_duration_seconds')?.type).toBe('histogram');
    expect(exposition.families.get('switchyard_in_flight_requests')?.type).toBe('gauge');

    expect(sum(exposition, 'switchyard_requests_total', { provider: 'mock' })).toBe(10);
    expect(sum(exposition, 'switchyard_requests_total', { provider: 'mock', cache: 'hit-memory' })).toBe(3);
    expect(sum(exposition, 'switchyard_requests_total', { provider: 'mock', cache: 'miss' })).toBe(7);
    expect(sum(exposition, 'switchyard_requests_total', { status: 'error' })).toBe(1);
    expect(sum(exposition, 'switchyard_request_errors_total', { provider: 'openai', code: 'rate_limited' })).toBe(1);
    expect(sum(exposition, 'switchyard_cache_hits_total', { layer: 'memory' })).toBe(3);
    expect(sum(exposition, 'switchyard_cache_misses_total', { layer: 'memory' })).toBe(7);
    expect(sum(exposition, 'switchyard_cache_writes_total', { layer: 'memory', operation: 'set' })).toBe(7);
    expect(sum(exposition, 'switchyard_upstream_requests_total', { provider: 'mock', status: 'ok' })).toBe(7);
    expect(sum(exposition, 'switchyard_input_tokens_total', { model: 'mock/echo' })).toBe(100);
    expect(sum(exposition, 'switchyard_output_tokens_total', { model: 'mock/echo' })).toBe(35);
    expect(sum(exposition, 'switchyard_cost_usd_total')).toBeCloseTo(1.75, 10);
    expect(sum(exposition, 'switchyard_retries_total', { provider: 'openai', code: 'rate_limited' })).toBe(1);
    expect(sum(exposition, 'switchyard_fallbacks_total', { from: 'openai/gpt-4o-mini', to: 'mock/echo' })).toBe(1);
    expect(sum(exposition, 'switchyard_in_flight_requests')).toBe(0);
    // Histograms: the count equals the requests, the +Inf bucket equals the count, buckets never decrease.
    expect(sum(exposition, 'switchyard_request_duration_seconds_count', { provider: 'mock' })).toBe(10);
    expect(sum(exposition, 'switchyard_overhead_seconds_count', { scope: 'request' })).toBe(11);
    const buckets = exposition.samples.filter(
      (sample) => sample.name === 'switchyard_request_duration_seconds_bucket' && sample.labels.provider === 'mock',
    );
    expect(buckets.at(-1)?.labels.le).toBe('+Inf');
    expect(buckets.at(-1)?.value).toBe(10);
    for (let index = 1; index < buckets.length; index += 1) expect(buckets[index].value).toBeGreaterThanOrEqual(buckets[index - 1].value);
    expect(sum(exposition, 'switchyard_process_memory_bytes', { type: 'heap_used' })).toBeGreaterThan(0);
    await observability.close();
  });

  it('reads pool figures from registered sources on every scrape, and stops after unregistering', async () => {
    const metrics = createMetrics();
    let queued = 4;
    const unregister = metrics.registerPoolSource(() => ({
      openai: { connected: 3, free: 1, pending: 1, queued, running: 2, size: 7 },
    }));
    metrics.registerPoolSource(() => [['anthropic', { connected: 1, free: 1, pending: 0, queued: 0, running: 0, size: 0 }] as const]);
    let exposition = parseExposition(await metrics.metricsText());
    expect(sum(exposition, 'switchyard_upstream_connections', { provider: 'openai', state: 'connected' })).toBe(3);
    expect(sum(exposition, 'switchyard_upstream_connections', { provider: 'openai', state: 'free' })).toBe(1);
    expect(sum(exposition, 'switchyard_upstream_queued_requests', { provider: 'openai' })).toBe(5);
    expect(sum(exposition, 'switchyard_upstream_running_requests', { provider: 'openai' })).toBe(2);
    expect(sum(exposition, 'switchyard_upstream_connections', { provider: 'anthropic', state: 'connected' })).toBe(1);
    queued = 0;
    exposition = parseExposition(await metrics.metricsText());
    expect(sum(exposition, 'switchyard_upstream_queued_requests', { provider: 'openai' })).toBe(1);
    unregister();
    exposition = parseExposition(await metrics.metricsText());
    expect(exposition.samples.filter((sample) => sample.labels.provider === 'openai')).toHaveLength(0);
    metrics.close();
  });

  it('keeps each registry separate and escapes label values', async () => {
    const first = createMetrics();
    const second = createMetrics();
    first.recordRequest({ provider: 'custom', model: 'custom/"quoted"\\model', status: 'ok', cache: 'bypass', durationMs: 5, overheadMs: 1 });
    const exposition = parseExposition(await first.metricsText());
    expect(sum(exposition, 'switchyard_requests_total', { model: 'custom/"quoted"\\model' })).toBe(1);
    expect(sum(parseExposition(await second.metricsText()), 'switchyard_requests_total')).toBe(0);
    first.close();
    second.close();
  });

  it('bounds label cardinality: past the limit new label sets fold into "other"', async () => {
    const metrics = createMetrics({ maxLabelSets: 5 });
    for (let index = 0; index < 50; index += 1) {
      metrics.recordUpstream({ provider: 'openai', model: `openai/model-${index}`, status: 'ok', durationMs: 1 });
    }
    const exposition = parseExposition(await metrics.metricsText());
    const series = exposition.samples.filter((sample) => sample.name === 'switchyard_upstream_requests_total');
    expect(series).toHaveLength(6);
    expect(sum(exposition, 'switchyard_upstream_requests_total')).toBe(50);
    expect(sum(exposition, 'switchyard_upstream_requests_total', { model: 'other' })).toBe(45);
    metrics.close();
  });

  it('records nothing but still serves a valid exposition with monitoring off', async () => {
    const observability = createObservability({ profile: 'development', logLevel: 'silent' });
    expect(observability.monitoring).toBe(false);
    await observability.tracker.track('request', { requestId: 'r', operation: 'chat', model: 'mock/echo' }, () => 'ok');
    const exposition = parseExposition(await observability.metricsText());
    expect(sum(exposition, 'switchyard_requests_total')).toBe(0);
    expect(observability.snapshot().requests.total).toBe(0);
    expect(observability.snapshot().monitoring).toBe(false);
    await observability.close();
  });

  it('rejects a malformed exposition (the parser itself can fail)', () => {
    expect(() => parseExposition('switchyard_x 1\n')).toThrow(/before its TYPE/);
    expect(() => parseExposition('# HELP a b\n# TYPE a counter\na{l="x} 1\n')).toThrow(/bad/);
    expect(() => parseExposition('# HELP a b\n# TYPE a counter\na 1\na 2\n')).toThrow(/duplicate sample/);
  });
});
