import type { FastifyReply, FastifyRequest } from 'fastify';
import type { DeltaPart, FinishPart, StreamPart } from '../spec/stream.js';
import { toGatewayError, type GatewayError } from '../wire/error-mapping.js';
import { modelHeaders } from './model-headers.js';
import type { OpenedModelStream, StreamStart } from './model-stream.js';
import { sseEvent, startSse } from './sse-writer.js';
import { countSentPart, type StreamProgress } from './stream-progress.js';

/** Turns a stream into one API's SSE text. */
export interface StreamEncoder {
  start(): string;
  part(part: DeltaPart): string;
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
 * Sends an opened model stream as SSE: headers first (cache status, provider
 * and model from the stream's first part, request id and overhead), then
 * each part as soon as it arrives, waiting for `drain` under backpressure.
 * A client that leaves stops the loop and releases the upstream (its abort
 * signal has already fired); an error after the headers becomes the API's
 * in-stream error event. The overhead header counts the gateway's time
 * before the first byte minus the wait for the first part on a live stream
 * (on a cache hit that wait is the gateway's own). A native passthrough
 * stream (its first part names the caller's wire) is written event by event
 * as the upstream sent it, then `nativeEnd()`.
 */
export async function sendModelStream(
  request: FastifyRequest,
  reply: FastifyReply,
  opened: OpenedModelStream,
  createEncoder: (start: StreamStart) => StreamEncoder,
): Promise<void> {
  const { start, parts } = opened;
  const upstreamBeforeHeaders = start.cache.startsWith('hit-') ? 0 : opened.firstPartWaitMs;
  const overheadMs = Math.max(0, request.gatewayCall.elapsedMs() - upstreamBeforeHeaders);
  const encoder = createEncoder(start);
  reply.hijack();
  const writer = startSse(reply.raw, modelHeaders({ requestId: request.id, cache: start.cache, provider: start.provider, model: start.model, overheadMs }));
  let finish: FinishPart | undefined;
  const native = start.wire !== undefined;
  let ended = false;
  let closing: string | undefined;
  // What was sent, for the limits and spend of a stream its client leaves before the finish part.
  const progress: StreamProgress = { model: start.model, cache: start.cache, outputChars: 0, nativeEvents: 0 };
  request.gatewayCall.progress = progress;
  try {
    if (!native && !(await writer.write(encoder.start()))) return;
    for (;;) {
      const step = await parts.next();
      if (step.done) break;
      const part = step.value;
      if (part.type === 'finish') {
        // The last part: the response ends now, in the same socket write as the parts that came with it;
        // the stream's own end (its socket handed back to the pool) follows without holding the client.
        finish = part;
        break;
      }
      if (part.type === 'stream-start') continue;
      else if (part.type === 'native-event') {
        progress.nativeEvents += 1;
        if (!(await writer.write(sseEvent(part.data, part.event)))) return;
      } else {
        countSentPart(progress, part);
        if (!(await writer.write(encoder.part(part)))) return;
      }
    }
    ended = true;
    if (!finish) throw new Error('the stream ended without a finish part');
    // The closing events and the end of the response leave together.
    closing = await (native ? encoder.nativeEnd(finish) : encoder.finish(finish));
    request.gatewayCall.succeed({
      provider: finish.provider ?? start.provider,
      model: finish.model ?? start.model,
      cache: finish.cache ?? start.cache,
      usage: finish.usage,
      cost: finish.cost,
      finishReason: finish.finishReason,
    });
    // Limits and budgets settle before the last write, as a non-streamed answer waits for them (access-hooks.ts).
    if (request.settling) await request.settling;
  } catch (error) {
    ended = true;
    request.gatewayCall.fail(error);
    if (writer.open) closing = encoder.error(toGatewayError(error, request.id));
  } finally {
    writer.end(closing);
    if (!ended) await parts.return?.(undefined).catch(() => undefined);
    else if (finish) void drain(parts);
  }
}

/** Reads a stream past its finish part to its end, so its upstream request completes and its socket goes back to the pool. */
async function drain(parts: AsyncIterator<StreamPart>): Promise<void> {
  try {
    while (!(await parts.next()).done);
  } catch {
    // the answer was complete; a failure after it changes nothing the client has
  }
}
