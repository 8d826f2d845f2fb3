import { describe, expect, it } from 'vitest';
import { mapOpenAIFinishReason } from './map-openai-finish-reason.js';
import { redact } from '../../core/redact.js';
import { mapOpenAIError, mapOpenAIStreamError } from './openai-error.js';

const body = (code: string | null, message = 'upstream says no', param: string | null = null): string =>
  JSON.stringify({ error: { message, type: 'invalid_request_error', code, param } });

describe('mapOpenAIError', () => {
  it.each([
    [400, null, 'invalid_request', false],
    [401, 'invalid_api_key', 'authentication_failed', false],
    [403, null, 'permission_denied', false],
    [404, 'model_not_found', 'model_not_found', false],
    [404, null, 'not_found', false],
    [408, null, 'request_timeout', true],
    [409, null, 'conflict', true],
    [413, null, 'payload_too_large', false],
    [422, null, 'invalid_request', false],
    [429, 'rate_limit_exceeded', 'rate_limited', true],
    [429, 'insufficient_quota', 'rate_limited', false],
    [500, null, 'upstream_error', true],
    [502, null, 'upstream_error', true],
    [503, null, 'upstream_unavailable', true],
  ] as const)('%i %s -> %s (retryable %s)', (status, code, expected, retryable) => {
    const error = mapOpenAIError({ status, headers: {}, bodyText: body(code) }, { provider: 'openai' });
    expect(error.code).toBe(expected);
    expect(error.isRetryable).toBe(retryable);
    expect(error.status).toBe(status);
    expect(error.provider).toBe('openai');
    expect(error.message).toBe(`openai returned ${status}: upstream says no`);
  });

  it('reads retry-after headers and the param', () => {
    const error = mapOpenAIError(
      { status: 429, headers: { 'retry-after': '3' }, bodyText: body('rate_limit_exceeded', 'slow down', 'messages') },
      { provider: 'xai' },
    );
    expect(error.retryAfterMs).toBe(3000);
    expect(error.param).toBe('messages');
    expect(error.message).toBe('xai returned 429: slow down');
  });

  it('honours x-should-retry', () => {
    const forced = mapOpenAIError({ status: 400, headers: { 'x-should-retry': 'true' }, bodyText: '' }, { provider: 'openai' });
    const refused = mapOpenAIError({ status: 500, headers: { 'x-should-retry': 'false' }, bodyText: '' }, { provider: 'openai' });
    expect(forced.isRetryable).toBe(true);
    expect(refused.isRetryable).toBe(false);
  });

  it('quotes a non-JSON body and never leaks the key', () => {
    const key = 'sk-secret-abcdef123456';
    const error = mapOpenAIError(
      { status: 502, headers: {}, bodyText: `<html>bad gateway for ${key}</html>` },
      { provider: 'openai', secrets: [key] },
    );
    expect(error.message).toContain('<html>bad gateway');
    expect(error.message).not.toContain(key);
    expect(error.message).toContain('[redacted]');
  });
});

describe('mapOpenAIStreamError', () => {
  it('maps rate limits and server errors as retryable', () => {
    expect(mapOpenAIStreamError({ code: 'rate_limit_exceeded', message: 'x' }, { provider: 'openai' })).toMatchObject({
      code: 'rate_limited',
      isRetryable: true,
    });
    expect(mapOpenAIStreamError({ type: 'server_error', message: 'x' }, { provider: 'openai' })).toMatchObject({
      code: 'upstream_error',
      isRetryable: true,
    });
    expect(mapOpenAIStreamError({ type: 'invalid_request_error', message: 'x' }, { provider: 'openai' }).isRetryable).toBe(false);
  });
});

describe('redact', () => {
  it('ignores short or missing secrets', () => {
    expect(redact('abc key', ['abc', undefined])).toBe('abc key');
  });
});

describe('mapOpenAIFinishReason', () => {
  it.each([
    ['stop', 'stop'],
    ['length', 'length'],
    ['tool_calls', 'tool-calls'],
    ['function_call', 'tool-calls'],
    ['content_filter', 'content-filter'],
    [null, 'other'],
    ['something_new', 'other'],
  ] as const)('%s -> %s', (reason, expected) => {
    expect(mapOpenAIFinishReason(reason)).toBe(expected);
  });
});
