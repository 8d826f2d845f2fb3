import { cacheStatusOf, replayCachedResponse, serializeCachedResponse } from '../cache/response-cache-entry.js';
import { createStreamCapture } from '../cache/stream-capture.js';
import type { Deadline } from '../core/deadline.js';
import type { TrackHandle } from '../observability/tracked-operation.js';
import type { DriverCallOptions } from '../spec/driver.js';
import type { CallWarning } from '../spec/response.js';
import type { FinishPart, StreamPart, StreamStartPart } from '../spec/stream.js';
import type { ModelTarget } from './model-resolver.js';
import { runPipeline, type CallShape, type PipelineCall } from './pipeline.js';
import { readDirectly } from './direct-reader.js';
import type { PartReader, PartSource, ReaderHooks } from './shared-streams.js';
import { joinStreamFlight } from './stream-flights.js';

/** Watches the parts of a live answer once, for every reader (the cache capture). */
export interface StreamObserver {
  /** A promise holds the part back until it settles (the finish part waits for the cache write). */
  part(part: StreamPart): void | Promise<void>;
  /** The answer ended (`error` when it failed or was left early). */
  end?(error?: unknown): void;
}

/** A stream answer: who answers (the caller's first part) and the parts to read. */
export interface StreamAnswer {
  /** Provider, model, cache status and warnings: the stream's first part. */
  start: StreamStartPart & { provider: string; model: string; cache: StreamStartPart['cache'] & string };
  source: PartSource;
  /** Observers of a live answer's parts (empty for a replay). */
  observers: StreamObserver[];
  /** This caller's reader, when a single flight made it. */
  reader?: PartReader;
}

const REPLAY_CHUNK_CHARS = 1024;

function startOf(provider: string, model: string, cache: NonNullable<StreamStartPart['cache']>, warnings: CallWarning[] | undefined): StreamAnswer['start'] {
  const start: StreamAnswer['start'] = { type: 'stream-start', provider, model, cache };
  if (warnings !== undefined && warnings.length > 0) start.warnings = warnings;
  return start;
}

/** The source of a live upstream stream: the parts read before it committed held, tracked as one upstream operation. */
function liveAnswer(
  call: PipelineCall,
  target: ModelTarget,
  iterator: AsyncIterator<StreamPart>,
  driverStart: StreamStartPart | undefined,
  held: Array<IteratorResult<StreamPart>>,
  handle: TrackHandle<'upstream'>,
): StreamAnswer {
  const observers: StreamObserver[] = [];
  // The driver's own stream-start (warnings, passthrough wire) becomes the caller's; the parts read up to the commit are passed on first.
  let pending: Array<IteratorResult<StreamPart>> | undefined = held;
  let pendingAt = 0;
  let finished = false;
  let firstToken = false;
  const settle = (error?: unknown): void => {
    if (finished) return;
    finished = true;
    if (error === undefined) handle.end();
    else handle.fail(error);
    for (const observer of observers) observer.end?.(error);
  };
  const source: PartSource = {
    next() {
      if (pending === undefined) return iterator.next();
      const step = pending[pendingAt++];
      if (pendingAt === pending.length) pending = undefined;
      return Promise.resolve(step);
    },
    accept(part) {
      if (part.type !== 'finish') {
        if (!firstToken) {
          firstToken = true;
          handle.markFirstToken();
        }
        for (const observer of observers) void observer.part(part);
        return part;
      }
      const finish: FinishPart = Object.assign({}, part, {
        id: part.id ?? call.scope.requestId,
        provider: target.provider,
        model: target.model,
        cost: call.context.cost(part.usage, target.model),
      });
      handle.set({ usage: finish.usage, finishReason: finish.finishReason });
      let writes: Array<Promise<void>> | undefined;
      for (const observer of observers) {
        const write = observer.part(finish);
        if (write) (writes ??= []).push(write);
      }
      return writes ? Promise.all(writes).then(() => finish) : finish;
    },
    end: settle,
    async release() {
      settle(); // a consumer that stops early ends the upstream operation normally
      await iterator.return?.();
    },
  };
  const start = startOf(target.provider, target.model, call.plan ? 'miss' : 'bypass', driverStart?.warnings);
  const first = held[0];
  if (driverStart?.wire !== undefined) start.wire = driverStart.wire;
  else if (!first.done && first.value.type === 'native-event') start.wire = first.value.format;
  return { start, source, observers };
}

/** Most characters of content-free upstream events held before a stream commits anyway (a passthrough stream's preamble is far smaller). */
const MAX_HELD_CHARS = 256 * 1024;

/** True for a part that commits a stream to its upstream: content (a delta, a native event carrying one) or the finish. */
function commits(part: StreamPart): boolean {
  return part.type === 'native-event' ? part.content === true : part.type !== 'stream-start';
}

/**
 * Reads an upstream stream up to its first content part (or its end): the
 * parts before it, held, and that part. A fault before it (garbage, a cut,
 * a stall past `firstContentTimeoutMs`) throws here, so the attempt is
 * retried or the route falls back with nothing sent to the caller.
 */
