import { Readable } from 'node:stream';
import { request } from 'undici';
import { ERROR_BODY_LIMIT, mapTransportError, waitForSocketRelease, type HttpCallOptions, type StreamResponse } from './http.js';

/** A call whose request body is streamed (a file upload) and whose response body is handed back open (a file download). */
export interface RawCallOptions extends Omit<HttpCallOptions, 'body'> {
  /** The request body, streamed as it is read; none for a GET. */
  body?: Readable | AsyncIterable<Buffer | string>;
  /** The body's content-type (a multipart boundary included). */
  contentType?: string;
  /** The `accept` header. Default `*\/*`. */
  accept?: string;
}

/**
 * Sends a request with a streamed body and returns the open body of a 2xx
 * response, so neither a large upload nor a large download is ever held
 * whole in memory. The caller must consume or destroy `body`. A non-2xx
 * answer goes through `mapError` (its first 64 KiB read, the rest dropped);
 * network failures become SwitchyardErrors as in `requestJson`.
 */
export async function requestRaw(options: RawCallOptions): Promise<StreamResponse> {
  if (options.signal?.aborted) throw mapTransportError(options.signal.reason, options);
  let response;
  try {
    response = await request(options.url, {
      dispatcher: options.dispatcher,
      method: options.method ?? (options.body !== undefined ? 'POST' : 'GET'),
      headers: {
        accept: options.accept ?? '*/*',
        ...(options.contentType !== undefined ? { 'content-type': options.contentType } : {}),
        ...options.headers,
      },
      body: options.body === undefined || options.body instanceof Readable ? options.body : Readable.from(options.body),
      signal: options.signal,
    });
  } catch (error) {
    throw mapTransportError(error, options);
  }
  if (response.statusCode >= 200 && response.statusCode < 300) return { status: response.statusCode, headers: response.headers, body: response.body };
  const chunks: Buffer[] = [];
  let size = 0;
  try {
    for await (const chunk of response.body as AsyncIterable<Buffer>) {
      chunks.push(chunk);
      size += chunk.length;
      if (size >= ERROR_BODY_LIMIT) break;
    }
  } catch (error) {
    throw mapTransportError(error, options);
  } finally {
    response.body.destroy();
  }
  await waitForSocketRelease();
  throw options.mapError({ status: response.statusCode, headers: response.headers, bodyText: Buffer.concat(chunks).subarray(0, ERROR_BODY_LIMIT).toString('utf8') });
}

/**
 * A multipart/form-data body of text fields and one file part streamed from
 * `file`: returns the content-type (with its boundary) and the body as an
 * async iterable.
 */
export function multipartBody(
  fields: Record<string, string>,
  file: { field: string; filename: string; contentType: string; stream: AsyncIterable<Buffer | string> },
): { contentType: string; body: AsyncIterable<Buffer | string> } {
  const boundary = `----switchyard${Math.random().toString(16).slice(2)}${Date.now().toString(16)}`;
  const quoteName = (value: string) => value.replace(/["\r\n]/g, '_');
  async function* parts(): AsyncGenerator<Buffer | string> {
    for (const [name, value] of Object.entries(fields)) {
      yield `--${boundary}\r\ncontent-disposition: form-data; name="${quoteName(name)}"\r\n\r\n${value}\r\n`;
    }
    yield `--${boundary}\r\ncontent-disposition: form-data; name="${quoteName(file.field)}"; filename="${quoteName(file.filename)}"\r\ncontent-type: ${file.contentType}\r\n\r\n`;
    yield* file.stream;
    yield `\r\n--${boundary}--\r\n`;
  }
  return { contentType: `multipart/form-data; boundary=${boundary}`, body: parts() };
}
