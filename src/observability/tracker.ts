import { getHeapStatistics } from 'node:v8';
import { performance } from 'node:perf_hooks';
import { context, trace, type Span } from '@opentelemetry/api';
import { SwitchyardError, type ErrorCode } from '../spec/index.js';
import type { CacheOutcome, FallbackEvent, RetryEvent, SwitchyardEvents } from './events.js';
import type { SwitchyardLogger } from './logger.js';
import type { SwitchyardMetrics } from './metrics.js';
import type { ResourceMonitor } from './resource-monitor.js';
import type { StatsSnapshot, SummaryStore } from './summary-store.js';
import { endOperationSpan, startOperationSpan } from './tracing.js';
import {
  TrackedOperation,
  type OperationSink,
  type TrackAttributeMap,
  type TrackHandle,
  type TrackKind,
  type TrackResult,
} from './tracked-operation.js';

export type {
  CacheAttributes,
  GatewayAttributes,
  RequestAttributes,
  TrackAttributeMap,
  TrackHandle,
  TrackKind,
  TrackResult,
  UpstreamAttributes,
} from './tracked-operation.js';

/** Options of `start` and `track`. */
export interface TrackOptions {
  /** The enclosing operation: its span parents this one, and upstream time adds up to it. */
  parent?: TrackHandle;
}

/** The one tracking entry point for provider calls, cache accesses, client and gateway requests. */
export interface Tracker {
  /** False when monitoring is off: no metrics, spans, stats or thresholds; events and logs still flow. */
  readonly monitoring: boolean;
  /** Starts an operation that is not a single promise (a stream); finish it with `end()` or `fail()`. */
  start<K extends TrackKind>(kind: K, attributes: TrackAttributeMap[K], options?: TrackOptions): TrackHandle<K>;
  /** Runs `fn` as one operation: measured, logged, counted, traced; the result or error passes through. */
  track<K extends TrackKind, T>(
    kind: K,
    attributes: TrackAttributeMap[K],
    fn: (handle: TrackHandle<K>) => T | Promise<T>,
    options?: TrackOptions,
  ): Promise<T>;
  /** Reports a retry: `retry` event, retries metric, debug log. */
  recordRetry(retry: Omit<RetryEvent, 'timestamp'>): void;
  /** Reports a route fallback: `fallback` event, fallbacks metric, info log. */
  recordFallback(fallback: Omit<FallbackEvent, 'timestamp'>): void;
  /** Rolling-window statistics for the dashboard. */
  snapshot(): StatsSnapshot;
}

/** What the tracker feeds. Only `logger`, `events` and `summary` are needed with monitoring off. */
export interface TrackerOptions {
  logger: SwitchyardLogger;
  events: SwitchyardEvents;
  metrics: SwitchyardMetrics;
  summary: SummaryStore;
  /** Fed request durations and upstream calls; started on the first tracked operation (monitoring on). */
  monitor?: ResourceMonitor;
  /** Default true. */
  monitoring?: boolean;
  /** Whether error messages may go into spans. Default false. */
  includeContent?: boolean;
}

/** What metrics and stats show instead of a model name no provider knows. */
export const UNKNOWN_MODEL_LABEL = '(unknown model)';

// Codes that mean the caller asked for something wrong, logged at info; the rest warn (internal_error: error).
const CALLER_FAULT_CODES = new Set<ErrorCode>([
  'invalid_request',
  'model_not_found',
  'not_found',
  'payload_too_large',
  'aborted',
  'unsupported',
  'conflict',
  'authentication_failed',
  'permission_denied',
]);

/** The stable code of anything thrown: a SwitchyardError's code, `aborted` for aborts, else `internal_error`. */
export function errorCodeOf(error: unknown): ErrorCode {
  if (SwitchyardError.is(error)) return error.code;
  if (error instanceof Error) {
    if (error.name === 'AbortError') return 'aborted';
    if (error.name === 'TimeoutError') return 'request_timeout';
  }
  return 'internal_error';
}

