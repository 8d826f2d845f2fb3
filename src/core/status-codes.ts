import type { ErrorCode } from '../spec/errors.js';

/**
 * The error code of an upstream HTTP status, the same for every provider:
 * 400/422 invalid_request, 401 authentication_failed, 403 permission_denied,
 * 404 model_not_found (when the provider says the model is missing) or
 * not_found, 408 request_timeout, 409 conflict, 413 payload_too_large, 429
 * rate_limited, 503 upstream_unavailable, other 5xx upstream_error, any other
 * status invalid_request. Providers handle their own extra statuses first.
 */
export function errorCodeForStatus(status: number, modelMissing: boolean): ErrorCode {
  switch (status) {
    case 400:
    case 422:
      return 'invalid_request';
    case 401:
      return 'authentication_failed';
    case 403:
      return 'permission_denied';
    case 404:
      return modelMissing ? 'model_not_found' : 'not_found';
    case 408:
      return 'request_timeout';
    case 409:
      return 'conflict';
    case 413:
      return 'payload_too_large';
    case 429:
      return 'rate_limited';
    case 503:
      return 'upstream_unavailable';
    default:
      return status >= 500 ? 'upstream_error' : 'invalid_request';
  }
}
