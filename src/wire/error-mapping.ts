import { scrubSecrets } from '../observability/redaction.js';
import { SwitchyardError, type ErrorCode } from '../spec/errors.js';

/** How one error code looks on the wire: HTTP status plus the error `type` of each API. */
export interface WireErrorMapping {
  status: number;
  /** `error.type` in OpenAI's shape. */
  openai: string;
  /** `error.type` in Anthropic's shape. */
  anthropic: string;
}

/**
 * The one table from Switchyard error codes to HTTP statuses and wire error
 * types. `satisfies Record<ErrorCode, ...>` makes a new code in
 * src/spec/errors.ts a compile error here until it is mapped, and
 * error-mapping.test.ts walks ERROR_CODES against it.
 */
export const ERROR_MAPPING = {
  invalid_request: { status: 400, openai: 'invalid_request_error', anthropic: 'invalid_request_error' },
  invalid_config: { status: 500, openai: 'server_error', anthropic: 'api_error' },
  authentication_failed: { status: 401, openai: 'invalid_request_error', anthropic: 'authentication_error' },
  permission_denied: { status: 403, openai: 'permission_error', anthropic: 'permission_error' },
  // A gateway key's own limits (never an upstream's): model access, rate limits, budget.
  model_not_allowed: { status: 403, openai: 'permission_error', anthropic: 'permission_error' },
  rate_limit_exceeded: { status: 429, openai: 'rate_limit_error', anthropic: 'rate_limit_error' },
  budget_exceeded: { status: 429, openai: 'rate_limit_error', anthropic: 'rate_limit_error' },
  model_not_found: { status: 404, openai: 'invalid_request_error', anthropic: 'not_found_error' },
  not_found: { status: 404, openai: 'invalid_request_error', anthropic: 'not_found_error' },
  payload_too_large: { status: 413, openai: 'invalid_request_error', anthropic: 'request_too_large' },
  rate_limited: { status: 429, openai: 'rate_limit_error', anthropic: 'rate_limit_error' },
  conflict: { status: 409, openai: 'invalid_request_error', anthropic: 'invalid_request_error' },
  request_timeout: { status: 504, openai: 'timeout_error', anthropic: 'timeout_error' },
  upstream_error: { status: 502, openai: 'upstream_error', anthropic: 'api_error' },
  upstream_unavailable: { status: 502, openai: 'upstream_error', anthropic: 'overloaded_error' },
  connect_timeout: { status: 504, openai: 'timeout_error', anthropic: 'timeout_error' },
  headers_timeout: { status: 504, openai: 'timeout_error', anthropic: 'timeout_error' },
  body_timeout: { status: 504, openai: 'timeout_error', anthropic: 'timeout_error' },
  connection_failed: { status: 502, openai: 'upstream_error', anthropic: 'api_error' },
  invalid_response: { status: 502, openai: 'upstream_error', anthropic: 'api_error' },
  response_too_large: { status: 502, openai: 'upstream_error', anthropic: 'api_error' },
  // 499: the client closed the request (nginx's convention); only logs and metrics ever see it.
  aborted: { status: 499, openai: 'invalid_request_error', anthropic: 'invalid_request_error' },
  unsupported: { status: 400, openai: 'invalid_request_error', anthropic: 'invalid_request_error' },
  internal_error: { status: 500, openai: 'server_error', anthropic: 'api_error' },
} as const satisfies Record<ErrorCode, WireErrorMapping>;

/** An error ready to send: status, code, a client-safe message, the field at fault and retry advice. */
export interface GatewayError {
  status: number;
  code: ErrorCode;
  message: string;
  param: string | null;
  retryAfterMs?: number;
}

/** Fastify's own errors carry `code` (FST_ERR_*) and `statusCode`. */
interface FrameworkError {
  code?: unknown;
  statusCode?: unknown;
  message?: unknown;
}

/**
 * Turns anything thrown into a GatewayError. A SwitchyardError keeps its code
 * and (secret-scrubbed) message; Fastify's body errors become
 * `payload_too_large` or `invalid_request`; anything else is an
 * `internal_error` whose message says nothing about the cause (no stack, no
 * secret) but names the request id for the logs.
 */
