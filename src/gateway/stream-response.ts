import type { FastifyReply, FastifyRequest } from 'fastify';
import type { CacheStatus } from '../spec/response.js';
import type { FinishPart, NativeEventPart, StreamPart } from '../spec/stream.js';
import { toGatewayError, type GatewayError } from '../wire/error-mapping.js';
import { modelHeaders } from './model-headers.js';
import type { OpenedModelStream } from './model-stream.js';
import { sseEvent, startSse } from './sse-writer.js';

/** What the headers and the first event of a stream say about its answer. */
export interface StreamIdentity {
  cache: CacheStatus;
  provider: string;
  model: string;
  /** The finish part, when it was read before the headers (cache hits). */
  finish?: FinishPart;
}

/** A stream part the encoder turns into events (native events are written as they came). */
export type EncodedPart = Exclude<StreamPart, FinishPart | NativeEventPart>;

/** Turns a stream into one API's SSE text. */
export interface StreamEncoder {
  start(): string;
  part(part: EncodedPart): string;
  /** The closing events (finish reason, usage, terminator); may first finish work such as storing the answer. */
  finish(part: FinishPart): string | Promise<string>;
  /**
   * What follows the upstream's own events on a native passthrough stream
   * (OpenAI's `data: [DONE]`, which the driver consumed); start and finish
   * events are the upstream's then. May first finish work, as `finish`.
   */
  nativeEnd(part: FinishPart): string | Promise<string>;
  /** An error after the headers went out, as this API sends one in-stream. */
  error(error: GatewayError): string;
}

/**
 * Sends an opened model stream as SSE: headers first (cache status, provider,
 * model, request id and overhead, all decided from the parts read so far),
 * then each part as soon as it arrives, waiting for `drain` under
 * backpressure. A client that leaves stops the loop and releases the
 * upstream (its abort signal has already fired); an error after the headers
 * becomes the API's in-stream error event. The overhead header counts the
 * gateway's time before the first byte minus the wait for the first part on
 * a live stream (on a cache hit that wait is the gateway's own). A native
 * passthrough stream (its parts are `native-event`s of the caller's wire)
 * is written event by event as the upstream sent it, then `nativeEnd()`.
 */
export async function sendModelStream(
  request: FastifyRequest,
  reply: FastifyReply,
  opened: OpenedModelStream,
  createEncoder: (identity: StreamIdentity) => StreamEncoder,
): Promise<void> {
  const finished = opened.finish;
  const identity: StreamIdentity = {
    cache: finished?.cache ?? opened.expected.cache,
    provider: finished?.provider ?? opened.expected.provider,
    model: finished?.model ?? opened.expected.model,
    finish: finished,
  };
  const upstreamBeforeHeaders = identity.cache.startsWith('hit-') ? 0 : opened.firstPartWaitMs;
  const overheadMs = Math.max(0, request.gatewayCall.elapsedMs() - upstreamBeforeHeaders);
  const encoder = createEncoder(identity);
  reply.hijack();
  const writer = startSse(reply.raw, modelHeaders({ requestId: request.id, cache: identity.cache, provider: identity.provider, model: identity.model, overheadMs }));
  let finish: FinishPart | undefined;
  const native = opened.head[0]?.type === 'native-event';
  try {
    if (!native && !(await writer.write(encoder.start()))) return;
    for (const source of [opened.head, opened.rest()]) {
      for await (const part of source) {
        if (part.type === 'finish') finish = part;
        else if (!(await writer.write(part.type === 'native-event' ? sseEvent(part.data, part.event) : encoder.part(part)))) return;
      }
    }
    if (!finish) throw new Error('the stream ended without a finish part');
    await writer.write(await (native ? encoder.nativeEnd(finish) : encoder.finish(finish)));
    request.gatewayCall.succeed({
      provider: finish.provider ?? identity.provider,
      model: finish.model ?? identity.model,
      cache: finish.cache ?? identity.cache,
      usage: finish.usage,
      cost: finish.cost,
      finishReason: finish.finishReason,
    });
  } catch (error) {
    request.gatewayCall.fail(error);
    if (writer.open) await writer.write(encoder.error(toGatewayError(error, request.id)));
  } finally {
    writer.end();
    await opened.close().catch(() => undefined);
  }
}
