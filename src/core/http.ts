import type { IncomingHttpHeaders } from 'node:http';
import { nextLoopTurn } from './loop-turns.js';
import { request, type Dispatcher } from 'undici';
import { SwitchyardError } from '../spec/errors.js';
import { parseJson, quote } from './safe-json.js';

/** A non-2xx upstream response, handed to the provider's error mapper. */
export interface UpstreamErrorResponse {
  status: number;
  headers: IncomingHttpHeaders;
  /** The body as text, at most ERROR_BODY_LIMIT bytes. */
  bodyText: string;
}

/** Turns a non-2xx response into the provider's SwitchyardError. */
export type UpstreamErrorMapper = (response: UpstreamErrorResponse) => SwitchyardError;

/** One upstream call. */
export interface HttpCallOptions {
  dispatcher: Dispatcher;
  url: string | URL;
  /** Default POST when `body` is given, else GET. */
  method?: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  headers?: Record<string, string>;
  /** Sent as JSON when present. */
  body?: unknown;
  signal?: AbortSignal;
  provider: string;
  /** Names the call in error messages, e.g. "chat completion". */
  context: string;
  mapError: UpstreamErrorMapper;
  /** Largest non-streamed answer read; a larger one is `response_too_large`. Default DEFAULT_MAX_RESPONSE_BYTES (32 MiB). */
  maxResponseBytes?: number;
}

/** A parsed JSON response. */
export interface JsonResponse {
  status: number;
  headers: IncomingHttpHeaders;
  value: unknown;
  /** The body as received, `value` before parsing. */
  text: string;
}

/** A streaming response; the caller must consume or destroy `body`. */
export interface StreamResponse {
  status: number;
  headers: IncomingHttpHeaders;
  body: Dispatcher.ResponseData['body'];
}

/** The most of an error body kept for the error mapper; the rest is discarded. */
export const ERROR_BODY_LIMIT = 64 * 1024;

/** The default cap on a non-streamed upstream answer: 32 MiB. */
export const DEFAULT_MAX_RESPONSE_BYTES = 32 * 1024 * 1024;

/**
 * Sends a request and returns its parsed JSON body. Network failures,
 * timeouts and aborts become SwitchyardErrors (see `mapTransportError`);
 * non-2xx responses go through `mapError`; bad JSON is `invalid_response`.
 * The body is consumed or destroyed on every path, so the socket returns to the pool.
 */
export async function requestJson(options: HttpCallOptions): Promise<JsonResponse> {
  const response = await send(options, 'application/json');
  const text = await readCappedBody(response, options.maxResponseBytes ?? DEFAULT_MAX_RESPONSE_BYTES, options);
  await waitForSocketRelease();
  return {
    status: response.statusCode,
    headers: response.headers,
    value: parseJson(text, `${options.provider} ${options.context} response`, options.provider),
    text,
  };
}

/**
 * Sends a request and returns the open body stream of a 2xx response, for
 * SSE or NDJSON reading. Errors before the body are mapped as in `requestJson`.
 */
export async function requestStream(options: HttpCallOptions): Promise<StreamResponse> {
  const response = await send(options, 'text/event-stream');
  const contentType = String(response.headers['content-type'] ?? '');
  if (/application\/json/i.test(contentType)) {
    // A JSON document where a stream was asked for (a proxy's error page, a server ignoring `stream`).
    const text = await readLimited(response.body, ERROR_BODY_LIMIT).catch((error: unknown) => {
      throw mapTransportError(error, options);
    });
    throw new SwitchyardError({
      code: 'invalid_response',
      message: `${options.provider} ${options.context}: expected a stream but got JSON: ${quote(text)}`,
      provider: options.provider,
    });
  }
  return { status: response.statusCode, headers: response.headers, body: response.body };
}

/**
 * Waits one event-loop turn. undici hands a kept-alive socket back to its pool
 * one turn after a response completes (to catch servers that close anyway);
 * waiting for that turn after a body ends means the caller's next request
 * reuses the socket instead of opening another connection.
 */
export function waitForSocketRelease(): Promise<void> {
  return nextLoopTurn();
}

/** Sends the request and settles non-2xx responses into a thrown error (body read, then released). */
async function send(options: HttpCallOptions, accept: string): Promise<Dispatcher.ResponseData> {
  if (options.signal?.aborted) throw mapTransportError(options.signal.reason, options);
  const hasBody = options.body !== undefined;
  let response: Dispatcher.ResponseData;
  try {
    response = await request(options.url, {
      dispatcher: options.dispatcher,
      method: options.method ?? (hasBody ? 'POST' : 'GET'),
      headers: {
        accept,
        ...(hasBody ? { 'content-type': 'application/json' } : {}),
        ...options.headers,
      },
      body: hasBody ? JSON.stringify(options.body) : undefined,
      signal: options.signal,
    });
  } catch (error) {
    throw mapTransportError(error, options);
  }
  if (response.statusCode >= 200 && response.statusCode < 300) return response;

  const bodyText = await readLimited(response.body, ERROR_BODY_LIMIT).catch((error: unknown) => {
    throw mapTransportError(error, options);
  });
  // A fully read error body leaves the socket reusable, e.g. for the retry that usually follows.
  await waitForSocketRelease();
  throw options.mapError({ status: response.statusCode, headers: response.headers, bodyText });
}

