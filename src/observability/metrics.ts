import { Gauge, Registry } from 'prom-client';
import type { CacheStatus, ErrorCode, PoolStats, Usage } from '../spec/index.js';
import type { CacheLayerName } from '../spec/index.js';
import type { CacheOperation, CacheOutcome, ThresholdName } from './events.js';
import { CounterFamily, HistogramFamily } from './metric-families.js';

/** Outcome label of requests and upstream calls. */
export type MetricStatus = 'ok' | 'error';

/** What is in flight: client requests, upstream calls or gateway HTTP requests. */
export type InFlightKind = 'request' | 'upstream' | 'gateway';

/** One finished client request. */
export interface RequestSample {
  provider: string;
  model: string;
  status: MetricStatus;
  /** The response's cache status; `none` when the request failed before one was known. */
  cache: CacheStatus | 'none';
  durationMs: number;
  overheadMs: number;
  timeToFirstTokenMs?: number;
  usage?: Usage;
  cost?: number | null;
  code?: ErrorCode;
}

/** One finished upstream (provider) call. */
export interface UpstreamSample {
  provider: string;
  model: string;
  status: MetricStatus;
  durationMs: number;
  timeToFirstTokenMs?: number;
  code?: ErrorCode;
}

/** One finished cache access. */
export interface CacheSample {
  layer: CacheLayerName;
  operation: CacheOperation;
  outcome: CacheOutcome;
  durationMs: number;
}

/** One finished gateway HTTP request. `route` is the route pattern, never the raw URL. */
export interface GatewaySample {
  route: string;
  method: string;
  statusCode: number;
  durationMs: number;
  overheadMs: number;
}

/** Reads current pool figures by provider; called on every scrape. */
export type PoolStatsSource = () => Iterable<readonly [string, PoolStats]> | Record<string, PoolStats>;

/** Options of `createMetrics`. */
export interface MetricsOptions {
  /** Max label sets per metric before new ones collapse into `other`. Default 1000. */
  maxLabelSets?: number;
}

/** Prometheus metrics on Switchyard's own registry; every record call is a memoized child update. */
export interface SwitchyardMetrics {
  /** The registry (never prom-client's global one). */
  readonly registry: Registry;
  /** The exposition content type for `GET /metrics`. */
  readonly contentType: string;
  /** The Prometheus text exposition of every metric. */
  metricsText(): Promise<string>;
  /** Adds `delta` (+1 / -1) to the in-flight gauge of `kind`. */
  inFlight(kind: InFlightKind, delta: number): void;
  recordRequest(sample: RequestSample): void;
  recordUpstream(sample: UpstreamSample): void;
  recordCache(sample: CacheSample): void;
  recordGateway(sample: GatewaySample): void;
  recordRetry(provider: string, model: string, code: ErrorCode): void;
  recordFallback(from: string, to: string, code: ErrorCode): void;
  /** Counts one observation above a threshold's limit. */
  recordThresholdExceeded(name: ThresholdName): void;
  /** Counts one error the process guard caught (an uncaught exception or unhandled rejection). */
  recordProcessError(kind: 'exception' | 'rejection'): void;
  /** Adds a pool-figures source for the upstream gauges; returns a function that removes it. */
  registerPoolSource(source: PoolStatsSource): () => void;
  /** Zeroes every metric. */
  reset(): void;
  /** Removes the metrics from the registry and drops pool sources. */
  close(): void;
}

const SECONDS_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120];
const OVERHEAD_BUCKETS = [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25];
const FIRST_TOKEN_BUCKETS = [0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30];
const CACHE_BUCKETS = [0.0001, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.5];

