import type { ErrorCode } from '../spec/errors.js';
import { SwitchyardError } from '../spec/errors.js';
import type { UpstreamErrorResponse } from './http.js';
import { redact } from './redact.js';
import { isRetryableStatus } from './retry.js';
import { parseRetryAfter, readHeader } from './retry-after.js';
import { parseJson, quote } from './safe-json.js';

/** What a provider's error mapper decided about one non-2xx response. */
export interface UpstreamStatusErrorOptions {
  provider: string;
  code: ErrorCode;
  /** The provider's own message from the error body; without one, the start of the body is quoted. */
  upstreamMessage?: string;
  /** Whether a retry may help. Default: isRetryableStatus(status). The `x-should-retry` header overrides either way. */
  retryable?: boolean;
  /** A wait the body advised; `retry-after-ms` / `retry-after` headers win over it. */
  retryAfterMs?: number;
  /** Values to redact from the message (the API key sent). */
  secrets?: Array<string | undefined>;
  param?: string;
}

/**
 * The SwitchyardError of a non-2xx upstream response, built the same way for
 * every provider: `<provider> returned <status>: <message>` with secrets
 * redacted, the status, retryability and the advised wait.
 */
export function createUpstreamStatusError(response: UpstreamErrorResponse, options: UpstreamStatusErrorOptions): SwitchyardError {
  const body = response.bodyText.trim();
  const upstreamMessage = options.upstreamMessage ?? (body ? quote(body, 200) : 'no details');
  const shouldRetry = readHeader(response.headers, 'x-should-retry');
  const isRetryable = shouldRetry === 'true' ? true : shouldRetry === 'false' ? false : (options.retryable ?? isRetryableStatus(response.status));
  return new SwitchyardError({
    code: options.code,
    message: redact(`${options.provider} returned ${response.status}: ${upstreamMessage}`, options.secrets),
    status: response.status,
    provider: options.provider,
    isRetryable,
    retryAfterMs: parseRetryAfter(response.headers) ?? options.retryAfterMs,
    ...(options.param !== undefined ? { param: options.param } : {}),
  });
}

/** Parses an error body for a provider's reader; anything that is not JSON (an HTML proxy page) is undefined. */
export function parseErrorBody(bodyText: string): unknown {
  try {
    return parseJson(bodyText, 'error body');
  } catch {
    return undefined;
  }
}

/** The error of a stream that ended without its closing event; retryable, since nothing was cached or promised. */
export function truncatedStreamError(provider: string, context: string, missing: string): SwitchyardError {
  return new SwitchyardError({ code: 'invalid_response', message: `${provider} ${context} ended before ${missing}`, provider, isRetryable: true });
}
