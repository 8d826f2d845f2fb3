/**
 * Stable error codes. The gateway maps each to an HTTP status in one table
 * (src/wire/error-mapping.ts); keep the three in step.
 */
export const ERROR_CODES = [
  'invalid_request',
  'invalid_config',
  'authentication_failed',
  'permission_denied',
  'model_not_allowed',
  'model_not_found',
  'not_found',
  'payload_too_large',
  'rate_limited',
  'rate_limit_exceeded',
  'budget_exceeded',
  'conflict',
  'request_timeout',
  'upstream_error',
  'upstream_unavailable',
  'connect_timeout',
  'headers_timeout',
  'body_timeout',
  'connection_failed',
  'invalid_response',
  'response_too_large',
  'aborted',
  'unsupported',
  'internal_error',
] as const;

/** One of the stable error codes. */
export type ErrorCode = (typeof ERROR_CODES)[number];

const MARKER = Symbol.for('switchyard.error');

/** Details carried by a SwitchyardError. */
export interface SwitchyardErrorOptions {
  code: ErrorCode;
  message: string;
  /** The upstream (or gateway) HTTP status, when there was one. */
  status?: number;
  provider?: string;
  /** Whether trying again (or another model of a route) may succeed. */
  isRetryable?: boolean;
  /** Server-advised wait before a retry, from `retry-after` / `retry-after-ms`. */
  retryAfterMs?: number;
  /** The request field at fault, for invalid requests. */
  param?: string;
  cause?: unknown;
}

/** The one error class of Switchyard, with a stable `code`. Check with `SwitchyardError.is(e)`. */
export class SwitchyardError extends Error {
  readonly [MARKER] = true;
  readonly code: ErrorCode;
  readonly status?: number;
  readonly provider?: string;
  readonly isRetryable: boolean;
  readonly retryAfterMs?: number;
  readonly param?: string;

  constructor(options: SwitchyardErrorOptions) {
    super(options.message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'SwitchyardError';
    this.code = options.code;
    this.status = options.status;
    this.provider = options.provider;
    this.isRetryable = options.isRetryable ?? false;
    this.retryAfterMs = options.retryAfterMs;
    this.param = options.param;
  }

  /** True for any SwitchyardError, even one from another copy of the package. */
  static is(value: unknown): value is SwitchyardError {
    return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[MARKER] === true;
  }
}
