import { describe, expect, it } from 'vitest';
import { DEFAULT_REQUEST_LIMITS, type RequestLimits } from '../config/load.js';
import { SwitchyardError } from '../spec/errors.js';
import { checkModelName, checkRequestLimits, scanJsonText } from './request-limits.js';

const limits: RequestLimits = { ...DEFAULT_REQUEST_LIMITS, maxDepth: 8, maxJsonValues: 50, maxStringLength: 20, maxMessages: 3, maxContentParts: 4, maxModelNameLength: 16 };

async function scanError(text: string): Promise<SwitchyardError> {
  try {
    await scanJsonText(text, limits);
  } catch (error) {
    if (SwitchyardError.is(error)) return error;
    throw error;
  }
  throw new Error('no error');
}

function checkError(body: unknown): SwitchyardError {
  try {
    checkRequestLimits(body, limits);
  } catch (error) {
    if (SwitchyardError.is(error)) return error;
    throw error;
  }
  throw new Error('no error');
}

describe('scanJsonText', () => {
  it('lets a body within the limits through, brackets inside strings included', async () => {
    await expect(scanJsonText('{"a":"[[[[[[[[[[[[[[","b":[1,2,{"c":"\\\\"}]}', limits)).resolves.toBeUndefined();
  });

  it('refuses nesting past maxDepth before parsing, at any size', async () => {
    const error = await scanError(`${'['.repeat(1_000_000)}${']'.repeat(1_000_000)}`);
    expect(error).toMatchObject({ code: 'invalid_request', param: 'body' });
    expect(error.message).toMatch(/deeper than 8 levels \(server\.requestLimits\.maxDepth\)/);
  });

  it('refuses more than maxJsonValues values', async () => {
    expect((await scanError(JSON.stringify(new Array(60).fill(0)))).message).toMatch(/maxJsonValues/);
  });

  it('refuses an over-long string before parsing, naming its field', async () => {
    const error = await scanError(JSON.stringify({ model: 'm', messages: [{ role: 'user', content: 'x'.repeat(21) }] }));
    expect(error.param).toBe('messages.0.content');
    expect(error.message).toMatch(/^messages\.0\.content: longer than 20 characters \(server\.requestLimits\.maxStringLength\)/);
  });

  it('counts an escaped string by its decoded length', async () => {
    // 15 newlines are 30 characters of JSON text but 15 once decoded: within the limit.
    await expect(scanJsonText(JSON.stringify({ a: '\n'.repeat(15) }), limits)).resolves.toBeUndefined();
    expect((await scanError(JSON.stringify({ a: '\u00e9'.repeat(21) }))).param).toBe('a');
  });
});

describe('checkRequestLimits', () => {
  it('names the message list over maxMessages', () => {
    const error = checkError({ model: 'mock/echo', messages: new Array(4).fill({ role: 'user', content: 'x' }) });
    expect(error.param).toBe('messages');
    expect(error.message).toMatch(/more than 3 items \(server\.requestLimits\.maxMessages\)/);
  });

  it('counts content parts over all messages', () => {
    const message = { role: 'user', content: [{ type: 'text', text: 'a' }, { type: 'text', text: 'b' }] };
    expect(() => checkRequestLimits({ messages: [message, message] }, limits)).not.toThrow();
    const error = checkError({ messages: [message, message, { role: 'user', content: [{ type: 'text', text: 'c' }] }] });
    expect(error.param).toBe('messages.2.content');
    expect(error.message).toMatch(/maxContentParts/);
  });

  it('refuses __proto__ keys at any depth, naming where', () => {
    expect(checkError(JSON.parse('{"a":{"b":{"__proto__":{"x":1}}}}')).param).toBe('a.b.__proto__');
  });

  it('checks strings against the decoded length, naming the field', () => {
    expect(checkError({ model: 'm', input: ['ok', 'y'.repeat(21)] }).param).toBe('input.1');
  });
});

describe('checkModelName', () => {
  it.each([
    ['CR/LF', 'gpt\r\nx: y'],
    ['non-Latin-1', 'openai/模型'],
    ['an emoji', 'mock/🤖'],
    ['a space', 'mock/ echo'],
    ['Latin-1', 'mock/é'],
  ])('refuses a name with %s, without quoting it', (_label, model) => {
    try {
      checkModelName(model, limits);
      expect.unreachable();
    } catch (error) {
      expect(error).toMatchObject({ code: 'invalid_request', param: 'model' });
      expect((error as Error).message).not.toContain(model);
    }
  });

  it('refuses a name over maxModelNameLength and accepts ordinary ones', () => {
    expect(() => checkModelName('m'.repeat(17), limits)).toThrow(/maxModelNameLength/);
    for (const model of ['mock/echo', 'openai/ft:gpt-4o:org:x:1', '@cf/meta/llama-3.1-8b']) expect(() => checkModelName(model, DEFAULT_REQUEST_LIMITS)).not.toThrow();
  });
});
