import { StringDecoder } from 'node:string_decoder';
import { createParser, type EventSourceMessage } from 'eventsource-parser';
import { SwitchyardError } from '../spec/errors.js';
import { parseJson } from './safe-json.js';

/** One server-sent event. `event` is undefined for the default `message` type. */
export interface ServerSentEvent {
  event: string | undefined;
  data: string;
  id: string | undefined;
}

/** Options for the stream readers. */
export interface StreamReadOptions {
  /** Stops reading (and destroys the body) when aborted. */
  signal?: AbortSignal;
  /** Largest single event or line, in characters, before `invalid_response`. Default 16 MiB. */
  maxEventSize?: number;
  /** Names the stream in error messages. Default "stream". */
  context?: string;
  provider?: string;
}

/** A byte stream that can be released early (undici and Node readables can). */
export type StreamBody = AsyncIterable<Uint8Array> & { destroy?: (error?: Error) => unknown };

/**
 * Cuts decoded text into frames (events or lines), synchronously: `feed`
 * appends every complete frame to `out`; `end` appends what the framing
 * keeps of an unterminated tail.
 */
export interface Framer<Frame> {
  feed(text: string, out: Frame[]): void;
  end(out: Frame[]): void;
}

/** What `readFrames` does with each frame, and at the end of the body. */
export interface FrameHandler<Frame, Out> {
  /** Turns one frame into output (zero or more items); may throw to end the stream. */
  frame(frame: Frame): Iterable<Out> | undefined;
  /** Called once the body is open; what it returns is yielded first. */
  start?(): Out | undefined;
  /** Called once the body ended normally; what it returns is yielded last. */
  end?(): Promise<Out | undefined> | Out | undefined;
  /** Awaited after the last item was taken, before the stream reports its end (e.g. the socket's return to its pool). */
  afterEnd?(): Promise<void>;
  /** Maps any error raised while reading or handling (transport errors, aborts). Default: unchanged. */
  mapError?(error: unknown): unknown;
}

const DEFAULT_MAX_EVENT_SIZE = 16 * 1024 * 1024;

/** A framer of server-sent events (`text/event-stream`), bounded by `maxEventSize`. */
export function createServerSentEventFramer(options: StreamReadOptions = {}): Framer<ServerSentEvent> {
  const settings = normalise(options);
  let target: ServerSentEvent[] = [];
  let failure: SwitchyardError | undefined;
  const parser = createParser({
    maxBufferSize: settings.maxEventSize,
    onEvent(message: EventSourceMessage) {
      target.push({ event: message.event, data: message.data, id: message.id });
    },
    onError(error) {
      if (error.type === 'max-buffer-size-exceeded') failure ??= tooLarge(settings, 'event');
      // 'invalid-retry' and 'unknown-field' are ignored, as the SSE spec says.
    },
  });
  return {
    feed(text, out) {
      target = out;
      parser.feed(text);
      if (failure) throw failure;
    },
    // As the SSE spec says, an event cut off before its blank line is discarded.
    end() {},
  };
}

/** A framer of newline-delimited text (NDJSON): one trimmed, non-empty line per frame. */
export function createLineFramer(options: StreamReadOptions = {}): Framer<string> {
  const settings = normalise(options);
  let pending = '';
  return {
    feed(text, out) {
      pending += text;
      let start = 0;
      let newline = pending.indexOf('\n');
      while (newline !== -1) {
        const line = pending.slice(start, newline).trim();
        if (line.length > 0) out.push(line);
        start = newline + 1;
        newline = pending.indexOf('\n', start);
      }
      pending = start > 0 ? pending.slice(start) : pending;
      if (pending.length > settings.maxEventSize) throw tooLarge(settings, 'line');
    },
    end(out) {
      const last = pending.trim();
      pending = '';
      if (last.length > 0) out.push(last);
    },
  };
}

/**
 * Reads a byte stream frame by frame, pull-based: the next chunk is read only
 * when the consumer asks for more, so a slow consumer holds back the upstream
 * (TCP backpressure) and memory stays bounded by one chunk plus one frame.
 * Decoding (UTF-8, split code points handled), framing and the handler all
 * run in this one generator, so an item crosses a single async step. When the
 * consumer stops early (`break`/`return`), an error is thrown, or `signal`
 * aborts, the body is destroyed at once, which releases the upstream request
 * and its socket.
 */
