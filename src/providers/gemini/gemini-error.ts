import type { UpstreamErrorResponse } from '../../core/http.js';
import { createUpstreamStatusError, parseErrorBody } from '../../core/upstream-error.js';
import { errorCodeForStatus } from '../../core/status-codes.js';
import { isRetryableStatus } from '../../core/retry.js';
import { SwitchyardError, type ErrorCode } from '../../spec/errors.js';
import { redact } from '../../core/redact.js';
import { geminiErrorBodySchema } from './gemini-api.js';

/** The fields of a Google API error body, when the upstream sent one. */
export interface GeminiErrorDetails {
  /** The HTTP status Google put in the body. */
  code?: number;
  message?: string;
  /** The canonical status name: INVALID_ARGUMENT, RESOURCE_EXHAUSTED... */
  status?: string;
  /** `ErrorInfo.reason`, e.g. API_KEY_INVALID. */
  reason?: string;
  /** `RetryInfo.retryDelay` in milliseconds. */
  retryDelayMs?: number;
}

/** Context for mapping: the provider, whether the call named a model, and values never to show (API keys). */
export interface GeminiErrorContext {
  provider: string;
  /** True for generate, stream and embed calls: their 404 means the model is unknown. */
  modelCall?: boolean;
  secrets?: Array<string | undefined>;
}

/**
 * Maps a non-2xx Gemini response to a SwitchyardError: 400 invalid_request
 * (but `API_KEY_INVALID`, which Google sends as a 400, is
 * authentication_failed), 401 authentication_failed, 403 permission_denied,
 * 404 model_not_found (model calls, or a message naming `models/`) else
 * not_found, 408 request_timeout, 409 conflict, 413 payload_too_large, 429
 * rate_limited with retryAfterMs from `retry-after` or the body's
 * `RetryInfo.retryDelay`, 503 upstream_unavailable, other 5xx
 * upstream_error. Retryable per isRetryableStatus. The message names the
 * provider and quotes Google's message, with secrets redacted.
 */
export function mapGeminiError(response: UpstreamErrorResponse, context: GeminiErrorContext): SwitchyardError {
  const details = readGeminiErrorDetails(response.bodyText);
  return createUpstreamStatusError(response, {
    provider: context.provider,
    code: errorCodeFor(response.status, details, context.modelCall ?? false),
    upstreamMessage: details?.message,
    retryAfterMs: details?.retryDelayMs,
    secrets: context.secrets,
  });
}

/**
 * Maps an `{ error }` event received inside a 200 stream by the code in its
 * body (429 rate_limited, 503 upstream_unavailable, other codes as for a
 * status), retryable when that code is.
 */
export function mapGeminiStreamError(details: GeminiErrorDetails, context: GeminiErrorContext): SwitchyardError {
  const status = details.code ?? 500;
  const code = status >= 500 ? (status === 503 ? 'upstream_unavailable' : 'upstream_error') : errorCodeFor(status, details, true);
  return new SwitchyardError({
    code,
    message: redact(`${context.provider} stream error: ${details.message ?? details.status ?? 'no details'}`, context.secrets),
    provider: context.provider,
    isRetryable: isRetryableStatus(status),
    retryAfterMs: details.retryDelayMs,
  });
}

/** Reads a Google error body (also the `[{ error }]` array form), or undefined if it is not one. */
export function readGeminiErrorDetails(bodyText: string): GeminiErrorDetails | undefined {
  // Error bodies are best-effort: a non-JSON body (an HTML proxy page) is quoted instead.
  return fromGeminiErrorValue(parseErrorBody(bodyText));
}

/** The same, for an already-parsed value (a mid-stream `{ error }` event). */
export function fromGeminiErrorValue(value: unknown): GeminiErrorDetails | undefined {
  const parsed = geminiErrorBodySchema.safeParse(Array.isArray(value) ? value[0] : value);
  if (!parsed.success) return undefined;
  const { code, message, status, details } = parsed.data.error;
  const reason = details?.find((detail) => detail.reason)?.reason ?? undefined;
  const retryDelay = details?.find((detail) => detail.retryDelay)?.retryDelay ?? undefined;
  return {
    code: code ?? undefined,
    message: message ?? undefined,
    status: status ?? undefined,
    reason,
    retryDelayMs: retryDelay === undefined ? undefined : parseDuration(retryDelay),
  };
}

/** A protobuf Duration in JSON ("34.4s") as milliseconds, or undefined. */
export function parseDuration(text: string): number | undefined {
  const match = /^(\d+(?:\.\d+)?)s$/.exec(text.trim());
  return match ? Math.round(Number(match[1]) * 1000) : undefined;
}

function errorCodeFor(status: number, details: GeminiErrorDetails | undefined, modelCall: boolean): ErrorCode {
  // Google answers a wrong key with 400 API_KEY_INVALID.
  if (status === 400 && details?.reason === 'API_KEY_INVALID') return 'authentication_failed';
  return errorCodeForStatus(status, modelCall || /\bmodels\//.test(details?.message ?? ''));
}
