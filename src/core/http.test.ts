import { errors } from 'undici';
import { describe, expect, it } from 'vitest';
import { SwitchyardError } from '../spec/errors.js';
import { mapTransportError } from './http.js';

const context = { provider: 'openai', context: 'chat completion' };
const withCode = (code: string, message = code): Error => Object.assign(new Error(message), { code });

describe('mapTransportError', () => {
  it.each([
    [new errors.ConnectTimeoutError(), 'connect_timeout', true],
    [new errors.HeadersTimeoutError(), 'headers_timeout', true],
    [new errors.BodyTimeoutError(), 'body_timeout', true],
    [new errors.SocketError('other side closed'), 'connection_failed', true],
    [withCode('ECONNREFUSED', 'connect ECONNREFUSED 127.0.0.1:1'), 'connection_failed', true],
    [withCode('ECONNRESET'), 'connection_failed', true],
    [withCode('ENOTFOUND'), 'connection_failed', true],
    [new errors.RequestAbortedError(), 'aborted', false],
    [new DOMException('This operation was aborted', 'AbortError'), 'aborted', false],
    [withCode('UND_ERR_RES_CONTENT_LENGTH_MISMATCH'), 'invalid_response', true],
    [new TypeError('something odd'), 'internal_error', false],
  ] as const)('%s -> %s', (error, code, retryable) => {
    const mapped = mapTransportError(error, context);
    expect(mapped.code).toBe(code);
    expect(mapped.isRetryable).toBe(retryable);
    expect(mapped.provider).toBe('openai');
    expect(mapped.message.startsWith('openai chat completion: ')).toBe(true);
    expect(mapped.cause).toBe(error);
  });

  it('finds the code inside an AggregateError (happy eyeballs) or a cause', () => {
    const aggregate = new AggregateError([withCode('ECONNREFUSED'), withCode('ECONNREFUSED')], 'all failed');
    expect(mapTransportError(aggregate, context).code).toBe('connection_failed');
    const wrapped = new Error('fetch failed', { cause: new errors.ConnectTimeoutError() });
    expect(mapTransportError(wrapped, context).code).toBe('connect_timeout');
  });

  it('treats any error after the signal aborted as aborted', () => {
    const mapped = mapTransportError(new errors.SocketError('closed'), { ...context, signal: AbortSignal.abort() });
    expect(mapped.code).toBe('aborted');
  });

  it('passes a SwitchyardError through unchanged', () => {
    const original = new SwitchyardError({ code: 'invalid_response', message: 'bad' });
    expect(mapTransportError(original, context)).toBe(original);
  });
});
