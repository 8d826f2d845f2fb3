import { describe, expect, it } from 'vitest';
import { mapGeminiFinishReason } from './map-gemini-finish-reason.js';
import { mapGeminiError, mapGeminiStreamError, parseDuration, readGeminiErrorDetails } from './gemini-error.js';

const body = (code: number, status: string, message = 'upstream says no', details?: unknown[]): string =>
  JSON.stringify({ error: { code, message, status, ...(details ? { details } : {}) } });

describe('mapGeminiError', () => {
  it.each([
    [400, 'INVALID_ARGUMENT', 'invalid_request', false],
    [400, 'FAILED_PRECONDITION', 'invalid_request', false],
    [401, 'UNAUTHENTICATED', 'authentication_failed', false],
    [403, 'PERMISSION_DENIED', 'permission_denied', false],
    [404, 'NOT_FOUND', 'model_not_found', false],
    [408, 'DEADLINE_EXCEEDED', 'request_timeout', true],
    [409, 'ABORTED', 'conflict', true],
    [413, 'INVALID_ARGUMENT', 'payload_too_large', false],
    [429, 'RESOURCE_EXHAUSTED', 'rate_limited', true],
    [500, 'INTERNAL', 'upstream_error', true],
    [503, 'UNAVAILABLE', 'upstream_unavailable', true],
    [504, 'DEADLINE_EXCEEDED', 'upstream_error', true],
  ] as const)('%i %s -> %s (retryable %s)', (status, name, expected, retryable) => {
    const error = mapGeminiError({ status, headers: {}, bodyText: body(status, name) }, { provider: 'gemini', modelCall: true });
    expect(error).toMatchObject({ code: expected, isRetryable: retryable, status, provider: 'gemini' });
    expect(error.message).toBe(`gemini returned ${status}: upstream says no`);
  });

  it('a 400 with reason API_KEY_INVALID is authentication_failed', () => {
    const error = mapGeminiError(
      { status: 400, headers: {}, bodyText: body(400, 'INVALID_ARGUMENT', 'API key not valid.', [{ '@type': 'type.googleapis.com/google.rpc.ErrorInfo', reason: 'API_KEY_INVALID' }]) },
      { provider: 'gemini' },
    );
    expect(error.code).toBe('authentication_failed');
  });

  it('a 404 outside model calls is not_found unless the message names a model', () => {
    expect(mapGeminiError({ status: 404, headers: {}, bodyText: body(404, 'NOT_FOUND', 'Requested entity was not found.') }, { provider: 'gemini' }).code).toBe('not_found');
    expect(mapGeminiError({ status: 404, headers: {}, bodyText: body(404, 'NOT_FOUND', 'models/x is not found') }, { provider: 'gemini' }).code).toBe('model_not_found');
  });

  it('reads retry-after first, else RetryInfo.retryDelay', () => {
    const retryInfo = [{ '@type': 'type.googleapis.com/google.rpc.RetryInfo', retryDelay: '34.4s' }];
    const fromBody = mapGeminiError({ status: 429, headers: {}, bodyText: body(429, 'RESOURCE_EXHAUSTED', 'quota', retryInfo) }, { provider: 'gemini' });
    const fromHeader = mapGeminiError({ status: 429, headers: { 'retry-after': '2' }, bodyText: body(429, 'RESOURCE_EXHAUSTED', 'quota', retryInfo) }, { provider: 'gemini' });
    expect(fromBody.retryAfterMs).toBe(34_400);
    expect(fromHeader.retryAfterMs).toBe(2000);
  });

  it('quotes a non-JSON body, reads the array form, and never leaks the key', () => {
    const key = 'AIza-secret-abcdef123456';
    const error = mapGeminiError({ status: 502, headers: {}, bodyText: `<html>bad gateway ${key}</html>` }, { provider: 'gemini', secrets: [key] });
    expect(error.message).toContain('<html>bad gateway');
    expect(error.message).not.toContain(key);
    expect(readGeminiErrorDetails(`[${body(400, 'INVALID_ARGUMENT', 'in an array')}]`)?.message).toBe('in an array');
  });
});

describe('mapGeminiStreamError', () => {
  it('maps by the code in the event body', () => {
    expect(mapGeminiStreamError({ code: 429, message: 'x' }, { provider: 'gemini' })).toMatchObject({ code: 'rate_limited', isRetryable: true });
    expect(mapGeminiStreamError({ code: 503, message: 'x' }, { provider: 'gemini' })).toMatchObject({ code: 'upstream_unavailable', isRetryable: true });
    expect(mapGeminiStreamError({ code: 400, message: 'x' }, { provider: 'gemini' })).toMatchObject({ code: 'invalid_request', isRetryable: false });
    expect(mapGeminiStreamError({ message: 'x' }, { provider: 'gemini' })).toMatchObject({ code: 'upstream_error', isRetryable: true });
  });

  it('parses protobuf durations', () => {
    expect(parseDuration('3s')).toBe(3000);
    expect(parseDuration('0.25s')).toBe(250);
    expect(parseDuration('soon')).toBeUndefined();
  });
});

describe('mapGeminiFinishReason', () => {
  it.each([
    ['STOP', false, 'stop'],
    ['STOP', true, 'tool-calls'],
    ['MAX_TOKENS', false, 'length'],
    ['SAFETY', false, 'content-filter'],
    ['RECITATION', false, 'content-filter'],
    ['PROHIBITED_CONTENT', false, 'content-filter'],
    ['MALFORMED_FUNCTION_CALL', false, 'error'],
    ['OTHER', false, 'other'],
    [undefined, false, 'other'],
  ] as const)('%s (tool calls %s) -> %s', (reason, hasToolCalls, expected) => {
    expect(mapGeminiFinishReason(reason, hasToolCalls)).toBe(expected);
  });
});
