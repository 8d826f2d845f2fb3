import { responseCacheKey } from '../cache/response-cache-key.js';
import { decideResponseCaching, type ResponseCacheDecision } from '../cache/response-cache-policy.js';
import type { ChatRequest } from '../spec/request.js';
import type { ClientContext } from './context.js';
import type { ModelTarget } from './model-resolver.js';
import { generationSettings } from './request-check.js';

/** The cache key and what the call may do with it. */
export interface ResponseCachePlan {
  key: string;
  decision: ResponseCacheDecision;
}

/**
 * Decides how one call uses the response cache; undefined means bypass. A
 * route is keyed by all its members in order, so a fallback answer is shared
 * only by calls of the same route.
 */
export function planResponseCache(context: ClientContext, request: ChatRequest, targets: ModelTarget[], stream: boolean): ResponseCachePlan | undefined {
  const { cache } = context.config;
  const decision = decideResponseCaching(
    { enabled: cache.responses, temperatureThreshold: cache.temperatureThreshold, defaultTtlMs: cache.ttlSeconds * 1000 },
    request,
  );
  if (!decision.read && !decision.write) return undefined;
  const single = targets.length === 1 ? targets[0] : undefined;
  const key = responseCacheKey({
    provider: single ? single.provider : 'route',
    modelId: single ? single.modelId : targets.map((target) => target.model).join('|'),
    tenant: request.tenant,
    settings: generationSettings(request),
    stream,
  });
  return { key, decision };
}
