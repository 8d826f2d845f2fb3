import type { z } from 'zod';
import type { DriverCallOptions, DriverGenerateResult } from '../spec/driver.js';
import type { SwitchyardError } from '../spec/errors.js';
import type { WireFormat } from '../spec/request.js';
import type { CallWarning } from '../spec/response.js';
import type { FinishPart, NativeEventPart, StreamPart, StreamStartPart } from '../spec/stream.js';
import { mapTransportError, waitForSocketRelease } from './http.js';
import type { ProviderCall, ProviderHttp } from './provider-http.js';
import { parseJson } from './safe-json.js';
import { createLineFramer, createServerSentEventFramer, readFrames } from './sse.js';
import { truncatedStreamError } from './upstream-error.js';
import { validateResponse } from './validate-response.js';
import { passthroughBody, passthroughFormat } from './wire-passthrough.js';

/** A request body built from the driver call, with the settings it could not honour. */
export interface EncodedBody {
  body: unknown;
  warnings: CallWarning[];
}

/** The decoding state of one streamed answer: chunks in, parts out, the finish part at the end. */
export interface StreamDecoder<Chunk> {
  /** Takes one validated chunk (and its raw value) and yields its parts. */
  accept(chunk: Chunk, value: unknown): Iterable<StreamPart>;
  /** True once the closing event arrived: later frames are drained unread, so the socket is reused. */
  done(): boolean;
  /** True when the stream may end here (a finish reason or closing event was seen). */
  complete(): boolean;
  /** The finish part: reason, usage, id and whole tool calls. */
  finish(): FinishPart;
}

/** How a provider streams: its framing, chunk shape, error events and decoder. */
export interface StreamCodec<Chunk> {
  framing: 'sse' | 'ndjson';
  /** SSE data that closes the stream and is not JSON (OpenAI's `[DONE]`). */
  terminator?: string;
  /** Validates each parsed frame. */
  chunkSchema: z.ZodType<Chunk>;
  /** An error event inside a 2xx stream, mapped; undefined for an ordinary chunk. */
  errorOf(value: unknown): SwitchyardError | undefined;
  /** What a stream cut off early lacks, for the truncation error ("a finish reason"). */
  closing: string;
  createDecoder(options: DriverCallOptions): StreamDecoder<Chunk>;
}

/** Same-wire passthrough: the wire formats a provider speaks natively, and what it adjusts (see wire-passthrough.ts). */
export interface PassthroughCodec<Chunk> {
  formats: readonly WireFormat[];
  /** Fields removed from a non-streamed passthrough body (OpenAI refuses `stream_options` there). */
  generateOmits?: readonly string[];
  /** Fields set over a streamed passthrough body (OpenAI always asks for usage). */
  streamFields?(options: DriverCallOptions): Record<string, unknown>;
  /** Whether an upstream event reaches the caller (OpenAI drops a usage chunk the caller did not ask for). Default: every event. */
  forwards?(chunk: Chunk, options: DriverCallOptions): boolean;
  /** The SSE `event:` name the event is passed on with (Anthropic's event type). Default none. */
  eventName?(chunk: Chunk): string | undefined;
}

/**
 * A provider's chat codec: what it puts in the request and takes out of the
 * answer. Everything else (HTTP, framing, error events, validation,
 * truncation, socket release) is the skeleton's, the same for every provider.
 */
export interface ChatCodec<Response, Chunk> {
  /** The call's path (after the base URL) for a whole answer or a stream. */
  path(options: DriverCallOptions, stream: boolean): string;
  /** Names the generate and stream calls in errors ("chat completion", "chat stream"). */
  context: { generate: string; stream: string };
  /** Whether to send `x-client-request-id`. Default true. */
  sendsRequestId?: boolean;
  encode(options: DriverCallOptions, stream: boolean): EncodedBody;
  responseSchema: z.ZodType<Response>;
  /** The result of a whole answer (the skeleton adds the warnings). */
  decode(response: Response, options: DriverCallOptions): Omit<DriverGenerateResult, 'warnings'>;
  stream: StreamCodec<Chunk>;
  /** The wire formats passed through verbatim, when the provider speaks one. */
  passthrough?: PassthroughCodec<Chunk>;
}

/** The chat half of a driver, built on the skeleton. */
export interface ChatCalls {
  doGenerate(options: DriverCallOptions): Promise<DriverGenerateResult>;
  doStream(options: DriverCallOptions): AsyncGenerator<StreamPart, void, undefined>;
}

/**
 * The driver skeleton for chat: one HTTP call per generate or stream, the
 * codec's body, JSON validation, SSE or NDJSON framing, in-stream error
 * events, truncation (a stream that ends before its closing event is a
 * retryable `invalid_response`) and socket release, written once. A stream
 * raises connection and status errors on its first `next()`, before any part.
 */