async function readToFirstContent(
  iterator: AsyncIterator<StreamPart>,
  deadline: Deadline,
  firstContentTimeoutMs: number,
  provider: string,
): Promise<{ driverStart: StreamStartPart | undefined; held: Array<IteratorResult<StreamPart>> }> {
  let step = await iterator.next();
  let driverStart: StreamStartPart | undefined;
  if (!step.done && step.value.type === 'stream-start') {
    // An HTTP driver starts its stream when the upstream answers (2xx): from then on, one timer waits for the first content.
    driverStart = step.value;
    deadline.narrow(firstContentTimeoutMs, `providers.${provider}.firstContentTimeoutMs`);
    step = await iterator.next();
  }
  const held: Array<IteratorResult<StreamPart>> = [];
  let heldChars = 0;
  while (!step.done && !commits(step.value) && heldChars < MAX_HELD_CHARS) {
    held.push(step);
    if (step.value.type === 'native-event') heldChars += step.value.data.length;
    step = await iterator.next();
  }
  held.push(step);
  return { driverStart, held };
}

/** A cached answer replayed as a source: large text deltas, no pacing. */
function replayAnswer(call: PipelineCall, cached: Parameters<typeof replayCachedResponse>[0], layer: Parameters<typeof cacheStatusOf>[0]): StreamAnswer {
  const iterator = replayCachedResponse(cached, { layer, startedAt: call.scope.startedAt, chunkSize: REPLAY_CHUNK_CHARS });
  const source: PartSource = {
    next: () => iterator.next(),
    accept: (part) => part,
    end() {},
    async release() {
      await iterator.return(undefined);
    },
  };
  const start = startOf(cached.provider, cached.model, cacheStatusOf(layer), cached.warnings);
  start.usage = cached.usage;
  if (cached.nativeEvents !== undefined && cached.nativeEvents.length > 0) start.wire = cached.nativeEvents[0].format;
  return { start, source, observers: [] };
}

/**
 * The stream shape: an answer is an opened stream. Retry and fallback act
 * until its first content part (not the upstream's 2xx: a stream that fails
 * before any content reached the caller is retried or falls back);
 * identical concurrent streams share one upstream stream (see
 * stream-flights.ts); a complete, well-finished answer is stored.
 */
export const streamShape: CallShape<StreamAnswer> = {
  operation: 'stream',
  async attempt(call, target, options: DriverCallOptions, attempt, deadline) {
    const handle = call.context.observability.tracker.start(
      'upstream',
      { requestId: call.scope.requestId, provider: target.provider, model: target.model, operation: 'stream', attempt },
      { parent: call.scope.handle },
    );
    const iterator = call.context.drivers.get(target.provider).doStream(options)[Symbol.asyncIterator]();
    try {
      const { driverStart, held } = await readToFirstContent(iterator, deadline, call.context.config.providers[target.provider].firstContentTimeoutMs, target.provider);
      return liveAnswer(call, target, iterator, driverStart, held, handle);
    } catch (error) {
      deadline.relax(); // a retry of this target gets the rest of the whole deadline
      handle.fail(error);
      throw error;
    }
  },
  fromCache: (call, cached, layer) => replayAnswer(call, cached, layer),
  async store(call, answer) {
    // Characters never outnumber UTF-8 bytes, so this bound keeps exactly what could still fit in a cache entry.
    const capture = createStreamCapture({ maxChars: call.context.config.cache.maxEntryBytes });
    const plan = call.plan!;
    const cache = await call.context.services.cache();
    answer.observers.push({
      part(part) {
        capture.push(part);
        if (part.type !== 'finish') return;
        const captured = capture.result({ id: part.id!, provider: part.provider!, model: part.model! });
        if (captured) return cache.set(plan.key, serializeCachedResponse(captured), plan.decision.ttlMs).then(() => undefined);
      },
      end(error) {
        if (error !== undefined) capture.abort();
      },
    });
    return answer;
  },
  share: (call, key, next) => joinStreamFlight(call, key, next, (answer, leader) => readerHooks(call, answer, leader)),
};

/**
 * What each caller's reader does: the finish part gets this call's latency,
 * cache status and cost (a joiner's is 0: the leader paid), and the
 * request's tracked operation sees the first token, the answer and the end.
 */
export function readerHooks(call: PipelineCall, answer: StreamAnswer, leader: boolean): ReaderHooks {
  const handle = call.scope.handle;
  const cache = answer.start.cache;
  let firstToken = false;
  return {
    transform(part) {
      if (part.type !== 'finish') {
        if (!firstToken) {
          firstToken = true;
          handle.markFirstToken();
        }
        return part;
      }
      const finish: FinishPart = Object.assign({}, part, {
        latencyMs: Math.round(performance.now() - call.scope.startedAt),
        cache,
        cost: leader ? part.cost : 0,
      });
      handle.set({ provider: finish.provider, model: finish.model, cache, cost: finish.cost, usage: finish.usage, finishReason: finish.finishReason });
      return finish;
    },
    settle(error) {
      if (error === undefined) handle.end();
      else handle.fail(error);
    },
  };
}

/** Opens a stream through the pipeline: the answer's first part, and this caller's reader of the rest. */
export async function openStream(call: PipelineCall): Promise<{ start: StreamStartPart; reader: PartReader }> {
  const answer = await runPipeline(call, streamShape);
  call.scope.handle.set({ provider: answer.start.provider, model: answer.start.model, cache: answer.start.cache });
  // A single flight made this caller's reader; a stream read by this caller alone needs no sharing.
  const reader = answer.reader ?? readDirectly(answer.source, call.request.signal, readerHooks(call, answer, true));
  return { start: answer.start, reader };
}
