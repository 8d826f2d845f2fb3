import { SwitchyardError } from '../spec/errors.js';
import type { ModelTarget } from './model-resolver.js';

/** Codes after which a route moves on to its next model: the provider's side failed, not the request. */
const FALLBACK_CODES = new Set<string>([
  'rate_limited',
  'request_timeout',
  'upstream_error',
  'upstream_unavailable',
  'connect_timeout',
  'headers_timeout',
  'body_timeout',
  'connection_failed',
  'invalid_response',
  'response_too_large',
  'model_not_found',
  'authentication_failed',
  'permission_denied',
  // A field this member cannot honour (a passthrough field of another wire): a later member may.
  'unsupported',
]);

/** True when an error from one route member should make the route try the next. */
export function shouldFallBack(error: unknown): error is SwitchyardError {
  if (!SwitchyardError.is(error)) return false;
  return error.isRetryable || FALLBACK_CODES.has(error.code) || (error.status !== undefined && error.status >= 500);
}

/**
 * Tries `attempt` on each target in order until one succeeds. A failure that
 * is retryable or on the provider's side moves on to the next target (after
 * `onFallback`); any other failure, or the last target's, is thrown.
 */
export async function runWithFallback<T>(
  targets: ModelTarget[],
  attempt: (target: ModelTarget) => Promise<T>,
  onFallback?: (from: ModelTarget, to: ModelTarget, error: SwitchyardError) => void,
): Promise<T> {
  for (let index = 0; ; index++) {
    const target = targets[index];
    try {
      return await attempt(target);
    } catch (error) {
      const next = targets[index + 1];
      if (!next || !shouldFallBack(error)) throw error;
      onFallback?.(target, next, error);
    }
  }
}
