import { describe, expect, it } from 'vitest';
import { SwitchyardError } from '../spec/errors.js';
import { parseJson, quote } from './safe-json.js';

describe('parseJson', () => {
  it('returns the parsed value', () => {
    expect(parseJson('{"a":[1,2]}', 'test body')).toEqual({ a: [1, 2] });
  });

  it('throws invalid_response naming the context and quoting the payload', () => {
    let caught: unknown;
    try {
      parseJson('{"id": "x", "choices": [', 'openai chat completion response', 'openai');
    } catch (error) {
      caught = error;
    }
    expect(SwitchyardError.is(caught)).toBe(true);
    const error = caught as SwitchyardError;
    expect(error.code).toBe('invalid_response');
    expect(error.provider).toBe('openai');
    expect(error.isRetryable).toBe(false);
    expect(error.message).toContain('openai chat completion response');
    expect(error.message).toContain('{\\"id\\"');
    expect(error.cause).toBeInstanceOf(SyntaxError);
  });

  it('rejects an empty body', () => {
    expect(() => parseJson('', 'empty')).toThrow(/Invalid JSON in empty/);
  });
});

describe('quote', () => {
  it('truncates long payloads with a marker', () => {
    const quoted = quote('x'.repeat(500), 10);
    expect(quoted).toBe(`"${'x'.repeat(10)}…"`);
  });
});
