// OpenTelemetry spans: the host registers a tracer provider (here a small recording one
// written against @opentelemetry/api, as an SDK would be) and the tracker's spans appear
// with names, parentage, attributes and error status; without monitoring, none do.
import { AsyncLocalStorage } from 'node:async_hooks';
import {
  ROOT_CONTEXT,
  context as otelContext,
  trace,
  SpanStatusCode,
  TraceFlags,
  type Attributes,
  type AttributeValue,
  type Context,
  type ContextManager,
  type Span,
  type SpanContext,
  type SpanOptions,
  type SpanStatus,
  type Tracer,
  type TracerProvider,
} from '@opentelemetry/api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createObservability } from '../src/observability/index.js';
import { SwitchyardError } from '../src/spec/index.js';

interface RecordedSpan {
  name: string;
  spanId: string;
  parentSpanId: string | undefined;
  attributes: Attributes;
  status: SpanStatus;
  ended: boolean;
}

const recorded: RecordedSpan[] = [];
let nextId = 1;

class RecordingSpan implements Span {
  readonly #context: SpanContext;
  readonly record: RecordedSpan;
  constructor(name: string, parent: SpanContext | undefined) {
    const spanId = String(nextId++).padStart(16, '0');
    this.#context = { traceId: parent?.traceId ?? '0af7651916cd43dd8448eb211c80319c', spanId, traceFlags: TraceFlags.SAMPLED };
    this.record = { name, spanId, parentSpanId: parent?.spanId, attributes: {}, status: { code: SpanStatusCode.UNSET }, ended: false };
    recorded.push(this.record);
  }
  spanContext(): SpanContext {
    return this.#context;
  }
  setAttribute(key: string, value: AttributeValue): this {
    this.record.attributes[key] = value;
    return this;
  }
  setAttributes(attributes: Attributes): this {
    Object.assign(this.record.attributes, attributes);
    return this;
  }
  addEvent(): this {
    return this;
  }
  addLink(): this {
    return this;
  }
  addLinks(): this {
    return this;
  }
  setStatus(status: SpanStatus): this {
    this.record.status = status;
    return this;
  }
  updateName(name: string): this {
    this.record.name = name;
    return this;
  }
  end(): void {
    this.record.ended = true;
  }
  isRecording(): boolean {
    return !this.record.ended;
  }
  recordException(): void {}
}

const tracer: Tracer = {
  startSpan(name: string, _options?: SpanOptions, context?: Context): Span {
    return new RecordingSpan(name, trace.getSpanContext(context ?? otelContext.active()));
  },
  startActiveSpan(name: string, ...rest: unknown[]) {
    const fn = rest.at(-1) as (span: Span) => unknown;
    return fn(this.startSpan(name));
  },
} as Tracer;
const provider: TracerProvider = { getTracer: () => tracer };

// What an SDK's AsyncLocalStorage context manager does: carry the active context across awaits.
const storage = new AsyncLocalStorage<Context>();
const contextManager: ContextManager = {
  active: () => storage.getStore() ?? ROOT_CONTEXT,
  with: (context, fn, thisArg, ...args) => storage.run(context, () => fn.call(thisArg, ...args)),
  bind: (_context, target) => target,
  enable() {
    return this;
  },
  disable() {
    storage.disable();
    return this;
  },
};

beforeAll(() => {
  expect(trace.setGlobalTracerProvider(provider)).toBe(true);
  expect(otelContext.setGlobalContextManager(contextManager)).toBe(true);
});
afterAll(() => {
  trace.disable();
  otelContext.disable();
});

describe('OpenTelemetry spans', () => {
  it('creates one span per tracked operation, parented like the operations', async () => {
    recorded.length = 0;
    const observability = createObservability({ profile: 'production', logLevel: 'silent' });
    const { tracker } = observability;
    const gateway = tracker.start('gateway', { requestId: 'r1', route: '/v1/chat/completions', method: 'POST' });
    await tracker.track('request', { requestId: 'r1', operation: 'chat', model: 'mock/echo' }, async (request) => {
      await tracker.track('cache', { requestId: 'r1', layer: 'memory', operation: 'get' }, () => undefined);
      await tracker.track('upstream', { requestId: 'r1', provider: 'mock', model: 'mock/echo', operation: 'generate' }, () => 'ok', { parent: request });
      request.set({ provider: 'mock', cache: 'miss', usage: { inputTokens: 4, outputTokens: 6, totalTokens: 10 } });
    }, { parent: gateway });
    gateway.set({ statusCode: 200 }).end();

    expect(recorded.map((span) => span.name)).toEqual([
      'POST /v1/chat/completions',
      'switchyard.request chat',
      'switchyard.cache get',
      'switchyard.upstream generate',
    ]);
    const [gatewaySpan, requestSpan, cacheSpan, upstreamSpan] = recorded;
    expect(requestSpan.parentSpanId).toBe(gatewaySpan.spanId);
    // The cache access named no parent: it nests through the active context that track() sets.
    expect(cacheSpan.parentSpanId).toBe(requestSpan.spanId);
    expect(upstreamSpan.parentSpanId).toBe(requestSpan.spanId);
    expect(recorded.every((span) => span.ended)).toBe(true);
    expect(requestSpan.attributes).toMatchObject({
      'switchyard.request_id': 'r1',
      'gen_ai.system': 'mock',
      'gen_ai.request.model': 'mock/echo',
      'gen_ai.usage.input_tokens': 4,
      'gen_ai.usage.output_tokens': 6,
      'switchyard.cache': 'miss',
    });
    expect(cacheSpan.attributes).toMatchObject({ 'switchyard.cache.layer': 'memory', 'switchyard.cache.outcome': 'miss' });
    expect(gatewaySpan.attributes).toMatchObject({ 'http.route': '/v1/chat/completions', 'http.response.status_code': 200 });
    await observability.close();
  });

  it('marks failures with the error code only, never the message, in production', async () => {
    recorded.length = 0;
    const observability = createObservability({ profile: 'production', logLevel: 'silent' });
    await observability.tracker
      .track('request', { requestId: 'r2', operation: 'chat', model: 'openai/gpt-4o-mini' }, () => {
        throw new SwitchyardError({ code: 'upstream_error', message: 'echo of SECRET-PROMPT' });
      })
      .catch(() => undefined);
    expect(recorded).toHaveLength(1);
    expect(recorded[0].status).toEqual({ code: SpanStatusCode.ERROR, message: 'upstream_error' });
    expect(recorded[0].attributes['error.type']).toBe('upstream_error');
    expect(JSON.stringify(recorded)).not.toContain('SECRET-PROMPT');
    await observability.close();
  });

  it('creates no spans with monitoring off', async () => {
    recorded.length = 0;
    const observability = createObservability({ profile: 'production', logLevel: 'silent', monitoring: false });
    await observability.tracker.track('request', { requestId: 'r3', operation: 'chat', model: 'mock/echo' }, () => 'ok');
    expect(recorded).toHaveLength(0);
    await observability.close();
  });
});
