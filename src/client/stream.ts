import { parseCachedResponse, replayCachedResponse, serializeCachedResponse } from '../cache/response-cache-entry.js';
import { createStreamCapture } from '../cache/stream-capture.js';
import type { ChatRequest } from '../spec/request.js';
import type { FinishPart, StreamPart } from '../spec/stream.js';
import type { ClientContext, RequestScope } from './context.js';
import type { ModelTarget } from './model-resolver.js';
import { drainOpenedStream } from './open-stream.js';
import { planResponseCache } from './response-caching.js';
import { openUpstreamStream } from './upstream.js';

const REPLAY_CHUNK_CHARS = 1024;

/**
 * A streamed chat completion. A cache hit is replayed as parts; otherwise the
 * upstream stream is passed through part by part (nothing is held but what
 * the cache will store), its finish part completed with the response fields,
 * and, when allowed, the assembled answer stored once it finished well.
 */
export async function* runStream(context: ClientContext, request: ChatRequest, scope: RequestScope, targets: ModelTarget[]): AsyncGenerator<StreamPart> {
  const plan = planResponseCache(context, request, targets, true);
  const cache = plan ? await context.services.cache() : undefined;
  if (plan?.decision.read && cache) {
    const hit = await cache.get(plan.key);
    const cached = hit && parseCachedResponse(hit.value);
    if (hit && cached) {
      // Large text deltas: a replay has no reason to imitate token pacing, and fewer parts cost less to pass on.
      for await (const part of replayCachedResponse(cached, { layer: hit.layer, startedAt: scope.startedAt, chunkSize: REPLAY_CHUNK_CHARS })) {
        if (part.type === 'finish') annotate(scope, part);
        yield part;
      }
      return;
    }
  }

  const { target, value: opened } = await openUpstreamStream(context, request, targets, scope);
  // Characters never outnumber UTF-8 bytes, so this bound keeps exactly what could still fit in a cache entry.
  const capture = plan?.decision.write ? createStreamCapture({ maxChars: context.config.cache.maxEntryBytes }) : undefined;
  let finished = false;
  try {
    for await (const part of drainOpenedStream(opened)) {
      if (part.type !== 'finish') {
        capture?.push(part);
        yield part;
        continue;
      }
      const identity = { id: part.id ?? scope.requestId, provider: target.provider, model: target.model };
      capture?.push(part);
      const captured = capture?.result(identity);
      if (plan && cache && captured) await cache.set(plan.key, serializeCachedResponse(captured), plan.decision.ttlMs);
      finished = true;
      const finish: FinishPart = {
        ...part,
        ...identity,
        cost: context.cost(part.usage, target.model),
        latencyMs: Math.round(performance.now() - scope.startedAt),
        cache: plan ? 'miss' : 'bypass',
        ...(captured ? { toolCalls: captured.toolCalls } : {}),
      };
      annotate(scope, finish);
      yield finish;
    }
  } finally {
    if (!finished) capture?.abort();
  }
}

/** Gives the tracked request the answer's identity, cache status and cost. */
function annotate(scope: RequestScope, finish: FinishPart): void {
  scope.handle.set({ provider: finish.provider, model: finish.model, cache: finish.cache, cost: finish.cost, usage: finish.usage, finishReason: finish.finishReason });
}
