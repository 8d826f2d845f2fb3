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
  };
}

/**
 * One chat completion: the response cache first (single-flight when it may
 * both read and write), then the route's targets with retries and fallback.
 */
export async function runChat(context: ClientContext, request: ChatRequest, scope: RequestScope, targets: ModelTarget[]): Promise<ChatResponse> {
  const plan = planResponseCache(context, request, targets);
  const upstream = async (status: CacheStatus) => toResponse(context, scope, await generateUpstream(context, request, targets, scope), status);
  if (!plan) return upstream('bypass');

  const cache = await context.services.cache();
  if (plan.decision.read && plan.decision.write) {
    let computed: ChatResponse | undefined;
    const result = await cache.getOrCompute(
      plan.key,
      async () => {
        computed = await upstream('miss');
        return serializeCachedResponse(computed);
      },
      { ttlMs: plan.decision.ttlMs, shouldStore: () => computed !== undefined && computed.finishReason !== 'error' },
    );
    if (computed) return computed;
    const cached = parseCachedResponse(result.value);
    if (!cached) return upstream('miss');
    const latencyMs = Math.round(performance.now() - scope.startedAt);
    // A value computed by a concurrent caller in this process: shared, so it cost this caller nothing.
    return result.source === 'compute' ? { ...toCacheHitResponse(cached, 'memory', latencyMs), cache: 'miss' } : toCacheHitResponse(cached, result.source, latencyMs);
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
