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
type Body = AsyncIterable<Uint8Array> & { destroy?: (error?: Error) => unknown };

const DEFAULT_MAX_EVENT_SIZE = 16 * 1024 * 1024;

/**
 * Reads server-sent events from a byte stream, pull-based: the next chunk is
 * read only when the consumer asks for the next event, so a slow consumer
 * holds back the upstream (TCP backpressure) and memory stays bounded by one
 * chunk plus one event. When the consumer stops early (`break`/`return`), an
 * error is thrown, or `signal` aborts, the body is destroyed at once, which
 * releases the upstream request and its socket.
 */
export async function* readServerSentEvents(
  body: Body,
  options: StreamReadOptions | AbortSignal = {},
): AsyncGenerator<ServerSentEvent, void, undefined> {
  const settings = normalise(options);
  const queue: ServerSentEvent[] = [];
  let failure: SwitchyardError | undefined;
  const parser = createParser({
    maxBufferSize: settings.maxEventSize,
    onEvent(message: EventSourceMessage) {
      queue.push({ event: message.event, data: message.data, id: message.id });
    },
    onError(error) {
      if (error.type === 'max-buffer-size-exceeded') {
        failure ??= tooLarge(settings, 'event');
      }
      // 'invalid-retry' and 'unknown-field' are ignored, as the SSE spec says.
    },
  });

  for await (const text of readText(body, settings)) {
    parser.feed(text);
    if (failure) throw failure;
    while (queue.length > 0) yield queue.shift()!;
  }
  // As the SSE spec says, an event cut off before its blank line is discarded.
}

/**
 * Reads newline-delimited JSON (NDJSON, as Ollama streams it), one parsed
 * value per non-empty line, with the same pull-based reading and early
 * release as `readServerSentEvents`. A bad line is `invalid_response`.
 */
export async function* readJsonLines(
  body: Body,
  options: StreamReadOptions | AbortSignal = {},
): AsyncGenerator<unknown, void, undefined> {
  const settings = normalise(options);
  let pending = '';
  const parseLine = (line: string): unknown => parseJson(line, `${settings.context} line`, settings.provider);

  for await (const text of readText(body, settings)) {
    pending += text;
    let newline = pending.indexOf('\n');
    while (newline !== -1) {
      const line = pending.slice(0, newline).trim();
      pending = pending.slice(newline + 1);
      if (line.length > 0) yield parseLine(line);
      newline = pending.indexOf('\n');
    }
    if (pending.length > settings.maxEventSize) throw tooLarge(settings, 'line');
  }
  const last = pending.trim();
  if (last.length > 0) yield parseLine(last);
}

/**
 * Decodes the body chunk by chunk (UTF-8, split code points handled),
 * reading only on demand; on any exit before the end it destroys the body.
 */
async function* readText(body: Body, settings: NormalisedOptions): AsyncGenerator<string, void, undefined> {
  const { signal } = settings;
  const decoder = new TextDecoder('utf-8');
  const iterator = body[Symbol.asyncIterator]();
  let finished = false;
  const onAbort = (): void => {
    body.destroy?.(abortError(signal!, settings));
  };
  signal?.addEventListener('abort', onAbort, { once: true });
  try {
    while (true) {
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
        const rest = decoder.decode();
        if (rest.length > 0) yield rest;
        return;
      }
      const text = decoder.decode(step.value, { stream: true });
      if (text.length > 0) yield text;
    }
  } finally {
    signal?.removeEventListener('abort', onAbort);
    if (!finished) {
      body.destroy?.();
      await iterator.return?.().catch(() => undefined);
    }
  }
}

interface NormalisedOptions {
  signal?: AbortSignal;
  maxEventSize: number;
  context: string;
  provider?: string;
}

function normalise(options: StreamReadOptions | AbortSignal): NormalisedOptions {
  const record: StreamReadOptions = isAbortSignal(options) ? { signal: options } : options;
  return {
    signal: record.signal,
    maxEventSize: record.maxEventSize ?? DEFAULT_MAX_EVENT_SIZE,
    context: record.context ?? 'stream',
    provider: record.provider,
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
