import { getHeapStatistics } from 'node:v8';
import { performance } from 'node:perf_hooks';
import type { Span } from '@opentelemetry/api';
import type { CacheLayerName, CacheStatus, ErrorCode, FinishReason, Usage } from '../spec/index.js';
import type { CacheOperation, CacheOutcome, RequestOperation } from './events.js';
import type { SwitchyardLogger } from './logger.js';

/** What `track` wraps: a client request, an upstream provider call, a cache access or a gateway HTTP request. */
export type TrackKind = 'request' | 'upstream' | 'cache' | 'gateway';

/** A client call (chat, stream, embed). Set `provider`, `model`, `cache`, `usage`, `cost` once known. */
export interface RequestAttributes {
  requestId: string;
  operation: RequestOperation;
  /** The requested model; set it to the answering `provider/model` before `end()`. */
  model: string;
  provider?: string;
  tenant?: string;
  cache?: CacheStatus;
  usage?: Usage;
  cost?: number | null;
  finishReason?: FinishReason;
}

/** One upstream provider call (one attempt). */
export interface UpstreamAttributes {
  requestId?: string;
  provider: string;
  /** `provider/model`. */
  model: string;
  operation: 'generate' | 'stream' | 'embed' | 'list-models' | 'batch';
  /** 1 for the first attempt. */
  attempt?: number;
  usage?: Usage;
  finishReason?: FinishReason;
}

/**
 * One cache access. Without an explicit `outcome`, a `get` that returns
 * `undefined` or `null` is a miss and anything else a hit; `set` is a write;
 * `delete`, `clear` and `prune` are deletes; a throw is an error.
 */
export interface CacheAttributes {
  requestId?: string;
  layer: CacheLayerName;
  operation: CacheOperation;
  outcome?: CacheOutcome;
}

/** One gateway HTTP request. `route` is the route pattern (`/v1/chat/completions`), never the raw URL. */
export interface GatewayAttributes {
  requestId: string;
  route: string;
  method: string;
  /** Set before `end()`; default 200, or 500 after `fail()` without a status. */
  statusCode?: number;
  tenant?: string;
}

/** The attributes of each kind. */
export interface TrackAttributeMap {
  request: RequestAttributes;
  upstream: UpstreamAttributes;
  cache: CacheAttributes;
  gateway: GatewayAttributes;
}

/** What a finished operation measured. */
export interface TrackResult {
  status: 'ok' | 'error';
  durationMs: number;
  /** Time in tracked upstream calls below this operation. */
  upstreamMs: number;
  /** `durationMs - upstreamMs`. */
  overheadMs: number;
  /** Streams: time to the first generated part. */
  timeToFirstTokenMs?: number;
  /** V8 heap growth over the operation (client and gateway requests in a recorded span only). */
  heapDeltaBytes?: number;
  code?: ErrorCode;
}

/** A started operation: annotate with `set`, finish with exactly one `end()` or `fail()` (later calls return the first result). */
export interface TrackHandle<K extends TrackKind = TrackKind> {
  readonly kind: K;
  readonly attributes: Readonly<TrackAttributeMap[K]>;
  /** A child logger bound to this operation's request id and kind, created on first use. */
  readonly logger: SwitchyardLogger;
  /** The OpenTelemetry span; undefined when monitoring is off. */
  readonly span: Span | undefined;
  /** Merges attributes known only later (answering model, usage, cache status, HTTP status). */
  set(attributes: Partial<TrackAttributeMap[K]>): this;
  /** Marks the first generated part of a stream; later calls are ignored. */
  markFirstToken(): void;
  /** Adds upstream time measured elsewhere; tracked upstream children add theirs automatically. */
  addUpstreamTime(durationMs: number): void;
  /** Milliseconds since start. */
  elapsedMs(): number;
  /** Milliseconds since start minus upstream time so far: the `x-switchyard-overhead-ms` figure. */
  overheadMs(): number;
  end(): TrackResult;
  fail(error: unknown): TrackResult;
}

/** What finishing an operation feeds: implemented by the tracker. */
export interface OperationSink {
  readonly logger: SwitchyardLogger;
  finish(operation: TrackedOperation<TrackKind>, error: unknown, failed: boolean): TrackResult;
}

/** The handle implementation: a small class, one allocation per tracked operation. */
export class TrackedOperation<K extends TrackKind> implements TrackHandle<K> {
  readonly kind: K;
  readonly attributes: TrackAttributeMap[K];
  readonly span: Span | undefined;
  readonly parent: TrackedOperation<TrackKind> | undefined;
  readonly startedAt: number;
  readonly startHeap: number;
  upstreamMs = 0;
  firstTokenAt: number | undefined;
  #result: TrackResult | undefined;
  #logger: SwitchyardLogger | undefined;
  readonly #sink: OperationSink;

  constructor(
    sink: OperationSink,
    kind: K,
    attributes: TrackAttributeMap[K],
    parent: TrackedOperation<TrackKind> | undefined,
    span: Span | undefined,
    measureHeap: boolean,
  ) {
    this.#sink = sink;
    this.kind = kind;
    // Object.assign, not a spread: on V8 (Node 20) adding properties later (`set`) to a
    // spread-cloned object costs microseconds; to an assigned copy, nanoseconds.
    this.attributes = Object.assign({}, attributes);
    this.parent = parent;
    this.span = span;
    this.startHeap = measureHeap ? getHeapStatistics().used_heap_size : -1;
    this.startedAt = performance.now();
  }

  get logger(): SwitchyardLogger {
    this.#logger ??= this.#sink.logger.child({ requestId: this.attributes.requestId, kind: this.kind });
    return this.#logger;
  }

  /** True once ended or failed. */
  get finished(): boolean {
    return this.#result !== undefined;
  }

  set(attributes: Partial<TrackAttributeMap[K]>): this {
    Object.assign(this.attributes, attributes);
    return this;
  }

  markFirstToken(): void {
    this.firstTokenAt ??= performance.now();
  }

  addUpstreamTime(durationMs: number): void {
    this.upstreamMs += durationMs;
    this.parent?.addUpstreamTime(durationMs);
  }

  elapsedMs(): number {
    return performance.now() - this.startedAt;
  }

  overheadMs(): number {
    return Math.max(0, this.elapsedMs() - this.upstreamMs);
  }

  end(): TrackResult {
    this.#result ??= this.#sink.finish(this, undefined, false);
    return this.#result;
  }

  fail(error: unknown): TrackResult {
    this.#result ??= this.#sink.finish(this, error, true);
    return this.#result;
  }
}
