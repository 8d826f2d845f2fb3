import { SwitchyardError } from '../../spec/errors.js';
import type { MockErrorKind } from './mock-options.js';

/** Builds the error a real provider would produce for an injected failure. */
export function createMockError(kind: Exclude<MockErrorKind, 'timeout'>, provider: string): SwitchyardError {
  switch (kind) {
    case '429':
      return new SwitchyardError({
        code: 'rate_limited',
        status: 429,
        provider,
        isRetryable: true,
        retryAfterMs: 1000,
        message: `${provider}: rate limit reached (injected 429); retry after 1s`,
      });
    case '500':
      return new SwitchyardError({ code: 'upstream_error', status: 500, provider, isRetryable: true, message: `${provider}: internal server error (injected 500)` });
    case '503':
      return new SwitchyardError({ code: 'upstream_unavailable', status: 503, provider, isRetryable: true, message: `${provider}: service unavailable (injected 503)` });
  }
}

/** The error of an injected timeout: the call hung until the headers timeout. */
export function createMockTimeoutError(provider: string, timeoutMs: number): SwitchyardError {
  return new SwitchyardError({
    code: 'headers_timeout',
    provider,
    isRetryable: true,
    message: `${provider}: no response headers within ${timeoutMs} ms (injected timeout)`,
  });
}