/**
 * Reads a whole response body as UTF-8 text, never holding more than `limit`
 * bytes: a `content-length` over the limit is refused before reading, and a
 * body that grows past it is destroyed at that point. Either way the error is
 * `response_too_large` (502, not retried: the same request gets the same
 * answer; a route falls back on it). Transport failures are mapped as usual.
 * Used for every non-streamed answer and by the batch downloads.
 */
export async function readCappedBody(
  response: Pick<Dispatcher.ResponseData, 'body' | 'headers'>,
  limit: number,
  options: { provider: string; context: string; signal?: AbortSignal },
): Promise<string> {
  const { body } = response;
  const declared = Number(response.headers['content-length']);
  if (Number.isFinite(declared) && declared > limit) {
    body.destroy();
    throw responseTooLarge(options, limit, `its content-length is ${declared} bytes`);
  }
  const chunks: Buffer[] = [];
  let size = 0;
  try {
    for await (const chunk of body as AsyncIterable<Buffer>) {
      size += chunk.length;
      if (size > limit) throw responseTooLarge(options, limit, 'it grew past that');
      chunks.push(chunk);
    }
  } catch (error) {
    body.destroy();
    throw mapTransportError(error, options);
  }
  return Buffer.concat(chunks, size).toString('utf8');
}

function responseTooLarge(options: { provider: string; context: string }, limit: number, detail: string): SwitchyardError {
  return new SwitchyardError({
    code: 'response_too_large',
    message: `${options.provider} ${options.context}: the answer is larger than the ${limit}-byte cap (maxResponseBytes): ${detail}`,
    provider: options.provider,
    status: 502,
  });
}

/** Reads up to `limit` bytes as text, then destroys the rest of the body. */
async function readLimited(body: Dispatcher.ResponseData['body'], limit: number): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  try {
    for await (const chunk of body as AsyncIterable<Buffer>) {
      chunks.push(chunk);
      size += chunk.length;
      if (size >= limit) break;
    }
  } finally {
    body.destroy();
  }
  return Buffer.concat(chunks).subarray(0, limit).toString('utf8');
}

const CONNECTION_CODES = new Set([
  'UND_ERR_SOCKET',
  'UND_ERR_CLOSED',
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENETDOWN',
  'ETIMEDOUT',
  'ECONNABORTED',
]);

/**
 * Maps an undici/network error to a SwitchyardError: connect, headers and
 * idle-body timeouts to `connect_timeout` / `headers_timeout` /
 * `body_timeout`, socket failures to `connection_failed` (all retryable),
 * aborts (or any error once `signal` is aborted) to `aborted`. A
 * SwitchyardError passes through unchanged.
 */
export function mapTransportError(
  error: unknown,
  options: { provider: string; context: string; signal?: AbortSignal },
): SwitchyardError {
  if (SwitchyardError.is(error)) return error;
  const { provider, context } = options;
  const code = errorCode(error);
  const detail = error instanceof Error ? error.message : String(error);
  const make = (kind: SwitchyardError['code'], what: string, isRetryable: boolean): SwitchyardError =>
    new SwitchyardError({
      code: kind,
      message: `${provider} ${context}: ${what}${code ? ` (${code})` : ''}`,
      provider,
      isRetryable,
      cause: error,
    });

  if (options.signal?.aborted || code === 'UND_ERR_ABORTED' || code === 'ABORT_ERR' || isAbortError(error)) {
    return make('aborted', 'the request was aborted', false);
  }
  if (code === 'UND_ERR_CONNECT_TIMEOUT') return make('connect_timeout', 'timed out connecting to the upstream', true);
  if (code === 'UND_ERR_HEADERS_TIMEOUT') return make('headers_timeout', 'timed out waiting for response headers', true);
  if (code === 'UND_ERR_BODY_TIMEOUT') return make('body_timeout', 'the response body stalled (idle timeout)', true);
  if (code === 'UND_ERR_RES_CONTENT_LENGTH_MISMATCH') {
    return make('invalid_response', 'the response body did not match its content-length', true);
  }
  if (code !== undefined && CONNECTION_CODES.has(code)) {
    return make('connection_failed', `connection failed: ${detail}`, true);
  }
  return make('internal_error', `request failed: ${detail}`, false);
}

/** The error's code, looking into AggregateError (happy eyeballs) and `cause`. */
function errorCode(error: unknown): string | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const record = error as { code?: unknown; errors?: unknown[]; cause?: unknown };
  if (typeof record.code === 'string') return record.code;
  if (Array.isArray(record.errors) && record.errors.length > 0) return errorCode(record.errors[0]);
  if (record.cause !== undefined && record.cause !== error) return errorCode(record.cause);
  return undefined;
}

function isAbortError(error: unknown): boolean {
  return error instanceof Error && (error.name === 'AbortError' || error.name === 'TimeoutError');
}
