import type { CacheStatus, ErrorCode, Usage } from '../spec/index.js';
import type { CacheLayerName } from '../spec/index.js';
import type { CacheOutcome } from './events.js';

const CACHE_STATUSES: readonly CacheStatus[] = ['hit-memory', 'hit-redis', 'hit-sql', 'miss', 'bypass'];
const CACHE_LAYERS: readonly CacheLayerName[] = ['memory', 'redis', 'sql'];
const CACHE_OUTCOMES: readonly CacheOutcome[] = ['hit', 'miss', 'write', 'delete', 'error'];
const NO_STATUS = 255;

/** One finished client request, as the store keeps it. */
export interface SummaryRequest {
  model: string;
  ok: boolean;
  durationMs: number;
  overheadMs: number;
  cache?: CacheStatus;
  usage?: Usage;
  cost?: number | null;
  code?: ErrorCode;
}

/** Latency figures in milliseconds over the window; zeros when there were no requests. */
export interface LatencySummary {
  p50: number;
  p90: number;
  p95: number;
  p99: number;
  max: number;
  mean: number;
}

/** Hits, misses and errors of one cache layer over the window; `hitRatio` null without lookups. */
export interface LayerSummary {
  hits: number;
  misses: number;
  errors: number;
  hitRatio: number | null;
}

/** One model's share of the window. */
export interface ModelSummary {
  model: string;
  requests: number;
  errors: number;
  inputTokens: number;
  outputTokens: number;
  costUsd: number;
}

/** The dashboard's JSON (`GET /api/stats`): rolling-window figures plus lifetime totals. */
export interface StatsSnapshot {
  generatedAt: string;
  windowSeconds: number;
  /** False when monitoring is off: the figures then stay zero. */
  monitoring: boolean;
  requests: { total: number; succeeded: number; failed: number; perSecond: number; inFlight: number };
  latencyMs: LatencySummary;
  overheadMs: LatencySummary;
  cache: {
    byLayer: Record<CacheLayerName, LayerSummary>;
    /** Responses by cache status. */
    byStatus: Record<CacheStatus, number>;
    /** Share of successful responses served from any cache layer; null without responses. */
    responseHitRatio: number | null;
  };
  /** Up to 10 models, most requests first. */
  topModels: ModelSummary[];
  tokens: { input: number; output: number };
  costUsd: number;
  errorsByCode: Partial<Record<ErrorCode, number>>;
  lifetime: { requests: number; errors: number; inputTokens: number; outputTokens: number; costUsd: number };
  memory: { heapUsedMb: number; rssMb: number };
}

/** Options of `createSummaryStore`. */
export interface SummaryStoreOptions {
  /** Requests kept; older ones are overwritten. Default 10,000. */
  capacity?: number;
  /** The rolling window. Default 60,000 ms. */
  windowMs?: number;
  /** Clock for timestamps (epoch ms). Default `Date.now`. */
  now?: () => number;
  /** False: recording is a no-op and snapshots report `monitoring: false`. Default true. */
  enabled?: boolean;
}

/** Rolling-window request and cache statistics over fixed-size ring buffers. */
export interface SummaryStore {
  recordRequest(request: SummaryRequest): void;
  recordCache(layer: CacheLayerName, outcome: CacheOutcome): void;
  /** Adds `delta` to the in-flight count. */
  inFlight(delta: number): void;
  snapshot(): StatsSnapshot;
  clear(): void;
}

/**
 * Creates the summary store. Records live in preallocated typed arrays (model
 * and code strings by reference), so recording allocates nothing; a snapshot
 * walks the buffer once and sorts the window's latencies.
 */