/** Creates the tracker. */
export function createTracker(options: TrackerOptions): Tracker {
  const { logger, events, metrics, summary, monitor } = options;
  const monitoring = options.monitoring ?? true;
  const includeContent = options.includeContent ?? false;
  const tracer = trace.getTracer('switchyard');
  let monitorStarted = false;

  const sink: OperationSink = {
    logger,
    finish(operation, error, failed) {
      const endedAt = performance.now();
      const durationMs = endedAt - operation.startedAt;
      if (operation.kind === 'upstream' && operation.parent !== undefined) operation.parent.addUpstreamTime(durationMs);
      const result: TrackResult = {
        status: failed ? 'error' : 'ok',
        durationMs,
        upstreamMs: operation.upstreamMs,
        overheadMs: Math.max(0, durationMs - operation.upstreamMs),
      };
      if (operation.firstTokenAt !== undefined) result.timeToFirstTokenMs = operation.firstTokenAt - operation.startedAt;
      if (operation.startHeap >= 0) result.heapDeltaBytes = getHeapStatistics().used_heap_size - operation.startHeap;
      if (failed) result.code = errorCodeOf(error);
      switch (operation.kind) {
        case 'request':
          finishRequest(operation as TrackedOperation<'request'>, result, error);
          break;
        case 'upstream':
          finishUpstream(operation as TrackedOperation<'upstream'>, result, error);
          break;
        case 'cache':
          finishCache(operation as TrackedOperation<'cache'>, result, error);
          break;
        case 'gateway':
          finishGateway(operation as TrackedOperation<'gateway'>, result, error);
          break;
      }
      if (operation.span !== undefined) endOperationSpan(operation.span, operation, result, error, includeContent);
      return result;
    },
  };

  function finishRequest(operation: TrackedOperation<'request'>, result: TrackResult, error: unknown): void {
    const attributes = operation.attributes;
    // A name no provider knows is the caller's text: it is not kept in metrics labels or the dashboard's stats.
    const unknownModel = result.code === 'model_not_found';
    const model = unknownModel ? UNKNOWN_MODEL_LABEL : attributes.model;
    const provider = unknownModel ? 'unknown' : (attributes.provider ?? providerOf(attributes.model));
    if (monitoring) {
      metrics.inFlight('request', -1);
      summary.inFlight(-1);
      metrics.recordRequest({
        provider,
        model,
        status: result.status,
        cache: attributes.cache ?? 'none',
        durationMs: result.durationMs,
        overheadMs: result.overheadMs,
        timeToFirstTokenMs: result.timeToFirstTokenMs,
        usage: attributes.usage,
        cost: attributes.cost,
        code: result.code,
      });
      summary.recordRequest({
        model,
        ok: result.status === 'ok',
        durationMs: result.durationMs,
        overheadMs: result.overheadMs,
        cache: attributes.cache,
        usage: attributes.usage,
        cost: attributes.cost,
        code: result.code,
      });
      monitor?.recordRequest(result.durationMs, attributes.requestId);
    }
    if (result.status === 'ok') {
      if (events.has('response')) {
        events.emit('response', {
          requestId: attributes.requestId,
          operation: attributes.operation,
          provider,
          model: attributes.model,
          durationMs: result.durationMs,
          upstreamMs: result.upstreamMs,
          overheadMs: result.overheadMs,
          timeToFirstTokenMs: result.timeToFirstTokenMs,
          usage: attributes.usage ?? { inputTokens: 0, outputTokens: 0, totalTokens: 0 },
          cost: attributes.cost ?? null,
          cache: attributes.cache ?? 'bypass',
          finishReason: attributes.finishReason,
          timestamp: Date.now(),
        });
      }
      if (logger.isLevelEnabled('debug')) logger.debug({ ...attributes, ...result }, 'request finished');
      return;
    }
    const code = result.code ?? 'internal_error';
    if (events.has('error')) {
      const switchyardError = SwitchyardError.is(error) ? error : undefined;
      events.emit('error', {
        requestId: attributes.requestId,
        operation: attributes.operation,
        provider: attributes.provider ?? switchyardError?.provider,
        model: attributes.model,
        durationMs: result.durationMs,
        code,
        message: error instanceof Error ? error.message : String(error),
        status: switchyardError?.status,
        retryable: switchyardError?.isRetryable ?? false,
        timestamp: Date.now(),
      });
    }
    const level = code === 'internal_error' ? 'error' : CALLER_FAULT_CODES.has(code) && !hasProvider(error) ? 'info' : 'warn';
    if (logger.isLevelEnabled(level)) {
      logger[level]({ ...attributes, durationMs: result.durationMs, code, err: error }, 'request failed');
    }
  }

  function finishUpstream(operation: TrackedOperation<'upstream'>, result: TrackResult, error: unknown): void {
    const attributes = operation.attributes;
    if (monitoring) {
      metrics.inFlight('upstream', -1);
      metrics.recordUpstream({
        provider: attributes.provider,
        model: result.code === 'model_not_found' ? UNKNOWN_MODEL_LABEL : attributes.model,
        status: result.status,
        durationMs: result.durationMs,
        timeToFirstTokenMs: result.timeToFirstTokenMs,
        code: result.code,
      });
    }
    if (result.status === 'error') {
      // The request-level failure (after retries) warns; one attempt failing is information.
      if (logger.isLevelEnabled('info')) logger.info({ ...attributes, durationMs: result.durationMs, code: result.code, err: error }, 'upstream call failed');
    } else if (logger.isLevelEnabled('debug')) {
      logger.debug({ ...attributes, durationMs: result.durationMs, timeToFirstTokenMs: result.timeToFirstTokenMs }, 'upstream call finished');
    }
  }

  function finishCache(operation: TrackedOperation<'cache'>, result: TrackResult, error: unknown): void {
    const attributes = operation.attributes;
    const outcome: CacheOutcome = result.status === 'error' ? 'error' : (attributes.outcome ?? defaultCacheOutcome(attributes.operation));
    if (monitoring) {
      metrics.recordCache({ layer: attributes.layer, operation: attributes.operation, outcome, durationMs: result.durationMs });
      summary.recordCache(attributes.layer, outcome);
    }
    if (events.has('cache')) {
      events.emit('cache', {
        requestId: attributes.requestId,
        layer: attributes.layer,
        operation: attributes.operation,
        outcome,
        durationMs: result.durationMs,
        code: result.code,
        timestamp: Date.now(),
      });
    }
    if (result.status === 'error') {
      if (logger.isLevelEnabled('warn')) logger.warn({ ...attributes, code: result.code, err: error }, 'cache access failed');
    } else if (logger.isLevelEnabled('trace')) {
      logger.trace({ ...attributes, outcome, durationMs: result.durationMs }, 'cache access');
    }
  }

  function finishGateway(operation: TrackedOperation<'gateway'>, result: TrackResult, error: unknown): void {
    const attributes = operation.attributes;
    const statusCode = attributes.statusCode ?? (result.status === 'error' ? 500 : 200);
    if (monitoring) {
      metrics.inFlight('gateway', -1);
      metrics.recordGateway({
        route: attributes.route,
        method: attributes.method,
        statusCode,
        durationMs: result.durationMs,
        overheadMs: result.overheadMs,
      });
    }
    if (result.status === 'error' && statusCode >= 500) {
      if (logger.isLevelEnabled('warn')) logger.warn({ ...attributes, statusCode, durationMs: result.durationMs, code: result.code, err: error }, 'gateway request failed');
    } else if (logger.isLevelEnabled('debug')) {
      logger.debug({ ...attributes, statusCode, ...result }, 'gateway request finished');
    }
  }

  function start<K extends TrackKind>(kind: K, attributes: TrackAttributeMap[K], trackOptions?: TrackOptions): TrackHandle<K> {
    const parent = trackOptions?.parent instanceof TrackedOperation ? trackOptions.parent : undefined;
    let span: Span | undefined;
    if (monitoring) {
      if (!monitorStarted && monitor !== undefined) {
        // Sampling starts on first use, not at construction.
        monitorStarted = true;
        monitor.start();
      }
      span = startOperationSpan(tracer, kind, attributes, parent?.span);
      if (kind !== 'cache') metrics.inFlight(kind as 'request' | 'upstream' | 'gateway', 1);
      if (kind === 'request') summary.inFlight(1);
      if (kind === 'upstream') monitor?.recordProviderCall();
    }
    // The heap delta only goes into a recorded span: without a tracing SDK (or unsampled) it costs two V8 heap walks for nothing.
    const measureHeap = span !== undefined && (kind === 'request' || kind === 'gateway') && span.isRecording();
    const operation = new TrackedOperation(sink, kind, attributes, parent, span, measureHeap);
    if (kind === 'request' && events.has('request')) {
      const request = attributes as TrackAttributeMap['request'];
      events.emit('request', {
        requestId: request.requestId,
        operation: request.operation,
        model: request.model,
        provider: request.provider,
        tenant: request.tenant,
        timestamp: Date.now(),
      });
    }
    return operation;
  }

  return {
    monitoring,
    start,
    async track(kind, attributes, fn, trackOptions) {
      const operation = start(kind, attributes, trackOptions);
      try {
        // A non-recording span (no SDK, or not sampled) needs no active context for its children.
        const span = operation.span;
        const result =
          span === undefined || !span.isRecording()
            ? await fn(operation)
            : await context.with(trace.setSpan(context.active(), span), () => fn(operation));
        if (kind === 'cache') inferCacheOutcome(operation as TrackHandle<'cache'>, result);
        operation.end();
        return result;
      } catch (error) {
        operation.fail(error);
        throw error;
      }
    },
    recordRetry(retry) {
      if (monitoring) metrics.recordRetry(retry.provider, retry.model, retry.code);
      if (events.has('retry')) events.emit('retry', { ...retry, timestamp: Date.now() });
      if (logger.isLevelEnabled('debug')) logger.debug(retry, 'retrying upstream call');
    },
    recordFallback(fallback) {
      if (monitoring) metrics.recordFallback(fallback.from, fallback.to, fallback.code);
      if (events.has('fallback')) events.emit('fallback', { ...fallback, timestamp: Date.now() });
      if (logger.isLevelEnabled('info')) logger.info(fallback, 'falling back to the next model');
    },
    snapshot: () => summary.snapshot(),
  };
}

function inferCacheOutcome(handle: TrackHandle<'cache'>, result: unknown): void {
  if (handle.attributes.outcome !== undefined || handle.attributes.operation !== 'get') return;
  handle.set({ outcome: result === undefined || result === null ? 'miss' : 'hit' });
}

function defaultCacheOutcome(operation: TrackAttributeMap['cache']['operation']): CacheOutcome {
  if (operation === 'get') return 'miss';
  return operation === 'set' ? 'write' : 'delete';
}

function providerOf(model: string): string {
  const slash = model.indexOf('/');
  return slash > 0 ? model.slice(0, slash) : 'unknown';
}

function hasProvider(error: unknown): boolean {
  return SwitchyardError.is(error) && error.provider !== undefined;
}

