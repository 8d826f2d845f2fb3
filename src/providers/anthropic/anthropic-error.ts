import type { UpstreamErrorResponse } from '../../core/http.js';
import { createUpstreamStatusError, parseErrorBody } from '../../core/upstream-error.js';
import { errorCodeForStatus } from '../../core/status-codes.js';
import { isRetryableStatus } from '../../core/retry.js';
import { SwitchyardError, type ErrorCode } from '../../spec/errors.js';
import { redact } from '../../core/redact.js';
import { anthropicErrorBodySchema } from './anthropic-api.js';

/** The fields of an Anthropic error body, when the upstream sent one. */
export interface AnthropicErrorDetails {
  /** `invalid_request_error`, `overloaded_error`... */
  type?: string;
  message?: string;
  /** `error.details.error_code`, e.g. `enforced_spend_limit_reached`. */
  errorCode?: string;
}

/** Context for mapping: the provider name, and values that must never appear in a message (API keys). */
export interface AnthropicErrorContext {
  provider: string;
  secrets?: Array<string | undefined>;
}

/** Anthropic's error types and what each means to Switchyard; used for stream `error` events and odd statuses. */
const TYPE_CODES: Record<string, { code: ErrorCode; isRetryable: boolean }> = {
  invalid_request_error: { code: 'invalid_request', isRetryable: false },
  authentication_error: { code: 'authentication_failed', isRetryable: false },
  billing_error: { code: 'permission_denied', isRetryable: false },
  permission_error: { code: 'permission_denied', isRetryable: false },
  not_found_error: { code: 'not_found', isRetryable: false },
  request_too_large: { code: 'payload_too_large', isRetryable: false },
  timeout_error: { code: 'request_timeout', isRetryable: true },
  rate_limit_error: { code: 'rate_limited', isRetryable: true },
  api_error: { code: 'upstream_error', isRetryable: true },
  overloaded_error: { code: 'upstream_unavailable', isRetryable: true },
};

/**
 * Maps a non-2xx Anthropic response to a SwitchyardError: 400
 * invalid_request, 401 authentication_failed, 402 (billing) and 403
 * permission_denied, 404 model_not_found when the message is about the model
 * (Anthropic says `model: <id>`) else not_found, 408 request_timeout, 409
 * conflict, 413 payload_too_large, 429 rate_limited with retryAfterMs (a spend
 * limit is not retryable), 503 and 529 (`overloaded_error`)
 * upstream_unavailable, other 5xx upstream_error. Retryable per
 * isRetryableStatus unless the `x-should-retry` header says otherwise. The
 * message names the provider and quotes the upstream message, secrets redacted.
 */
export function mapAnthropicError(response: UpstreamErrorResponse, context: AnthropicErrorContext): SwitchyardError {
  const details = readAnthropicErrorDetails(response.bodyText);
  const code = errorCodeFor(response.status, details);
  return createUpstreamStatusError(response, {
    provider: context.provider,
    code,
    upstreamMessage: details?.message,
    retryable: isRetryableStatus(response.status) && details?.errorCode !== 'enforced_spend_limit_reached',
    secrets: context.secrets,
    ...(code === 'model_not_found' ? { param: 'model' } : {}),
  });
}

/**
 * Maps an `error` event received inside a 200 stream by its error type:
 * `overloaded_error` is upstream_unavailable, `rate_limit_error`
 * rate_limited, `api_error` upstream_error (all three retryable); the other
 * types as for statuses; an unknown type is a retryable upstream_error.
 */
export function mapAnthropicStreamError(details: AnthropicErrorDetails, context: AnthropicErrorContext): SwitchyardError {
  const known = details.type !== undefined ? TYPE_CODES[details.type] : undefined;
  const code = known?.code ?? 'upstream_error';
  return new SwitchyardError({
    code: code === 'not_found' && isAboutModel(details) ? 'model_not_found' : code,
    message: redact(`${context.provider} stream error: ${details.message ?? details.type ?? 'no details'}`, context.secrets),
    provider: context.provider,
    isRetryable: known?.isRetryable ?? true,
  });
}

/** Reads `{ type: "error", error: { type, message } }` from an error body, or undefined if it is not one. */
export function readAnthropicErrorDetails(bodyText: string): AnthropicErrorDetails | undefined {
  // Error bodies are best-effort: a non-JSON body (an HTML proxy page) is quoted instead.
  return fromAnthropicErrorValue(parseErrorBody(bodyText));
}

/** The same, for an already-parsed value (the data of a stream `error` event). */
export function fromAnthropicErrorValue(value: unknown): AnthropicErrorDetails | undefined {
  const parsed = anthropicErrorBodySchema.safeParse(value);
  if (!parsed.success) return undefined;
  const { type, message, details } = parsed.data.error;
  return {
    type: type ?? undefined,
    message: message ?? undefined,
    errorCode: details?.error_code ?? undefined,
  };
}

function errorCodeFor(status: number, details: AnthropicErrorDetails | undefined): ErrorCode {
  // Anthropic's own statuses: 402 billing_error, 529 overloaded_error; an unknown 4xx goes by its error type.
  if (status === 402) return 'permission_denied';
  if (status === 529 || (status >= 500 && details?.type === 'overloaded_error')) return 'upstream_unavailable';
  if (status < 500 && ![400, 401, 403, 404, 408, 409, 413, 422, 429].includes(status)) {
    const known = details?.type !== undefined ? TYPE_CODES[details.type] : undefined;
    return known?.code ?? 'invalid_request';
  }
  return errorCodeForStatus(status, status === 404 && isAboutModel(details));
}

/** Anthropic's 404 for an unknown model reads `model: claude-...`. */
function isAboutModel(details: AnthropicErrorDetails | undefined): boolean {
  return details?.message !== undefined && /\bmodel\b/i.test(details.message);
}
