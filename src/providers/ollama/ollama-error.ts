import type { UpstreamErrorResponse } from '../../core/http.js';
import { createUpstreamStatusError, parseErrorBody } from '../../core/upstream-error.js';
import { errorCodeForStatus } from '../../core/status-codes.js';
import { SwitchyardError, type ErrorCode } from '../../spec/errors.js';
import { redact } from '../../core/redact.js';
import { ollamaErrorBodySchema } from './ollama-api.js';

/** Context for mapping: the provider, whether the call named a model, and values never to show. */
export interface OllamaErrorContext {
  provider: string;
  /** True for chat and embed calls: their 404 means the model is not pulled. */
  modelCall?: boolean;
  secrets?: Array<string | undefined>;
}

/**
 * Maps a non-2xx Ollama response (`{ "error": "..." }`) to a
 * SwitchyardError: 400 invalid_request, 401 authentication_failed, 403
 * permission_denied (proxies, ollama.com), 404 model_not_found for model
 * calls or a "model ... not found" message, else not_found, 408
 * request_timeout, 409 conflict, 413 payload_too_large, 429 rate_limited
 * (with retryAfterMs), 503 upstream_unavailable (Ollama's "server busy"),
 * other 5xx upstream_error. Retryable per isRetryableStatus.
 */
export function mapOllamaError(response: UpstreamErrorResponse, context: OllamaErrorContext): SwitchyardError {
  const message = readOllamaErrorMessage(response.bodyText);
  return createUpstreamStatusError(response, {
    provider: context.provider,
    code: errorCodeFor(response.status, message, context.modelCall ?? false),
    upstreamMessage: message,
    secrets: context.secrets,
  });
}

/**
 * Maps an `{ "error": "..." }` line inside a 200 stream: the runner failed
 * mid-answer, an `upstream_error` worth retrying.
 */
export function mapOllamaStreamError(message: string, context: OllamaErrorContext): SwitchyardError {
  return new SwitchyardError({
    code: 'upstream_error',
    message: redact(`${context.provider} stream error: ${message}`, context.secrets),
    provider: context.provider,
    isRetryable: true,
  });
}

/** The `error` string of an Ollama error body, or undefined if the body is not one. */
export function readOllamaErrorMessage(bodyText: string): string | undefined {
  // Error bodies are best-effort: a non-JSON body (an HTML proxy page) is quoted instead.
  return fromOllamaErrorValue(parseErrorBody(bodyText));
}

/** The same, for an already-parsed value (a mid-stream error line). */
export function fromOllamaErrorValue(value: unknown): string | undefined {
  const parsed = ollamaErrorBodySchema.safeParse(value);
  return parsed.success ? parsed.data.error : undefined;
}

function errorCodeFor(status: number, message: string | undefined, modelCall: boolean): ErrorCode {
  return errorCodeForStatus(status, modelCall || /model .*not found/i.test(message ?? ''));
}
