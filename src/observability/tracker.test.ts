import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { SwitchyardError } from '../spec/index.js';
import { createEvents, type SwitchyardEventMap, type SwitchyardEventName } from './events.js';
import { createLogger, createMemoryDestination } from './logger.js';
import { createMetrics } from './metrics.js';
import { createSummaryStore } from './summary-store.js';
import { createTracker, errorCodeOf } from './tracker.js';

function setup(monitoring = true) {
  const destination = createMemoryDestination();
  const logger = createLogger({ profile: 'development', level: 'debug', destination });
  const events = createEvents();
  const metrics = createMetrics();
  const summary = createSummaryStore({ enabled: monitoring });
  const seen: Array<{ name: SwitchyardEventName; payload: SwitchyardEventMap[SwitchyardEventName] }> = [];
  for (const name of ['request', 'response', 'error', 'cache', 'retry', 'fallback'] as const) {
    events.on(name, (payload) => seen.push({ name, payload }));
  }
  const tracker = createTracker({ logger, events, metrics, summary, monitoring });
  return { tracker, metrics, seen, destination };
}

describe('tracker', () => {
  it('adds upstream time up the parent chain so overhead excludes it', async () => {
    const { tracker } = setup();
    const gateway = tracker.start('gateway', { requestId: 'g1', route: '/v1/chat/completions', method: 'POST' });
    const request = tracker.start('request', { requestId: 'g1', operation: 'chat', model: 'mock/echo' }, { parent: gateway });
    const attempts = [];
    for (let attempt = 1; attempt <= 2; attempt += 1) {
      const upstream = tracker.start('upstream', { requestId: 'g1', provider: 'mock', model: 'mock/echo', operation: 'generate', attempt }, { parent: request });
      await sleep(5);
      attempts.push(attempt === 1 ? upstream.fail(new SwitchyardError({ code: 'upstream_unavailable', message: 'busy', isRetryable: true })) : upstream.end());
    }
    const requestResult = request.end();
    gateway.set({ statusCode: 200 });
    const gatewayResult = gateway.end();
    expect(attempts.map((attempt) => attempt.status)).toEqual(['error', 'ok']);
    expect(requestResult.upstreamMs).toBe(0 + attempts[0].durationMs + attempts[1].durationMs);
    expect(requestResult.upstreamMs).toBe(gatewayResult.upstreamMs);
    expect(requestResult.overheadMs).toBeCloseTo(requestResult.durationMs - requestResult.upstreamMs, 6);
    expect(gatewayResult.durationMs).toBeGreaterThanOrEqual(requestResult.durationMs);
  });

  it('infers cache outcomes and emits request, cache and response events in order', async () => {
    const { tracker, seen, metrics } = setup();
    await tracker.track('request', { requestId: 'r1', operation: 'chat', model: 'mock/echo' }, async (request) => {
      await tracker.track('cache', { requestId: 'r1', layer: 'memory', operation: 'get' }, () => undefined);
      await tracker.track('cache', { requestId: 'r1', layer: 'redis', operation: 'get' }, async () => ({ content: 'x' }));
      await tracker
        .track('cache', { requestId: 'r1', layer: 'sql', operation: 'set' }, () => {
          throw new SwitchyardError({ code: 'connection_failed', message: 'database down' });
        })
        .catch(() => undefined);
      await tracker.track('cache', { requestId: 'r1', layer: 'memory', operation: 'set' }, () => true);
      request.set({ provider: 'mock', cache: 'hit-redis', usage: { inputTokens: 1, outputTokens: 2, totalTokens: 3 }, cost: 0 });
    });
    expect(seen.map(({ name, payload }) => (name === 'cache' ? `cache:${(payload as SwitchyardEventMap['cache']).outcome}` : name))).toEqual([
      'request',
      'cache:miss',
      'cache:hit',
      'cache:error',
      'cache:write',
      'response',
    ]);
    const response = seen.at(-1)?.payload as SwitchyardEventMap['response'];
    expect(response).toMatchObject({ requestId: 'r1', provider: 'mock', model: 'mock/echo', cache: 'hit-redis', cost: 0, operation: 'chat' });
    expect((seen[3].payload as SwitchyardEventMap['cache']).code).toBe('connection_failed');
    const text = await metrics.metricsText();
    expect(text).toContain('switchyard_cache_errors_total{layer="sql"} 1');
  });

  it('emits an error event with code, status and retryability, and rethrows the original error', async () => {
    const { tracker, seen } = setup();
    const error = new SwitchyardError({ code: 'rate_limited', message: 'slow down', status: 429, provider: 'openai', isRetryable: true });
    await expect(tracker.track('request', { requestId: 'r2', operation: 'embed', model: 'openai/text-embedding-3-small' }, () => Promise.reject(error))).rejects.toBe(error);
    expect(seen.at(-1)).toMatchObject({
      name: 'error',
      payload: { requestId: 'r2', code: 'rate_limited', status: 429, retryable: true, provider: 'openai', message: 'slow down' },
    });
  });

  it('measures time to first token for a stream and finishes only once', async () => {
    const { tracker } = setup();
    const stream = tracker.start('request', { requestId: 's1', operation: 'stream', model: 'mock/echo' });
    await sleep(5);
    stream.markFirstToken();
    await sleep(5);
    stream.markFirstToken();
    const result = stream.end();
    expect(result.timeToFirstTokenMs).toBeGreaterThan(0);
    expect(result.timeToFirstTokenMs).toBeLessThan(result.durationMs);
    expect(stream.fail(new Error('late'))).toBe(result);
    expect(result.status).toBe('ok');
  });

  it('with monitoring off still emits events but records no metrics, stats or spans', async () => {
    const { tracker, seen, metrics } = setup(false);
    const result = await tracker.track('request', { requestId: 'r3', operation: 'chat', model: 'mock/echo' }, (request) => {
      expect(request.span).toBeUndefined();
      return 'done';
    });
    expect(result).toBe('done');
    expect(seen.map((event) => event.name)).toEqual(['request', 'response']);
    expect(await metrics.metricsText()).not.toContain('switchyard_requests_total{');
    expect(tracker.snapshot().requests.total).toBe(0);
  });

  it('reports retries and fallbacks as events, metrics and logs', async () => {
    const { tracker, seen, metrics, destination } = setup();
    tracker.recordRetry({ requestId: 'r4', provider: 'openai', model: 'openai/gpt-4o-mini', attempt: 2, delayMs: 250, code: 'rate_limited' });
    tracker.recordFallback({ requestId: 'r4', route: 'smart', from: 'openai/gpt-4o-mini', to: 'anthropic/claude-haiku-4-5', code: 'upstream_unavailable' });
    expect(seen.map((event) => event.name)).toEqual(['retry', 'fallback']);
    const text = await metrics.metricsText();
    expect(text).toContain('switchyard_retries_total{provider="openai",model="openai/gpt-4o-mini",code="rate_limited"} 1');
    expect(text).toContain('switchyard_fallbacks_total{from="openai/gpt-4o-mini",to="anthropic/claude-haiku-4-5",code="upstream_unavailable"} 1');
    expect(destination.records().map((record) => record.msg)).toEqual(['retrying upstream call', 'falling back to the next model']);
  });

  it('gives each operation a child logger bound to its request id', async () => {
    const { tracker, destination } = setup();
    await tracker.track('upstream', { requestId: 'r5', provider: 'mock', model: 'mock/echo', operation: 'generate' }, (upstream) => {
      upstream.logger.info('inside');
    });
    expect(destination.records().find((record) => record.msg === 'inside')).toMatchObject({ requestId: 'r5', kind: 'upstream' });
  });

  it('maps thrown values to stable codes', () => {
    expect(errorCodeOf(new SwitchyardError({ code: 'body_timeout', message: 'x' }))).toBe('body_timeout');
    expect(errorCodeOf(Object.assign(new Error('x'), { name: 'AbortError' }))).toBe('aborted');
    expect(errorCodeOf(Object.assign(new Error('x'), { name: 'TimeoutError' }))).toBe('request_timeout');
    expect(errorCodeOf('string')).toBe('internal_error');
  });
});
