import type { UpstreamErrorResponse } from '../../core/http.js';
import { createUpstreamStatusError, parseErrorBody } from '../../core/upstream-error.js';
import { errorCodeForStatus } from '../../core/status-codes.js';
import { redact } from '../../core/redact.js';
import { isRetryableStatus } from '../../core/retry.js';
import { SwitchyardError, type ErrorCode } from '../../spec/errors.js';
import { openAIErrorBodySchema } from './openai-api.js';

/** The fields of an OpenAI error body, when the upstream sent one. */
export interface OpenAIErrorDetails {
  message?: string;
  type?: string;
  code?: string;
  param?: string;
}

/** Context for mapping: the provider name, and values that must never appear in a message (API keys). */
export interface OpenAIErrorContext {
  provider: string;
  secrets?: Array<string | undefined>;
}

/**
 * Maps a non-2xx OpenAI (or OpenAI-compatible) response to a SwitchyardError:
 * 400/422 invalid_request, 401 authentication_failed, 403 permission_denied,
 * 404 model_not_found (when the body's code says so) or not_found, 408
 * request_timeout, 409 conflict, 413 payload_too_large, 429 rate_limited
 * (with retryAfterMs; `insufficient_quota` is not retryable), 503
 * upstream_unavailable, other 5xx upstream_error. Retryable per
 * isRetryableStatus, unless the server's `x-should-retry` header says otherwise.
 * The message names the provider and quotes the upstream message, with secrets redacted.
 */
export function mapOpenAIError(response: UpstreamErrorResponse, context: OpenAIErrorContext): SwitchyardError {
  const details = readOpenAIErrorDetails(response.bodyText);
  return createUpstreamStatusError(response, {
    provider: context.provider,
    code: errorCodeFor(response.status, details),
    upstreamMessage: details?.message,
    retryable: isRetryableStatus(response.status) && details?.code !== 'insufficient_quota',
    secrets: context.secrets,
    param: details?.param,
  });
}

/** Reads `{ error: { message, type, code, param } }` from an error body, or undefined if it is not one. */
export function readOpenAIErrorDetails(bodyText: string): OpenAIErrorDetails | undefined {
  // Error bodies are best-effort: a non-JSON body (an HTML proxy page) is quoted instead.
  return fromErrorValue(parseErrorBody(bodyText));
}

/** The same, for an already-parsed value (a mid-stream `{ error }` event). */
export function fromErrorValue(value: unknown): OpenAIErrorDetails | undefined {
  const parsed = openAIErrorBodySchema.safeParse(value);
  if (!parsed.success) return undefined;
  const { message, type, code, param } = parsed.data.error;
  return {
    message: message ?? undefined,
    type: type ?? undefined,
    code: code === null || code === undefined ? undefined : String(code),
    param: param ?? undefined,
  };
}

/**
 * Maps an `{ error }` event received inside a 200 stream: `rate_limited` when
 * its code says so, else `upstream_error`; retryable for rate limits and server errors.
 */
export function mapOpenAIStreamError(details: OpenAIErrorDetails, context: OpenAIErrorContext): SwitchyardError {
  const rateLimited = details.code === 'rate_limit_exceeded' || details.type === 'rate_limit_error';
  return new SwitchyardError({
    code: rateLimited ? 'rate_limited' : 'upstream_error',
    message: redact(`${context.provider} stream error: ${details.message ?? details.type ?? 'no details'}`, context.secrets),
    provider: context.provider,
    isRetryable: rateLimited || details.type === 'server_error',
    param: details.param,
  });
}

function errorCodeFor(status: number, details: OpenAIErrorDetails | undefined): ErrorCode {
  return errorCodeForStatus(status, details?.code === 'model_not_found');
}

