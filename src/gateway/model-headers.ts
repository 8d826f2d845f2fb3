import type { CacheStatus } from '../spec/response.js';

/** What the `x-switchyard-*` headers of a model response say. */
export interface ModelHeaderValues {
  requestId: string;
  cache: CacheStatus;
  provider: string;
  model: string;
  /** Time in the gateway, upstream excluded; rounded to 0.01 ms. */
  overheadMs: number;
}

/** The headers every model response carries (chat, messages, embeddings; streamed or not). */
export function modelHeaders(values: ModelHeaderValues): Record<string, string> {
  return {
    'x-request-id': values.requestId,
    'x-switchyard-cache': values.cache,
    'x-switchyard-provider': values.provider,
    'x-switchyard-model': values.model,
    'x-switchyard-overhead-ms': (Math.round(values.overheadMs * 100) / 100).toFixed(2),
  };
}
