import { describe, expect, it } from 'vitest';
import { mapOllamaFinishReason } from './map-ollama-finish-reason.js';
import { mapOllamaError, mapOllamaStreamError, readOllamaErrorMessage } from './ollama-error.js';

const body = (message: string): string => JSON.stringify({ error: message });

describe('mapOllamaError', () => {
  it.each([
    [400, 'invalid_request', false],
    [401, 'authentication_failed', false],
    [403, 'permission_denied', false],
    [404, 'model_not_found', false],
    [408, 'request_timeout', true],
    [413, 'payload_too_large', false],
    [429, 'rate_limited', true],
    [500, 'upstream_error', true],
    [502, 'upstream_error', true],
    [503, 'upstream_unavailable', true],
  ] as const)('%i -> %s (retryable %s)', (status, expected, retryable) => {
    const error = mapOllamaError({ status, headers: {}, bodyText: body('nope') }, { provider: 'ollama', modelCall: true });
    expect(error).toMatchObject({ code: expected, isRetryable: retryable, status, provider: 'ollama' });
    expect(error.message).toBe(`ollama returned ${status}: nope`);
  });

  it('a 404 outside model calls is not_found unless the message says the model is missing', () => {
    expect(mapOllamaError({ status: 404, headers: {}, bodyText: '404 page not found' }, { provider: 'ollama' }).code).toBe('not_found');
    expect(mapOllamaError({ status: 404, headers: {}, bodyText: body('model "x" not found, try pulling it first') }, { provider: 'ollama' }).code).toBe('model_not_found');
  });

  it('reads retry-after, quotes non-JSON bodies and redacts secrets', () => {
    const secret = 'proxy-token-abcdefgh';
    const error = mapOllamaError({ status: 429, headers: { 'retry-after': '4' }, bodyText: `slow down ${secret}` }, { provider: 'ollama', secrets: [secret] });
    expect(error.retryAfterMs).toBe(4000);
    expect(error.message).toBe('ollama returned 429: "slow down [redacted]"');
    expect(readOllamaErrorMessage('{"error":42}')).toBeUndefined();
  });

  it('maps a mid-stream error line to a retryable upstream_error', () => {
    expect(mapOllamaStreamError('runner crashed', { provider: 'ollama' })).toMatchObject({ code: 'upstream_error', isRetryable: true, message: 'ollama stream error: runner crashed' });
  });
});

describe('mapOllamaFinishReason', () => {
  it.each([
    ['stop', false, 'stop'],
    ['stop', true, 'tool-calls'],
    [undefined, true, 'tool-calls'],
    ['length', false, 'length'],
    ['length', true, 'length'],
    ['load', false, 'other'],
    [null, false, 'other'],
  ] as const)('%s (tool calls %s) -> %s', (reason, hasToolCalls, expected) => {
    expect(mapOllamaFinishReason(reason, hasToolCalls)).toBe(expected);
  });
});
