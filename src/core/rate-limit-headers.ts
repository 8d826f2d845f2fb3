import { DecoratorHandler, type Dispatcher } from 'undici';
import type { Transport } from './transport.js';

/** What an upstream's rate-limit headers say is left of its window, as fractions 0..1 of the limit. */
export interface RateLimitReport {
  requests?: number;
  tokens?: number;
  /** `Date.now()` when the headers arrived. */
  at: number;
}

type HeaderValue = string | string[] | undefined;

function numberOf(value: HeaderValue): number | undefined {
  const text = Array.isArray(value) ? value[0] : value;
  if (text === undefined || text.length > 20) return undefined;
  const parsed = Number(text);
  return Number.isFinite(parsed) ? parsed : undefined;
}

function fraction(remaining: HeaderValue, limit: HeaderValue): number | undefined {
  const left = numberOf(remaining);
  const total = numberOf(limit);
  if (left === undefined || total === undefined || total <= 0) return undefined;
  return Math.max(0, Math.min(1, left / total));
}

/**
 * Reads OpenAI-style (`x-ratelimit-remaining-requests` / `-limit-requests`,
 * and `-tokens`) and Anthropic-style (`anthropic-ratelimit-requests-remaining`
 * / `-limit`, and `-tokens-`) headers; undefined when there are none.
 */
export function parseRateLimitHeaders(headers: Record<string, HeaderValue>, now = Date.now()): RateLimitReport | undefined {
  const requests =
    fraction(headers['x-ratelimit-remaining-requests'], headers['x-ratelimit-limit-requests']) ??
    fraction(headers['anthropic-ratelimit-requests-remaining'], headers['anthropic-ratelimit-requests-limit']);
  const tokens =
    fraction(headers['x-ratelimit-remaining-tokens'], headers['x-ratelimit-limit-tokens']) ??
    fraction(headers['anthropic-ratelimit-tokens-remaining'], headers['anthropic-ratelimit-tokens-limit']);
  if (requests === undefined && tokens === undefined) return undefined;
  return { ...(requests !== undefined ? { requests } : {}), ...(tokens !== undefined ? { tokens } : {}), at: now };
}

class RateLimitHeadersHandler extends DecoratorHandler {
  constructor(
    handler: Dispatcher.DispatchHandler,
    private readonly report: (report: RateLimitReport) => void,
  ) {
    super(handler);
  }

  onResponseStart(controller: Dispatcher.DispatchController, statusCode: number, headers: Record<string, HeaderValue>, statusMessage?: string): void {
    const found = parseRateLimitHeaders(headers);
    if (found !== undefined) this.report(found);
    // DecoratorHandler implements onResponseStart (wrapping legacy handlers); its typings omit it.
    return (DecoratorHandler.prototype as unknown as Required<Dispatcher.DispatchHandler>).onResponseStart.call(this, controller, statusCode, headers as never, statusMessage ?? '');
  }
}

/**
 * A transport whose responses' rate-limit headers are reported (for the
 * `most-headroom` balancing strategy), read off the response start by an
 * undici interceptor, so no provider driver has to pass them up.
 */
export function withRateLimitReports(transport: Transport, report: (report: RateLimitReport) => void): Transport {
  let agent: Dispatcher | undefined;
  let composed: Dispatcher | undefined;
  return {
    ...transport,
    dispatcher() {
      const current = transport.dispatcher();
      if (current !== agent) {
        agent = current;
        composed = current.compose((dispatch) => (options, handler) => dispatch(options, new RateLimitHeadersHandler(handler, report)));
      }
      return composed!;
    },
  };
}
