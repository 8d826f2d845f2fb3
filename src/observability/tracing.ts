import { context, SpanKind, SpanStatusCode, trace, type Attributes, type Span, type Tracer } from '@opentelemetry/api';
import type { TrackAttributeMap, TrackedOperation, TrackKind, TrackResult } from './tracked-operation.js';

const SPAN_KINDS: Record<TrackKind, SpanKind> = {
  request: SpanKind.INTERNAL,
  upstream: SpanKind.CLIENT,
  cache: SpanKind.CLIENT,
  gateway: SpanKind.SERVER,
};

/**
 * Starts the OpenTelemetry span of a tracked operation, under `parent` when
 * given, else under the active context. A no-op span unless the host
 * registered an OpenTelemetry SDK.
 */
export function startOperationSpan(tracer: Tracer, kind: TrackKind, attributes: TrackAttributeMap[TrackKind], parent: Span | undefined): Span {
  const parentContext = parent === undefined || !parent.isRecording() ? context.active() : trace.setSpan(context.active(), parent);
  return tracer.startSpan(spanName(kind, attributes), { kind: SPAN_KINDS[kind] }, parentContext);
}

/** Ends a tracked operation's span with its final attributes; error status carries the code, the message only with content on. */
export function endOperationSpan(
  span: Span,
  operation: TrackedOperation<TrackKind>,
  result: TrackResult,
  error: unknown,
  includeContent: boolean,
): void {
  if (span.isRecording()) {
    span.setAttributes(spanAttributes(operation));
    span.setAttribute('switchyard.duration_ms', result.durationMs);
    if (result.heapDeltaBytes !== undefined) span.setAttribute('switchyard.heap_delta_bytes', result.heapDeltaBytes);
    if (result.status === 'error') {
      span.setAttribute('error.type', result.code ?? 'internal_error');
      const message = includeContent && error instanceof Error ? error.message : result.code;
      span.setStatus({ code: SpanStatusCode.ERROR, message });
    }
  }
  span.end();
}

function spanName(kind: TrackKind, attributes: TrackAttributeMap[TrackKind]): string {
  if (kind === 'gateway') {
    const gateway = attributes as TrackAttributeMap['gateway'];
    return `${gateway.method} ${gateway.route}`;
  }
  return `switchyard.${kind} ${(attributes as { operation: string }).operation}`;
}

/** Every kind's attributes, loosely: for reading whichever are present. */
interface AnyAttributes {
  requestId?: string;
  provider?: string;
  model?: string;
  operation?: string;
  usage?: { inputTokens: number; outputTokens: number };
  cache?: string;
  layer?: string;
  outcome?: string;
  attempt?: number;
  route?: string;
  method?: string;
  statusCode?: number;
  cost?: number | null;
}

function spanAttributes(operation: TrackedOperation<TrackKind>): Attributes {
  const attributes = operation.attributes as AnyAttributes;
  const result: Attributes = { 'switchyard.kind': operation.kind };
  if (attributes.requestId !== undefined) result['switchyard.request_id'] = attributes.requestId;
  if (attributes.provider !== undefined) result['gen_ai.system'] = attributes.provider;
  if (attributes.model !== undefined) result['gen_ai.request.model'] = attributes.model;
  if (attributes.operation !== undefined) result['gen_ai.operation.name'] = attributes.operation;
  if (attributes.usage !== undefined) {
    result['gen_ai.usage.input_tokens'] = attributes.usage.inputTokens;
    result['gen_ai.usage.output_tokens'] = attributes.usage.outputTokens;
  }
  if (attributes.cache !== undefined) result['switchyard.cache'] = attributes.cache;
  if (attributes.layer !== undefined) result['switchyard.cache.layer'] = attributes.layer;
  if (attributes.outcome !== undefined) result['switchyard.cache.outcome'] = attributes.outcome;
  if (attributes.attempt !== undefined) result['switchyard.attempt'] = attributes.attempt;
  if (attributes.route !== undefined) result['http.route'] = attributes.route;
  if (attributes.method !== undefined) result['http.request.method'] = attributes.method;
  if (attributes.statusCode !== undefined) result['http.response.status_code'] = attributes.statusCode;
  if (typeof attributes.cost === 'number') result['switchyard.cost_usd'] = attributes.cost;
  return result;
}