export function createChatCalls<Response, Chunk>(http: ProviderHttp, codec: ChatCodec<Response, Chunk>): ChatCalls {
  const { provider } = http;
  const sendsRequestId = codec.sendsRequestId ?? true;

  function callOf(options: DriverCallOptions, stream: boolean, body: unknown): ProviderCall {
    return {
      path: codec.path(options, stream),
      context: stream ? codec.context.stream : codec.context.generate,
      body,
      signal: options.signal,
      requestId: sendsRequestId ? options.requestId : undefined,
      modelCall: true,
    };
  }

  const passthrough = codec.passthrough;

  /** The call's native wire format (the caller's body goes through verbatim), or undefined. */
  function nativeFormat(options: DriverCallOptions): WireFormat | undefined {
    return passthrough === undefined || options.wireRequest === undefined ? undefined : passthroughFormat(options, passthrough.formats);
  }

  async function doGenerate(options: DriverCallOptions): Promise<DriverGenerateResult> {
    const native = nativeFormat(options);
    const { body, warnings } = native
      ? { body: passthroughBody(options, provider, { stream: false, omit: passthrough!.generateOmits }), warnings: [] }
      : codec.encode(options, false);
    const call = callOf(options, false, body);
    const response = await http.send(call);
    const value = validateResponse(codec.responseSchema, response.value, `${provider} ${call.context}`, provider);
    const result: DriverGenerateResult = codec.decode(value, options);
    if (warnings.length > 0) result.warnings = warnings;
    if (native) result.native = { format: native, body: response.value as Record<string, unknown>, text: response.text };
    return result;
  }

  /** One async step per part: the stream is `readFrames`' own generator, opened (body built, request sent) on the first `next()`. */
  function doStream(options: DriverCallOptions): AsyncGenerator<StreamPart, void, undefined> {
    const native = nativeFormat(options);
    const context = codec.context.stream;
    let start: StreamStartPart | undefined;
    const open = async () => {
      const encoded = native ? { body: passthroughBody(options, provider, { stream: true, set: passthrough!.streamFields?.(options) }), warnings: [] } : codec.encode(options, true);
      const response = await http.open(callOf(options, true, encoded.body));
      start = { type: 'stream-start' };
      if (encoded.warnings.length > 0) start.warnings = encoded.warnings;
      if (native) start.wire = native;
      return response.body;
    };
    const streamCodec = codec.stream;
    const name = `${provider} ${context}`;
    const readOptions = { signal: options.signal, context: name, provider };
    const decoder = streamCodec.createDecoder(options);
    let terminated = false;
    let nativeText = '';
    const lines = streamCodec.framing === 'ndjson';
    const frameContext = lines ? `${name} line` : `${name} event`;
    const chunkContext = lines ? `${name} line` : `${name} chunk`;

    function accept(data: string): Iterable<StreamPart> | undefined {
      if (terminated || decoder.done()) return undefined; // drain to the end so the socket is reused
      if (data === streamCodec.terminator) {
        terminated = true;
        return undefined;
      }
      const value = parseJson(data, frameContext, provider);
      const streamError = streamCodec.errorOf(value);
      if (streamError) throw streamError;
      const chunk = validateResponse(streamCodec.chunkSchema, value, chunkContext, provider);
      if (!native) return decoder.accept(chunk, value);
      // A passthrough stream passes each event on verbatim; the decoder still reads it for the finish part (and says whether it carries content).
      let content = false;
      for (const part of decoder.accept(chunk, value)) {
        content = true;
        if (part.type === 'text-delta') nativeText += part.text;
      }
      if (passthrough!.forwards && !passthrough!.forwards(chunk, options)) return undefined;
      const event = passthrough!.eventName?.(chunk);
      const part: NativeEventPart = event === undefined ? { type: 'native-event', format: native, data } : { type: 'native-event', format: native, event, data };
      if (content) part.content = true;
      return [part];
    }

    const handler = {
      // The upstream has answered (2xx headers): the stream starts now, before its first event arrives.
      start: () => start,
      // The finish part goes out with the parts read in the same turn; the socket's return to the pool is awaited after it.
      end(): StreamPart {
        if (!terminated && !decoder.complete()) throw truncatedStreamError(provider, context, streamCodec.closing);
        const finish = decoder.finish();
        if (native) finish.content = nativeText;
        return finish;
      },
      afterEnd: waitForSocketRelease,
      mapError: (error: unknown) => mapTransportError(error, { provider, context, signal: options.signal }),
    };
    return streamCodec.framing === 'sse'
      ? readFrames(open, createServerSentEventFramer(readOptions), { ...handler, frame: (event) => accept(event.data) }, readOptions)
      : readFrames(open, createLineFramer(readOptions), { ...handler, frame: accept }, readOptions);
  }

  return { doGenerate, doStream };
}
