import { performance } from 'node:perf_hooks';
import { decideResponseCaching } from '../cache/response-cache-policy.js';
import { resolveTargets } from '../client/model-resolver.js';
import { cachingEnabledFor } from '../client/response-caching.js';
import type { CallOptions, Switchyard } from '../client/types.js';
import type { ChatRequest } from '../spec/request.js';
import type { CacheStatus } from '../spec/response.js';
import type { FinishPart, StreamPart } from '../spec/stream.js';

/** A client stream whose first parts have been read, so the response headers can be decided. */
export interface OpenedModelStream {
  /** Parts read before the headers go out: the first, plus any that were ready without waiting on I/O. */
  head: StreamPart[];
  /** The finish part when it was among `head` (a replayed cache hit always is). */
  finish?: FinishPart;
  /** Milliseconds spent waiting for the first part. */
  firstPartWaitMs: number;
  /** What the headers say before the finish part is known. */
  expected: { cache: CacheStatus; provider: string; model: string };
  /** The parts after `head`. Ending it early (`return()`) releases the upstream. */
  rest(): AsyncGenerator<StreamPart>;
  /** Releases the client stream (idempotent). */
  close(): Promise<void>;
}

const NOT_READY = Symbol('not-ready');

function nextTurn(): Promise<typeof NOT_READY> {
  return new Promise((resolve) => setImmediate(resolve, NOT_READY));
}

/**
 * What the headers can honestly say before the finish part: a live stream is
 * a `miss` when the cache policy lets this call read or write, else
 * `bypass`; provider and model are the single target's (a route, whose
 * answering member is known only at the end, reports `route` and its name).
 */
export function expectedStreamIdentity(ai: Switchyard, request: ChatRequest): OpenedModelStream['expected'] {
  const { cache } = ai.config;
  const targets = resolveTargets(request.model, ai.config);
  const decision = decideResponseCaching(
    { enabled: cachingEnabledFor(ai.config.providers, targets), temperatureThreshold: cache.temperatureThreshold, defaultTtlMs: cache.ttlSeconds * 1000 },
    request,
  );
  const single = targets.length === 1 ? targets[0] : undefined;
  return {
    cache: decision.read || decision.write ? 'miss' : 'bypass',
    provider: single ? single.provider : 'route',
    model: single ? single.model : request.model,
  };
}

/**
 * Opens `ai.stream(request)` and reads its first part, so connection, status
 * and cache errors throw here, before any byte is sent, and become a proper
 * HTTP error. Parts that are ready without waiting on I/O (a cache replay) are
 * read too: when they include the finish part, the headers carry the exact
 * cache status and model.
 */
export async function openModelStream(ai: Switchyard, request: ChatRequest, callOptions: CallOptions = {}): Promise<OpenedModelStream> {
  const expected = expectedStreamIdentity(ai, request);
  const iterator = ai.stream(request, callOptions)[Symbol.asyncIterator]();
  const waitStarted = performance.now();
  const first = await iterator.next();
  const firstPartWaitMs = performance.now() - waitStarted;
  const head: StreamPart[] = [];
  let pending: Promise<IteratorResult<StreamPart>> | undefined;
  let exhausted = first.done === true;
  if (!exhausted) head.push(first.value);
  while (!exhausted && head[head.length - 1]?.type !== 'finish') {
    const next = iterator.next();
    const settled = await Promise.race([next.then((result) => ({ result }), (): typeof NOT_READY => NOT_READY), nextTurn()]);
    if (settled === NOT_READY) {
      pending = next; // a slow part or an error: `rest()` awaits it (and rethrows)
      break;
    }
    if (settled.result.done) exhausted = true;
    else head.push(settled.result.value);
  }
  const last = head[head.length - 1];
  let closed = false;

  return {
    head,
    finish: last?.type === 'finish' ? last : undefined,
    firstPartWaitMs,
    expected,
    async *rest() {
      if (pending) {
        const result = await pending;
        pending = undefined;
        if (result.done) return;
        yield result.value;
      }
      if (exhausted || last?.type === 'finish') return;
      for (;;) {
        const result = await iterator.next();
        if (result.done) return;
        yield result.value;
      }
    },
    async close() {
      if (closed) return;
      closed = true;
      await iterator.return?.(undefined);
    },
  };
}
