import { describe, expect, it } from 'vitest';
import { ERROR_CODES, SwitchyardError, type ErrorCode } from '../spec/errors.js';
import { anthropicErrorBody, ERROR_MAPPING, openAIErrorBody, retryAfterHeaders, toGatewayError } from './error-mapping.js';

/** The statuses PRODUCT.md promises ("HTTP gateway"), by code. Every code must be listed here. */
const DOCUMENTED_STATUS: Record<ErrorCode, number> = {
  invalid_request: 400,
  invalid_config: 500,
  authentication_failed: 401,
  permission_denied: 403,
  model_not_allowed: 403,
  model_not_found: 404,
  not_found: 404,
  payload_too_large: 413,
  rate_limited: 429,
  rate_limit_exceeded: 429,
  budget_exceeded: 429,
  conflict: 409,
  request_timeout: 504,
  upstream_error: 502,
  upstream_unavailable: 502,
  connect_timeout: 504,
  headers_timeout: 504,
  body_timeout: 504,
  connection_failed: 502,
  invalid_response: 502,
  response_too_large: 502,
  aborted: 499,
  unsupported: 400,
  internal_error: 500,
};

const OPENAI_TYPES = new Set(['invalid_request_error', 'permission_error', 'rate_limit_error', 'timeout_error', 'upstream_error', 'server_error']);
const ANTHROPIC_TYPES = new Set([
  'invalid_request_error',
  'authentication_error',
  'permission_error',
  'not_found_error',
  'request_too_large',
  'rate_limit_error',
  'api_error',
  'overloaded_error',
  'timeout_error',
]);

describe('error mapping', () => {
  it('maps exactly the codes of ERROR_CODES', () => {
    expect(Object.keys(ERROR_MAPPING).sort()).toEqual([...ERROR_CODES].sort());
    expect(Object.keys(DOCUMENTED_STATUS).sort()).toEqual([...ERROR_CODES].sort());
  });

  it.each(ERROR_CODES.map((code) => [code]))('%s: documented status, known wire types, both body shapes', (code) => {
    const mapping = ERROR_MAPPING[code];
    expect(mapping.status).toBe(DOCUMENTED_STATUS[code]);
    expect(OPENAI_TYPES.has(mapping.openai)).toBe(true);
    expect(ANTHROPIC_TYPES.has(mapping.anthropic)).toBe(true);

    const error = new SwitchyardError({ code, message: `failure ${code}`, param: 'messages', retryAfterMs: 1500 });
    const gatewayError = toGatewayError(error, 'request-1');
    expect(gatewayError).toMatchObject({ status: mapping.status, code, message: `failure ${code}`, param: 'messages' });
    expect(openAIErrorBody(gatewayError)).toEqual({ error: { message: `failure ${code}`, type: mapping.openai, code, param: 'messages' } });
    expect(anthropicErrorBody(gatewayError)).toEqual({ type: 'error', error: { type: mapping.anthropic, message: `failure ${code}` } });
    expect(retryAfterHeaders(gatewayError)).toEqual({ 'retry-after': '2', 'retry-after-ms': '1500' });
  });

  it('never passes on the message of an unknown error', () => {
    const gatewayError = toGatewayError(new Error('password=hunter2 at /srv/app.js:10'), 'request-9');
    expect(gatewayError).toEqual({ status: 500, code: 'internal_error', message: 'internal error (request request-9)', param: null });
  });

  it('scrubs credentials out of upstream messages', () => {
    const error = new SwitchyardError({ code: 'authentication_failed', message: 'upstream said: Incorrect API key provided: sk-proj-abcdefghijklmnop' });
    expect(toGatewayError(error, 'r').message).not.toContain('abcdefghijklmnop');
  });

  it('maps the framework body errors to 413 and 400', () => {
    expect(toGatewayError(Object.assign(new Error('too large'), { code: 'FST_ERR_CTP_BODY_TOO_LARGE', statusCode: 413 }), 'r')).toMatchObject({
      status: 413,
      code: 'payload_too_large',
    });
    expect(toGatewayError(Object.assign(new SyntaxError('Unexpected token'), { statusCode: 400 }), 'r')).toMatchObject({ status: 400, code: 'invalid_request' });
    expect(toGatewayError(Object.assign(new Error('bad'), { code: 'FST_ERR_CTP_EMPTY_JSON_BODY', statusCode: 400 }), 'r')).toMatchObject({ status: 400 });
  });
});