export async function* readFrames<Frame, Out>(
  source: StreamBody | (() => Promise<StreamBody>),
  framer: Framer<Frame>,
  handler: FrameHandler<Frame, Out>,
  options: StreamReadOptions = {},
): AsyncGenerator<Out, void, undefined> {
  const settings = normalise(options);
  const { signal } = settings;
  // StringDecoder, not TextDecoder: same handling of split code points, without a converter lookup per chunk.
  const decoder = new StringDecoder('utf8');
  const frames: Frame[] = [];
  let body: StreamBody | undefined;
  let iterator: AsyncIterator<Uint8Array> | undefined;
  let finished = false;
  const onAbort = (): void => {
    body?.destroy?.(abortError(signal!, settings));
  };
  try {
    // Opening (sending the request) happens on the first `next()`, so its errors surface there.
    body = typeof source === 'function' ? await source() : source;
    iterator = body[Symbol.asyncIterator]();
    signal?.addEventListener('abort', onAbort, { once: true });
    const first = handler.start?.();
    if (first !== undefined) yield first;
    for (;;) {
      if (signal?.aborted) throw abortError(signal, settings);
      let step: IteratorResult<Uint8Array>;
      try {
        step = await iterator.next();
      } catch (error) {
        finished = true;
        if (signal?.aborted) throw abortError(signal, settings);
        throw error;
      }
      if (step.done) {
        finished = true;
        const rest = decoder.end();
        if (rest.length > 0) framer.feed(rest, frames);
        framer.end(frames);
      } else {
        const text = decoder.write(step.value);
        if (text.length > 0) framer.feed(text, frames);
      }
      for (let index = 0; index < frames.length; index++) {
        const items = handler.frame(frames[index]);
        if (items !== undefined) yield* items as Iterable<Out>;
      }
      frames.length = 0;
      if (finished) break;
    }
    const last = await handler.end?.();
    if (last !== undefined) yield last;
    await handler.afterEnd?.();
  } catch (error) {
    throw handler.mapError ? handler.mapError(error) : error;
  } finally {
    signal?.removeEventListener('abort', onAbort);
    if (!finished && body !== undefined) {
      // Ended before its first read (right after the start part), no reader listens yet: the abort
      // error that destroying an unfinished body emits must not go unheard (an uncaught exception).
      (body as { on?: (event: 'error', listener: () => void) => unknown }).on?.('error', () => undefined);
      body.destroy?.();
      await iterator?.return?.().catch(() => undefined);
    }
  }
}

/** Reads server-sent events from a byte stream (see `readFrames` for pacing and release). */
export function readServerSentEvents(body: StreamBody, options: StreamReadOptions | AbortSignal = {}): AsyncGenerator<ServerSentEvent, void, undefined> {
  const settings = isAbortSignal(options) ? { signal: options } : options;
  return readFrames(body, createServerSentEventFramer(settings), { frame: (event) => [event] }, settings);
}

/**
 * Reads newline-delimited JSON (NDJSON, as Ollama streams it), one parsed
 * value per non-empty line, with the same pacing and release as
 * `readServerSentEvents`. A bad line is `invalid_response`.
 */
export function readJsonLines(body: StreamBody, options: StreamReadOptions | AbortSignal = {}): AsyncGenerator<unknown, void, undefined> {
  const settings = isAbortSignal(options) ? { signal: options } : options;
  const context = `${settings.context ?? 'stream'} line`;
  return readFrames(body, createLineFramer(settings), { frame: (line) => [parseJson(line, context, settings.provider)] }, settings);
}

interface NormalisedOptions {
  signal?: AbortSignal;
  maxEventSize: number;
  context: string;
  provider?: string;
}

function normalise(options: StreamReadOptions): NormalisedOptions {
  return {
    signal: options.signal,
    maxEventSize: options.maxEventSize ?? DEFAULT_MAX_EVENT_SIZE,
    context: options.context ?? 'stream',
    provider: options.provider,
  };
}

function isAbortSignal(value: unknown): value is AbortSignal {
  return typeof value === 'object' && value !== null && 'aborted' in value && 'addEventListener' in value;
}

function tooLarge(settings: NormalisedOptions, unit: string): SwitchyardError {
  return new SwitchyardError({
    code: 'invalid_response',
    message: `${settings.context}: a single ${unit} exceeded ${settings.maxEventSize} characters`,
    provider: settings.provider,
  });
}

function abortError(signal: AbortSignal, settings: NormalisedOptions): SwitchyardError {
  return new SwitchyardError({
    code: 'aborted',
    message: `${settings.context}: the request was aborted`,
    provider: settings.provider,
    cause: signal.reason,
  });
}
