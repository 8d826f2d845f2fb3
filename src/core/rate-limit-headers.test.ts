import { describe, expect, it } from 'vitest';
import { parseRateLimitHeaders } from './rate-limit-headers.js';

describe('parseRateLimitHeaders', () => {
  it('reads OpenAI-style and Anthropic-style headers as fractions left', () => {
    expect(parseRateLimitHeaders({ 'x-ratelimit-limit-requests': '100', 'x-ratelimit-remaining-requests': '25', 'x-ratelimit-limit-tokens': '1000', 'x-ratelimit-remaining-tokens': '900' }, 7)).toEqual({ requests: 0.25, tokens: 0.9, at: 7 });
    expect(parseRateLimitHeaders({ 'anthropic-ratelimit-requests-limit': '50', 'anthropic-ratelimit-requests-remaining': '50' }, 8)).toEqual({ requests: 1, at: 8 });
  });

  it('ignores missing, malformed and zero limits', () => {
    expect(parseRateLimitHeaders({})).toBeUndefined();
    expect(parseRateLimitHeaders({ 'x-ratelimit-limit-requests': '0', 'x-ratelimit-remaining-requests': '0' })).toBeUndefined();
    expect(parseRateLimitHeaders({ 'x-ratelimit-limit-requests': 'many', 'x-ratelimit-remaining-requests': '3' })).toBeUndefined();
  });
});
