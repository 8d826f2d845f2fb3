import { describe, expect, it } from 'vitest';
import { mapAnthropicError, mapAnthropicStreamError, readAnthropicErrorDetails } from './anthropic-error.js';
import { mapAnthropicFinishReason } from './map-anthropic-finish-reason.js';

const body = (type: string, message = 'upstream says no', errorCode?: string): string =>
  JSON.stringify({ type: 'error', error: { type, message, ...(errorCode ? { details: { error_code: errorCode } } : {}) }, request_id: 'req_1' });

describe('mapAnthropicError', () => {
  it.each([
    [400, 'invalid_request_error', 'invalid_request', false],
    [401, 'authentication_error', 'authentication_failed', false],
    [402, 'billing_error', 'permission_denied', false],
    [403, 'permission_error', 'permission_denied', false],
    [404, 'not_found_error', 'not_found', false],
    [408, 'timeout_error', 'request_timeout', true],
    [409, 'conflict_error', 'conflict', true],
    [413, 'request_too_large', 'payload_too_large', false],
    [429, 'rate_limit_error', 'rate_limited', true],
    [500, 'api_error', 'upstream_error', true],
    [503, 'api_error', 'upstream_unavailable', true],
    [504, 'timeout_error', 'upstream_error', true],
    [529, 'overloaded_error', 'upstream_unavailable', true],
    [418, 'permission_error', 'permission_denied', false],
  ] as const)('%i %s -> %s (retryable %s)', (status, type, expected, retryable) => {
    const error = mapAnthropicError({ status, headers: {}, bodyText: body(type) }, { provider: 'anthropic' });
    expect(error).toMatchObject({ code: expected, isRetryable: retryable, status, provider: 'anthropic' });
    expect(error.message).toBe(`anthropic returned ${status}: upstream says no`);
  });

  it('a 404 about the model is model_not_found with param model', () => {
    const error = mapAnthropicError({ status: 404, headers: {}, bodyText: body('not_found_error', 'model: claude-nope') }, { provider: 'anthropic' });
    expect(error).toMatchObject({ code: 'model_not_found', param: 'model' });
  });

  it('reads retry-after, and a spend limit 429 is not retryable', () => {
    const limited = mapAnthropicError({ status: 429, headers: { 'retry-after': '7' }, bodyText: body('rate_limit_error') }, { provider: 'anthropic' });
    expect(limited.retryAfterMs).toBe(7000);
    const spent = mapAnthropicError(
      { status: 429, headers: {}, bodyText: body('rate_limit_error', 'spend limit reached', 'enforced_spend_limit_reached') },
      { provider: 'anthropic' },
    );
    expect(spent).toMatchObject({ code: 'rate_limited', isRetryable: false });
  });

  it('honours x-should-retry', () => {
    const forced = mapAnthropicError({ status: 400, headers: { 'x-should-retry': 'true' }, bodyText: '' }, { provider: 'anthropic' });
    const refused = mapAnthropicError({ status: 529, headers: { 'x-should-retry': 'false' }, bodyText: '' }, { provider: 'anthropic' });
    expect(forced.isRetryable).toBe(true);
    expect(refused.isRetryable).toBe(false);
  });

  it('quotes a non-JSON body and never leaks the key', () => {
    const key = 'sk-ant-secret-abcdef123456';
    const error = mapAnthropicError({ status: 502, headers: {}, bodyText: `<html>bad gateway ${key}</html>` }, { provider: 'anthropic', secrets: [key] });
    expect(error.code).toBe('upstream_error');
    expect(error.message).toContain('<html>bad gateway');
    expect(error.message).not.toContain(key);
    expect(readAnthropicErrorDetails('not json')).toBeUndefined();
  });
});

describe('mapAnthropicStreamError', () => {
  it.each([
    ['overloaded_error', 'upstream_unavailable', true],
    ['rate_limit_error', 'rate_limited', true],
    ['api_error', 'upstream_error', true],
    ['invalid_request_error', 'invalid_request', false],
    ['something_new', 'upstream_error', true],
  ] as const)('%s -> %s (retryable %s)', (type, expected, retryable) => {
    const error = mapAnthropicStreamError({ type, message: 'mid-stream' }, { provider: 'anthropic' });
    expect(error).toMatchObject({ code: expected, isRetryable: retryable, provider: 'anthropic', message: 'anthropic stream error: mid-stream' });
  });
});

describe('mapAnthropicFinishReason', () => {
  it.each([
    ['end_turn', 'stop'],
    ['stop_sequence', 'stop'],
    ['max_tokens', 'length'],
    ['model_context_window_exceeded', 'length'],
    ['tool_use', 'tool-calls'],
    ['refusal', 'content-filter'],
    ['pause_turn', 'other'],
    [null, 'other'],
  ] as const)('%s -> %s', (reason, expected) => {
    expect(mapAnthropicFinishReason(reason)).toBe(expected);
  });
});