export function toGatewayError(error: unknown, requestId: string): GatewayError {
  if (SwitchyardError.is(error)) {
    if (isUpstreamCredentialFailure(error)) {
      // The provider refused the gateway's own credentials: the caller's key is fine, the gateway is not.
      return { status: 502, code: 'upstream_error', message: clientMessage(error.message), param: null };
    }
    return {
      status: ERROR_MAPPING[error.code].status,
      code: error.code,
      message: clientMessage(error.message),
      param: error.param ?? null,
      ...(error.retryAfterMs !== undefined ? { retryAfterMs: error.retryAfterMs } : {}),
    };
  }
  const framework = (typeof error === 'object' && error !== null ? error : {}) as FrameworkError;
  const frameworkCode = typeof framework.code === 'string' ? framework.code : '';
  if (frameworkCode === 'FST_ERR_CTP_BODY_TOO_LARGE' || framework.statusCode === 413) {
    return { status: 413, code: 'payload_too_large', message: 'request body is larger than the gateway accepts', param: null };
  }
  if (frameworkCode.startsWith('FST_ERR_CTP_') || (error instanceof SyntaxError && framework.statusCode === 400)) {
    const detail = frameworkCode === 'FST_ERR_CTP_INVALID_MEDIA_TYPE' ? 'content-type must be application/json' : 'request body is not valid JSON';
    const reason = typeof framework.message === 'string' && frameworkCode !== 'FST_ERR_CTP_INVALID_MEDIA_TYPE' ? ` (${scrubSecrets(framework.message)})` : '';
    return { status: 400, code: 'invalid_request', message: `${detail}${reason}`, param: null };
  }
  if (frameworkCode === 'FST_ERR_BAD_URL') {
    return { status: 400, code: 'invalid_request', message: 'the URL is not valid (a bad percent-escape)', param: 'url' };
  }
  if (typeof framework.statusCode === 'number' && framework.statusCode >= 400 && framework.statusCode < 500) {
    // Fastify's own 4xx messages name the problem (a URL parameter too long...) and quote nothing the caller sent at length.
    const detail = typeof framework.message === 'string' && framework.message !== '' ? ` (${clientMessage(framework.message).slice(0, 200)})` : '';
    return { status: 400, code: 'invalid_request', message: `the request could not be read${detail}`, param: null };
  }
  return { status: 500, code: 'internal_error', message: `internal error (request ${requestId})`, param: null };
}

/** The longest error message sent to a client; an upstream's error body can be far longer. */
export const MAX_ERROR_MESSAGE_LENGTH = 2048;

/** An error message as a client sees it: secrets scrubbed, at most MAX_ERROR_MESSAGE_LENGTH characters. */
function clientMessage(message: string): string {
  const scrubbed = scrubSecrets(message.length > MAX_ERROR_MESSAGE_LENGTH * 2 ? message.slice(0, MAX_ERROR_MESSAGE_LENGTH * 2) : message);
  return scrubbed.length > MAX_ERROR_MESSAGE_LENGTH ? `${scrubbed.slice(0, MAX_ERROR_MESSAGE_LENGTH)}...` : scrubbed;
}

/** A provider's 401/403 (or a missing provider key): a gateway-side failure, never the caller's 401. */
function isUpstreamCredentialFailure(error: SwitchyardError): boolean {
  return error.provider !== undefined && (error.code === 'authentication_failed' || error.code === 'permission_denied');
}

/** OpenAI's error body: `{"error":{"message","type","code","param"}}`. */
export function openAIErrorBody(error: GatewayError): { error: { message: string; type: string; code: string; param: string | null } } {
  return { error: { message: error.message, type: ERROR_MAPPING[error.code].openai, code: error.code, param: error.param } };
}

/** Anthropic's error body: `{"type":"error","error":{"type","message"}}`; the field at fault is named in the message. */
export function anthropicErrorBody(error: GatewayError): { type: 'error'; error: { type: string; message: string } } {
  return { type: 'error', error: { type: ERROR_MAPPING[error.code].anthropic, message: error.message } };
}

/** The `retry-after` headers for a rate-limited or overloaded answer: seconds (rounded up) and milliseconds. */
export function retryAfterHeaders(error: GatewayError): Record<string, string> {
  if (error.retryAfterMs === undefined) return {};
  return { 'retry-after': String(Math.max(0, Math.ceil(error.retryAfterMs / 1000))), 'retry-after-ms': String(Math.max(0, Math.round(error.retryAfterMs))) };
}
