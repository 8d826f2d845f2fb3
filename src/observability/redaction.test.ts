import { describe, expect, it } from 'vitest';
import { SwitchyardError } from '../spec/index.js';
import { CONTENT_OMITTED, errorLogMessage, isContentKey, isSecretKey, REDACTED, sanitizeForLog, SCRUB_MAX_LENGTH, scrubSecrets } from './redaction.js';

describe('redaction', () => {
  it('recognises secret field names without catching token counts', () => {
    for (const key of ['authorization', 'Authorization', 'x-api-key', 'apiKey', 'api_key', 'OPENAI_API_KEY', 'clientSecret', 'password', 'proxy-authorization', 'refresh_token', 'x-goog-api-key']) {
      expect(isSecretKey(key), key).toBe(true);
    }
    for (const key of ['inputTokens', 'outputTokens', 'totalTokens', 'maxTokens', 'model', 'keyPrefix', 'cacheKey']) {
      expect(isSecretKey(key), key).toBe(false);
    }
    expect(isContentKey('messages')).toBe(true);
    expect(isContentKey('model')).toBe(false);
  });

  it('scrubs credential-shaped text', () => {
    expect(scrubSecrets('Authorization: Bearer abcdefghijklmnop')).toBe(`Authorization: ${REDACTED}`);
    expect(scrubSecrets('key sk-ant-api03-abcdefghijkl used')).toBe(`key ${REDACTED} used`);
    expect(scrubSecrets('https://host/v1?key=AIzaSyA1234567890abcdefghij&x=1')).toBe(`https://host/v1?key=${REDACTED}&x=1`);
    expect(scrubSecrets('{"api_key":"whatever-value"}')).toBe(`{"api_key":"${REDACTED}"}`);
    expect(scrubSecrets('nothing secret here: 42 tokens')).toBe('nothing secret here: 42 tokens');
  });

  it('copies objects with secrets redacted, content omitted, cycles and depth bounded', () => {
    const value: Record<string, unknown> = {
      headers: { authorization: 'Bearer abc', accept: 'json' },
      messages: [{ role: 'user', content: 'hello' }],
      usage: { inputTokens: 3 },
    };
    value.self = value;
    const sanitized = sanitizeForLog(value, { includeContent: false }) as Record<string, unknown>;
    expect(sanitized).toEqual({
      headers: { authorization: REDACTED, accept: 'json' },
      messages: CONTENT_OMITTED,
      usage: { inputTokens: 3 },
      self: '[circular]',
    });
    expect(value.headers).toEqual({ authorization: 'Bearer abc', accept: 'json' });
    const withContent = sanitizeForLog(value, { includeContent: true }) as Record<string, unknown>;
    expect(withContent.messages).toEqual([{ role: 'user', content: 'hello' }]);
  });

  it('keeps error codes but not messages without content', () => {
    const error = new SwitchyardError({ code: 'upstream_error', message: 'echo: my prompt', status: 502, provider: 'openai' });
    expect(sanitizeForLog(error, { includeContent: false })).toEqual({
      type: 'SwitchyardError',
      code: 'upstream_error',
      status: 502,
      provider: 'openai',
      retryable: false,
    });
    expect(errorLogMessage(error, false)).toBe('SwitchyardError: upstream_error');
    expect(errorLogMessage(error, true)).toBe('echo: my prompt');
    expect(errorLogMessage('thrown string', false)).toBe('non-error thrown');
  });
});

describe('scrubSecrets on hostile input', () => {
  it('reads at most SCRUB_MAX_LENGTH characters, saying how much it cut', () => {
    const scrubbed = scrubSecrets(`${'a'.repeat(10 * 1024 * 1024)}`);
    expect(scrubbed.length).toBeLessThan(SCRUB_MAX_LENGTH + 64);
    expect(scrubbed).toMatch(/\.\.\. \[10420224 characters cut\]$/);
  });

  it('still finds a named secret after a long run of name characters', () => {
    expect(scrubSecrets(`model ${'x'.repeat(30_000)} openai_api_key=sk-abcdefghijklmnop`)).toContain(`openai_api_key=${REDACTED}`);
  });
});
