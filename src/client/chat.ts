import { parseCachedResponse, serializeCachedResponse, toCacheHitResponse } from '../cache/response-cache-entry.js';
import type { DriverGenerateResult } from '../spec/driver.js';
import type { ChatResponse } from '../spec/response.js';
import type { ModelTarget } from './model-resolver.js';
import { runPipeline, withSignal, type CallShape, type PipelineCall } from './pipeline.js';

function latencyOf(call: PipelineCall): number {
  return Math.round(performance.now() - call.scope.startedAt);
}

function toResponse(call: PipelineCall, target: ModelTarget, value: DriverGenerateResult): ChatResponse {
  const response: ChatResponse = {
    id: value.id,
    provider: target.provider,
    model: target.model,
    content: value.content,
    toolCalls: value.toolCalls,
    finishReason: value.finishReason,
    usage: value.usage,
    cost: call.context.cost(value.usage, target.model),
    latencyMs: latencyOf(call),
    cache: call.plan ? 'miss' : 'bypass',
  };
  if (value.warnings && value.warnings.length > 0) response.warnings = value.warnings;
  if (value.reasoning !== undefined) response.reasoning = value.reasoning;
  if (value.logprobs !== undefined) response.logprobs = value.logprobs;
  if (value.stopSequence !== undefined) response.stopSequence = value.stopSequence;
  if (value.native !== undefined) response.native = value.native;
  return response;
}

/**
 * The generate shape: an answer is a whole ChatResponse. Identical
 * concurrent calls share one flight in this process and, through the
 * tiered cache's lock (with Redis), one compute across processes.
 */
export const generateShape: CallShape<ChatResponse> = {
  operation: 'generate',
  attempt(call, target, options, attempt) {
    return call.context.observability.tracker.track(
      'upstream',
      { requestId: call.scope.requestId, provider: target.provider, model: target.model, operation: 'generate', attempt },
      async (handle) => {
        const result = await call.context.drivers.get(target.provider).doGenerate(options);
        handle.set({ usage: result.usage, finishReason: result.finishReason });
        return toResponse(call, target, result);
      },
      { parent: call.scope.handle },
    );
  },
  fromCache: (call, cached, layer) => toCacheHitResponse(cached, layer, latencyOf(call)),
  async store(_call, answer, write) {
    if (answer.finishReason !== 'error') await write(serializeCachedResponse(answer));
    return answer;
  },
  async share(call, key, next) {
    const plan = call.plan!;
    const { value, leader } = await call.context.flights.join(key, call.request.signal, async (signal) => {
      // The shared work answers every identical caller, so it runs under the flight's signal; the lock's compute stores it.
      const shared: PipelineCall = { ...withSignal(call, signal), plan: { key, decision: { ...plan.decision, write: false } } };
      const cache = await call.context.services.cache();
      let computed: ChatResponse | undefined;
      const result = await cache.getOrCompute(
        key,
        async () => {
          computed = await next(shared);
          return serializeCachedResponse(computed);
        },
        { ttlMs: plan.decision.ttlMs, shouldStore: () => computed !== undefined && computed.finishReason !== 'error' },
      );
      if (computed) return computed;
      const cached = parseCachedResponse(result.value);
      if (!cached) return next(shared);
      // Computed by another process that held the lock: this process waited for it, so it is this call's miss too, at no cost.
      return result.source === 'compute' ? { ...toCacheHitResponse(cached, 'memory', latencyOf(call)), cache: 'miss' as const } : toCacheHitResponse(cached, result.source, latencyOf(call));
    });
    if (leader) return value;
    // A caller that joined an identical call in flight shares its answer; the cost was paid once, by the leader.
    return { ...value, cost: value.cache === 'miss' ? 0 : value.cost, latencyMs: latencyOf(call) };
  },
};

/** One chat completion through the pipeline. */
export function runChat(call: PipelineCall): Promise<ChatResponse> {
  return runPipeline(call, generateShape);
}
