import { parseCachedResponse, serializeCachedResponse, toCacheHitResponse } from '../cache/response-cache-entry.js';
import type { ChatRequest } from '../spec/request.js';
import type { CacheStatus, ChatResponse } from '../spec/response.js';
import type { DriverGenerateResult } from '../spec/driver.js';
import type { ClientContext, RequestScope } from './context.js';
import { planResponseCache } from './response-caching.js';
import { generateUpstream, type Answered } from './upstream.js';
import type { ModelTarget } from './model-resolver.js';

function toResponse(context: ClientContext, scope: RequestScope, answered: Answered<DriverGenerateResult>, cache: CacheStatus): ChatResponse {
  const { target, value } = answered;
  return {
    id: value.id,
    provider: target.provider,
    model: target.model,
    content: value.content,
    toolCalls: value.toolCalls,
    finishReason: value.finishReason,
    usage: value.usage,
    cost: context.cost(value.usage, target.model),
    latencyMs: Math.round(performance.now() - scope.startedAt),
    cache,
    ...(value.warnings && value.warnings.length > 0 ? { warnings: value.warnings } : {}),
    ...(value.reasoning !== undefined ? { reasoning: value.reasoning } : {}),
    ...(value.logprobs !== undefined ? { logprobs: value.logprobs } : {}),
    ...(value.stopSequence !== undefined ? { stopSequence: value.stopSequence } : {}),
    ...(value.native !== undefined ? { native: value.native } : {}),
  };
}

/**
 * One chat completion: the response cache first (single-flight when it may
 * both read and write), then the route's targets with retries and fallback.
 */
export async function runChat(context: ClientContext, request: ChatRequest, scope: RequestScope, targets: ModelTarget[]): Promise<ChatResponse> {
  const plan = planResponseCache(context, request, targets, false);
  const upstream = async (status: CacheStatus) => toResponse(context, scope, await generateUpstream(context, request, targets, scope), status);
  if (!plan) return upstream('bypass');

  const cache = await context.services.cache();
  if (plan.decision.read && plan.decision.write) {
    const key = plan.key;
    const { value, leader } = await context.flights.join(key, request.signal, async (signal) => {
      // The shared work answers every identical caller, so it runs under the flight's signal, not one caller's.
      const shared: ChatRequest = { ...request, signal };
      let computed: ChatResponse | undefined;
      const result = await cache.getOrCompute(
        key,
        async () => {
          computed = toResponse(context, scope, await generateUpstream(context, shared, targets, scope), 'miss');
          return serializeCachedResponse(computed);
        },
        { ttlMs: plan.decision.ttlMs, shouldStore: () => computed !== undefined && computed.finishReason !== 'error' },
      );
      if (computed) return computed;
      const cached = parseCachedResponse(result.value);
      if (!cached) return toResponse(context, scope, await generateUpstream(context, shared, targets, scope), 'miss');
      const latencyMs = Math.round(performance.now() - scope.startedAt);
      // Computed by another process that held the lock: this process waited for it, so it is this call's miss too, at no cost.
      return result.source === 'compute' ? { ...toCacheHitResponse(cached, 'memory', latencyMs), cache: 'miss' as const } : toCacheHitResponse(cached, result.source, latencyMs);
    });
    if (leader) return value;
    // A caller that joined an identical call in flight shares its answer; the cost was paid once, by the leader.
    return { ...value, cost: value.cache === 'miss' ? 0 : value.cost, latencyMs: Math.round(performance.now() - scope.startedAt) };
  }
  if (plan.decision.read) {
    const hit = await cache.get(plan.key);
    const cached = hit && parseCachedResponse(hit.value);
    if (hit && cached) return toCacheHitResponse(cached, hit.layer, Math.round(performance.now() - scope.startedAt));
    return upstream('miss');
  }
  const response = await upstream('miss');
  if (response.finishReason !== 'error') await cache.set(plan.key, serializeCachedResponse(response), plan.decision.ttlMs);
  return response;
}