export function createSummaryStore(options: SummaryStoreOptions = {}): SummaryStore {
  const capacity = options.capacity ?? 10_000;
  const windowMs = options.windowMs ?? 60_000;
  const now = options.now ?? Date.now;
  const enabled = options.enabled ?? true;
  const startedAt = now();

  const times = new Float64Array(capacity);
  const durations = new Float64Array(capacity);
  const overheads = new Float64Array(capacity);
  const inputs = new Float64Array(capacity);
  const outputs = new Float64Array(capacity);
  const costs = new Float64Array(capacity);
  const statuses = new Uint8Array(capacity);
  const oks = new Uint8Array(capacity);
  const models: string[] = new Array<string>(capacity).fill('');
  const codes: Array<ErrorCode | undefined> = new Array<ErrorCode | undefined>(capacity).fill(undefined);
  let next = 0;
  let count = 0;

  const cacheCapacity = capacity * 3;
  const cacheTimes = new Float64Array(cacheCapacity);
  const cacheLayers = new Uint8Array(cacheCapacity);
  const cacheOutcomes = new Uint8Array(cacheCapacity);
  let cacheNext = 0;
  let cacheCount = 0;

  let inFlightCount = 0;
  const lifetime = { requests: 0, errors: 0, inputTokens: 0, outputTokens: 0, costUsd: 0 };

  return {
    recordRequest(request) {
      if (!enabled) return;
      const slot = next;
      times[slot] = now();
      durations[slot] = request.durationMs;
      overheads[slot] = request.overheadMs;
      inputs[slot] = request.usage?.inputTokens ?? 0;
      outputs[slot] = request.usage?.outputTokens ?? 0;
      costs[slot] = typeof request.cost === 'number' ? request.cost : 0;
      statuses[slot] = request.cache === undefined ? NO_STATUS : CACHE_STATUSES.indexOf(request.cache);
      oks[slot] = request.ok ? 1 : 0;
      models[slot] = request.model;
      codes[slot] = request.code;
      next = (slot + 1) % capacity;
      if (count < capacity) count += 1;
      lifetime.requests += 1;
      if (!request.ok) lifetime.errors += 1;
      lifetime.inputTokens += inputs[slot];
      lifetime.outputTokens += outputs[slot];
      lifetime.costUsd += costs[slot];
    },
    recordCache(layer, outcome) {
      if (!enabled) return;
      cacheTimes[cacheNext] = now();
      cacheLayers[cacheNext] = CACHE_LAYERS.indexOf(layer);
      cacheOutcomes[cacheNext] = CACHE_OUTCOMES.indexOf(outcome);
      cacheNext = (cacheNext + 1) % cacheCapacity;
      if (cacheCount < cacheCapacity) cacheCount += 1;
    },
    inFlight(delta) {
      if (enabled) inFlightCount += delta;
    },
    snapshot() {
      const at = now();
      const since = at - windowMs;
      const latencies: number[] = [];
      const overheadValues: number[] = [];
      const byStatus = Object.fromEntries(CACHE_STATUSES.map((status) => [status, 0])) as Record<CacheStatus, number>;
      const errorsByCode: Partial<Record<ErrorCode, number>> = {};
      const perModel = new Map<string, ModelSummary>();
      let succeeded = 0;
      let failed = 0;
      let input = 0;
      let output = 0;
      let costUsd = 0;
      for (let offset = 1; offset <= count; offset += 1) {
        const slot = (next - offset + capacity) % capacity;
        if (times[slot] < since) break; // older from here on
        const ok = oks[slot] === 1;
        latencies.push(durations[slot]);
        overheadValues.push(overheads[slot]);
        if (ok) succeeded += 1;
        else failed += 1;
        if (statuses[slot] !== NO_STATUS) byStatus[CACHE_STATUSES[statuses[slot]]] += 1;
        const code = codes[slot];
        if (code !== undefined) errorsByCode[code] = (errorsByCode[code] ?? 0) + 1;
        input += inputs[slot];
        output += outputs[slot];
        costUsd += costs[slot];
        const model = models[slot];
        let summary = perModel.get(model);
        if (summary === undefined) {
          summary = { model, requests: 0, errors: 0, inputTokens: 0, outputTokens: 0, costUsd: 0 };
          perModel.set(model, summary);
        }
        summary.requests += 1;
        if (!ok) summary.errors += 1;
        summary.inputTokens += inputs[slot];
        summary.outputTokens += outputs[slot];
        summary.costUsd += costs[slot];
      }

      const byLayer = Object.fromEntries(
        CACHE_LAYERS.map((layer) => [layer, { hits: 0, misses: 0, errors: 0, hitRatio: null }]),
      ) as Record<CacheLayerName, LayerSummary>;
      for (let offset = 1; offset <= cacheCount; offset += 1) {
        const slot = (cacheNext - offset + cacheCapacity) % cacheCapacity;
        if (cacheTimes[slot] < since) break;
        const layer = byLayer[CACHE_LAYERS[cacheLayers[slot]]];
        const outcome = CACHE_OUTCOMES[cacheOutcomes[slot]];
        if (outcome === 'hit') layer.hits += 1;
        else if (outcome === 'miss') layer.misses += 1;
        else if (outcome === 'error') layer.errors += 1;
      }
      for (const layer of Object.values(byLayer)) {
        const lookups = layer.hits + layer.misses;
        layer.hitRatio = lookups === 0 ? null : layer.hits / lookups;
      }

      const cacheHits = byStatus['hit-memory'] + byStatus['hit-redis'] + byStatus['hit-sql'];
      const elapsedSeconds = Math.max(1, Math.min(windowMs, at - startedAt) / 1000);
      const memory = process.memoryUsage();
      return {
        generatedAt: new Date(at).toISOString(),
        windowSeconds: windowMs / 1000,
        monitoring: enabled,
        requests: {
          total: succeeded + failed,
          succeeded,
          failed,
          perSecond: (succeeded + failed) / elapsedSeconds,
          inFlight: inFlightCount,
        },
        latencyMs: summarize(latencies),
        overheadMs: summarize(overheadValues),
        cache: { byLayer, byStatus, responseHitRatio: succeeded === 0 ? null : cacheHits / succeeded },
        topModels: [...perModel.values()].sort((a, b) => b.requests - a.requests).slice(0, 10),
        tokens: { input, output },
        costUsd,
        errorsByCode,
        lifetime: { ...lifetime },
        memory: { heapUsedMb: memory.heapUsed / 1048576, rssMb: memory.rss / 1048576 },
      };
    },
    clear() {
      next = 0;
      count = 0;
      cacheNext = 0;
      cacheCount = 0;
      inFlightCount = 0;
      lifetime.requests = lifetime.errors = lifetime.inputTokens = lifetime.outputTokens = lifetime.costUsd = 0;
    },
  };
}

/** Nearest-rank percentiles, max and mean of `values` (left unmodified). */
export function summarize(values: number[]): LatencySummary {
  if (values.length === 0) return { p50: 0, p90: 0, p95: 0, p99: 0, max: 0, mean: 0 };
  const sorted = Float64Array.from(values).sort();
  const rank = (percentile: number) => sorted[Math.min(sorted.length - 1, Math.ceil((percentile / 100) * sorted.length) - 1)];
  let total = 0;
  for (const value of sorted) total += value;
  return { p50: rank(50), p90: rank(90), p95: rank(95), p99: rank(99), max: sorted[sorted.length - 1], mean: total / sorted.length };
}