/** Creates the `switchyard_*` metrics on a fresh registry. */
export function createMetrics(options: MetricsOptions = {}): SwitchyardMetrics {
  const registry = new Registry();
  const registers = [registry];
  const maxLabelSets = options.maxLabelSets ?? 1000;
  const families: Array<CounterFamily | HistogramFamily> = [];

  function counter(name: string, help: string, labelNames: string[]): CounterFamily {
    const family = new CounterFamily(registry, { name, help, labelNames, maxLabelSets });
    families.push(family);
    return family;
  }
  function histogram(name: string, help: string, labelNames: string[], buckets: number[]): HistogramFamily {
    const family = new HistogramFamily(registry, { name, help, labelNames, buckets, maxLabelSets });
    families.push(family);
    return family;
  }

  const requests = counter('switchyard_requests_total', 'Client requests by provider, model, outcome and cache status.', ['provider', 'model', 'status', 'cache']);
  const requestErrors = counter('switchyard_request_errors_total', 'Failed client requests by error code.', ['provider', 'model', 'code']);
  const requestDuration = histogram('switchyard_request_duration_seconds', 'Client request duration, cache and retries included.', ['provider', 'model', 'status'], SECONDS_BUCKETS);
  const overhead = histogram('switchyard_overhead_seconds', 'Time spent in Switchyard itself, upstream excluded; scope is request (client call) or gateway (HTTP request).', ['scope'], OVERHEAD_BUCKETS);
  const firstToken = histogram('switchyard_time_to_first_token_seconds', 'Streaming: time from request start to the first generated part.', ['provider', 'model'], FIRST_TOKEN_BUCKETS);
  const upstreamCalls = counter('switchyard_upstream_requests_total', 'Upstream provider calls by outcome.', ['provider', 'model', 'status']);
  const upstreamErrors = counter('switchyard_upstream_errors_total', 'Failed upstream provider calls by error code.', ['provider', 'code']);
  const upstreamDuration = histogram('switchyard_upstream_duration_seconds', 'Upstream provider call duration.', ['provider', 'model', 'status'], SECONDS_BUCKETS);
  const inputTokens = counter('switchyard_input_tokens_total', 'Input (prompt) tokens of answered requests.', ['provider', 'model']);
  const outputTokens = counter('switchyard_output_tokens_total', 'Output (completion) tokens of answered requests.', ['provider', 'model']);
  const cost = counter('switchyard_cost_usd_total', 'Cost in US dollars of answered requests with a known price.', ['provider', 'model']);
  const cacheHits = counter('switchyard_cache_hits_total', 'Response-cache hits by layer.', ['layer']);
  const cacheMisses = counter('switchyard_cache_misses_total', 'Response-cache misses by layer.', ['layer']);
  const cacheErrors = counter('switchyard_cache_errors_total', 'Failed response-cache accesses by layer.', ['layer']);
  const cacheWrites = counter('switchyard_cache_writes_total', 'Response-cache writes and deletions by layer.', ['layer', 'operation']);
  const cacheDuration = histogram('switchyard_cache_operation_duration_seconds', 'Response-cache access duration.', ['layer', 'operation'], CACHE_BUCKETS);
  const retries = counter('switchyard_retries_total', 'Upstream retries by the error that caused them.', ['provider', 'model', 'code']);
  const fallbacks = counter('switchyard_fallbacks_total', 'Route fallbacks from one model to the next.', ['from', 'to', 'code']);
  const thresholds = counter('switchyard_threshold_exceeded_total', 'Observations above a resource threshold (each one, not only the logged ones).', ['name']);
  const processErrors = counter('switchyard_process_errors_total', 'Uncaught exceptions and unhandled rejections the gateway survived, by kind.', ['kind']);
  const httpRequests = counter('switchyard_http_requests_total', 'Gateway HTTP requests by route pattern and status code.', ['route', 'method', 'status_code']);
  const httpDuration = histogram('switchyard_http_request_duration_seconds', 'Gateway HTTP request duration.', ['route', 'method'], SECONDS_BUCKETS);
  let overheadRequest = overhead.child('request');

  // In flight: plain numbers, read into the gauge at scrape time.
  const inFlightCounts: Record<InFlightKind, number> = { request: 0, upstream: 0, gateway: 0 };
  new Gauge({
    name: 'switchyard_in_flight_requests',
    help: 'Requests in progress by kind: request, upstream or gateway.',
    labelNames: ['kind'],
    registers,
    collect() {
      for (const kind of Object.keys(inFlightCounts) as InFlightKind[]) this.set({ kind }, inFlightCounts[kind]);
    },
  });

  const poolSources = new Set<PoolStatsSource>();
  const readPools = (): Array<readonly [string, PoolStats]> => {
    const result: Array<readonly [string, PoolStats]> = [];
    for (const source of poolSources) {
      const figures = source();
      const entries = Symbol.iterator in figures ? figures : Object.entries(figures);
      for (const entry of entries) result.push(entry);
    }
    return result;
  };
  new Gauge({
    name: 'switchyard_upstream_connections',
    help: 'Upstream pool connections by provider and state (connected, free).',
    labelNames: ['provider', 'state'],
    registers,
    collect() {
      this.reset();
      for (const [provider, stats] of readPools()) {
        this.inc({ provider, state: 'connected' }, stats.connected);
        this.inc({ provider, state: 'free' }, stats.free);
      }
    },
  });
  new Gauge({
    name: 'switchyard_upstream_queued_requests',
    help: 'Requests waiting for an upstream connection, by provider.',
    labelNames: ['provider'],
    registers,
    collect() {
      this.reset();
      for (const [provider, stats] of readPools()) this.inc({ provider }, stats.queued + stats.pending);
    },
  });
  new Gauge({
    name: 'switchyard_upstream_running_requests',
    help: 'Requests being processed by an upstream connection, by provider.',
    labelNames: ['provider'],
    registers,
    collect() {
      this.reset();
      for (const [provider, stats] of readPools()) this.inc({ provider }, stats.running);
    },
  });
  new Gauge({
    name: 'switchyard_process_memory_bytes',
    help: 'Process memory by type: rss, heap_used, heap_total, external, array_buffers.',
    labelNames: ['type'],
    registers,
    collect() {
      const usage = process.memoryUsage();
      this.set({ type: 'rss' }, usage.rss);
      this.set({ type: 'heap_used' }, usage.heapUsed);
      this.set({ type: 'heap_total' }, usage.heapTotal);
      this.set({ type: 'external' }, usage.external);
      this.set({ type: 'array_buffers' }, usage.arrayBuffers);
    },
  });

  return {
    registry,
    contentType: registry.contentType,
    metricsText: () => registry.metrics(),
    inFlight(kind, delta) {
      inFlightCounts[kind] += delta;
    },
    recordRequest(sample) {
      requests.child(sample.provider, sample.model, sample.status, sample.cache).value += 1;
      requestDuration.observe(requestDuration.child(sample.provider, sample.model, sample.status), sample.durationMs / 1000);
      overhead.observe(overheadRequest, Math.max(0, sample.overheadMs) / 1000);
      if (sample.timeToFirstTokenMs !== undefined) firstToken.observe(firstToken.child(sample.provider, sample.model), sample.timeToFirstTokenMs / 1000);
      if (sample.code !== undefined) requestErrors.child(sample.provider, sample.model, sample.code).value += 1;
      if (sample.usage !== undefined) {
        if (sample.usage.inputTokens > 0) inputTokens.child(sample.provider, sample.model).value += sample.usage.inputTokens;
        if (sample.usage.outputTokens > 0) outputTokens.child(sample.provider, sample.model).value += sample.usage.outputTokens;
      }
      if (typeof sample.cost === 'number' && sample.cost > 0) cost.child(sample.provider, sample.model).value += sample.cost;
    },
    recordUpstream(sample) {
      upstreamCalls.child(sample.provider, sample.model, sample.status).value += 1;
      upstreamDuration.observe(upstreamDuration.child(sample.provider, sample.model, sample.status), sample.durationMs / 1000);
      if (sample.code !== undefined) upstreamErrors.child(sample.provider, sample.code).value += 1;
    },
    recordCache(sample) {
      if (sample.outcome === 'hit') cacheHits.child(sample.layer).value += 1;
      else if (sample.outcome === 'miss') cacheMisses.child(sample.layer).value += 1;
      else if (sample.outcome === 'error') cacheErrors.child(sample.layer).value += 1;
      else cacheWrites.child(sample.layer, sample.operation).value += 1;
      cacheDuration.observe(cacheDuration.child(sample.layer, sample.operation), sample.durationMs / 1000);
    },
    recordGateway(sample) {
      httpRequests.child(sample.route, sample.method, String(sample.statusCode)).value += 1;
      httpDuration.observe(httpDuration.child(sample.route, sample.method), sample.durationMs / 1000);
      overhead.observe(overhead.child('gateway'), Math.max(0, sample.overheadMs) / 1000);
    },
    recordRetry(provider, model, code) {
      retries.child(provider, model, code).value += 1;
    },
    recordFallback(from, to, code) {
      fallbacks.child(from, to, code).value += 1;
    },
    recordThresholdExceeded(name) {
      thresholds.child(name).value += 1;
    },
    recordProcessError(kind) {
      processErrors.child(kind).value += 1;
    },
    registerPoolSource(source) {
      poolSources.add(source);
      return () => {
        poolSources.delete(source);
      };
    },
    reset() {
      for (const family of families) family.reset();
      overheadRequest = overhead.child('request');
    },
    close() {
      poolSources.clear();
      for (const family of families) family.reset();
      registry.clear();
    },
  };
}
