import type { LimitFigure } from '../limits/limit-types.js';
import type { WireFlavor } from './route-support.js';

/** OpenAI's duration form: `20ms`, `1.5s`, `6m0s`. */
export function openAIDuration(ms: number): string {
  const rounded = Math.max(0, Math.ceil(ms));
  if (rounded < 1000) return `${rounded}ms`;
  const minutes = Math.floor(rounded / 60_000);
  const seconds = Math.round((rounded % 60_000) / 10) / 100;
  return minutes > 0 ? `${minutes}m${seconds}s` : `${seconds}s`;
}

/**
 * The rate-limit headers of a key with limits: OpenAI's
 * `x-ratelimit-{limit,remaining,reset}-{requests,tokens}` (reset as a
 * duration), or on Anthropic routes `anthropic-ratelimit-{requests,tokens}-
 * {limit,remaining,reset}` (reset as an RFC 3339 time).
 */
export function rateLimitHeaders(flavor: WireFlavor, figures: { requests?: LimitFigure; tokens?: LimitFigure }, now = Date.now()): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [kind, figure] of [
    ['requests', figures.requests],
    ['tokens', figures.tokens],
  ] as const) {
    if (!figure) continue;
    if (flavor === 'anthropic') {
      headers[`anthropic-ratelimit-${kind}-limit`] = String(figure.limit);
      headers[`anthropic-ratelimit-${kind}-remaining`] = String(figure.remaining);
      headers[`anthropic-ratelimit-${kind}-reset`] = new Date(Math.ceil((now + figure.resetMs) / 1000) * 1000).toISOString().replace('.000Z', 'Z');
    } else {
      headers[`x-ratelimit-limit-${kind}`] = String(figure.limit);
      headers[`x-ratelimit-remaining-${kind}`] = String(figure.remaining);
      headers[`x-ratelimit-reset-${kind}`] = openAIDuration(figure.resetMs);
    }
  }
  return headers;
}
