import { describe, expect, it } from 'vitest';
import type { DriverCallOptions } from '../../spec/driver.js';
import { SwitchyardError } from '../../spec/errors.js';
import type { CallWarning } from '../../spec/response.js';
import { buildGeminiRequestBody, convertToGeminiMessages } from './convert-to-gemini-messages.js';
import { convertToGeminiSchema } from './gemini-schema.js';

function caught(run: () => unknown): SwitchyardError {
  try {
    run();
  } catch (error) {
    if (SwitchyardError.is(error)) return error;
    throw error;
  }
  throw new Error('expected a SwitchyardError');
}

describe('convertToGeminiMessages', () => {
  it('converts every role: system instruction, images, function calls and merged function responses', () => {
    const prompt = convertToGeminiMessages([
      { role: 'system', content: 'be brief' },
      { role: 'system', content: [{ type: 'text', text: 'be kind' }] },
      {
        role: 'user',
        content: [
          { type: 'text', text: 'what is this?' },
          { type: 'image', data: 'AAAA', mediaType: 'image/jpeg' },
          { type: 'image', url: 'data:image/webp;base64,BBBB' },
          { type: 'image', url: 'https://example.com/cat.png' },
        ],
      },
      {
        role: 'assistant',
        content: 'Checking.',
        toolCalls: [
          { id: 'call_0', name: 'lookup', arguments: '{"q":"cat"}' },
          { id: 'call_1', name: 'weigh', arguments: '' },
        ],
      },
      { role: 'tool', toolCallId: 'call_0', content: '{"kind":"cat"}' },
      { role: 'tool', toolCallId: 'call_1', content: '4 kg' },
      { role: 'assistant', content: 'A 4 kg cat.' },
    ]);
    expect(prompt).toEqual({
      systemInstruction: { parts: [{ text: 'be brief\n\nbe kind' }] },
      contents: [
        {
          role: 'user',
          parts: [
            { text: 'what is this?' },
            { inlineData: { mimeType: 'image/jpeg', data: 'AAAA' } },
            { inlineData: { mimeType: 'image/webp', data: 'BBBB' } },
            { fileData: { mimeType: 'image/png', fileUri: 'https://example.com/cat.png' } },
          ],
        },
        {
          role: 'model',
          parts: [
            { text: 'Checking.' },
            { functionCall: { name: 'lookup', args: { q: 'cat' } }, thoughtSignature: 'skip_thought_signature_validator' },
            { functionCall: { name: 'weigh', args: {} } },
          ],
        },
        {
          role: 'user',
          parts: [
            { functionResponse: { name: 'lookup', response: { kind: 'cat' } } },
            { functionResponse: { name: 'weigh', response: { output: '4 kg' } } },
          ],
        },
        { role: 'model', parts: [{ text: 'A 4 kg cat.' }] },
      ],
    });
  });

  it('names a tool result after the latest earlier call with its id (ids repeat across turns)', () => {
    const prompt = convertToGeminiMessages([
      { role: 'user', content: 'go' },
      { role: 'assistant', content: null, toolCalls: [{ id: 'call_0', name: 'first', arguments: '{}' }] },
      { role: 'tool', toolCallId: 'call_0', content: '1' },
      { role: 'assistant', content: null, toolCalls: [{ id: 'call_0', name: 'second', arguments: '{}' }] },
      { role: 'tool', toolCallId: 'call_0', content: '2' },
    ]);
    expect(prompt.contents[2].parts).toEqual([{ functionResponse: { name: 'first', response: { output: 1 } } }]);
    expect(prompt.contents[4].parts).toEqual([{ functionResponse: { name: 'second', response: { output: 2 } } }]);
  });

  it('rejects a tool result with no earlier call, bad arguments, and an empty image, naming the message', () => {
    const orphan = caught(() => convertToGeminiMessages([{ role: 'tool', toolCallId: 'call_9', content: 'x' }]));
    expect(orphan).toMatchObject({ code: 'invalid_request', param: 'messages[0].toolCallId' });
    expect(orphan.message).toContain('"call_9"');
    const badArguments = caught(() =>
      convertToGeminiMessages([{ role: 'assistant', content: null, toolCalls: [{ id: 'a', name: 'f', arguments: '[1,2]' }] }]),
    );
    expect(badArguments).toMatchObject({ code: 'invalid_request', param: 'messages[0].toolCalls[0].arguments' });
    const image = caught(() => convertToGeminiMessages([{ role: 'user', content: [{ type: 'image' }] }]));
    expect(image.message).toContain('messages[0]');
  });

  it('drops images outside user messages and empty model turns, with a warning', () => {
    const warnings: CallWarning[] = [];
    const prompt = convertToGeminiMessages(
      [
        { role: 'user', content: 'hi' },
        { role: 'assistant', content: [{ type: 'image', url: 'https://x/y.png' }] },
      ],
      warnings,
    );
    expect(prompt.contents).toEqual([{ role: 'user', parts: [{ text: 'hi' }] }]);
    expect(warnings).toHaveLength(1);
  });
});

describe('buildGeminiRequestBody', () => {
  const base: DriverCallOptions = { modelId: 'gemini-2.5-flash', messages: [{ role: 'user', content: 'hi' }] };

  it.each([
    ['auto', { mode: 'AUTO' }],
    ['none', { mode: 'NONE' }],
    ['required', { mode: 'ANY' }],
    [{ name: 'lookup' }, { mode: 'ANY', allowedFunctionNames: ['lookup'] }],
  ] as const)('maps toolChoice %j to functionCallingConfig %j', (toolChoice, expected) => {
    const { body } = buildGeminiRequestBody({ ...base, tools: [{ name: 'lookup', parameters: { type: 'object' } }], toolChoice });
    expect(body.toolConfig).toEqual({ functionCallingConfig: expected });
    expect(body.tools).toEqual([{ functionDeclarations: [{ name: 'lookup' }] }]);
  });

  it('maps json mode, and warns for toolChoice without tools', () => {
    const { body, warnings } = buildGeminiRequestBody({ ...base, responseFormat: { type: 'json' }, toolChoice: 'required' });
    expect(body).toEqual({ contents: [{ role: 'user', parts: [{ text: 'hi' }] }], generationConfig: { responseMimeType: 'application/json' } });
    expect(warnings).toEqual([expect.objectContaining({ setting: 'toolChoice' })]);
  });
});

describe('convertToGeminiSchema', () => {
  it('keeps the OpenAPI subset, turns type arrays and null alternatives into nullable, const into enum', () => {
    expect(
      convertToGeminiSchema({
        $schema: 'http://json-schema.org/draft-07/schema#',
        type: 'object',
        additionalProperties: false,
        required: ['name'],
        properties: {
          name: { type: 'string', description: 'who', minLength: 1 },
          age: { type: ['integer', 'null'] },
          kind: { const: 'cat' },
          tags: { type: 'array', items: { type: 'string', enum: ['a', 'b'] } },
          owner: { anyOf: [{ type: 'object', properties: { id: { type: 'string' } } }, { type: 'null' }] },
          either: { oneOf: [{ type: 'string' }, { type: 'number' }] },
          free: { type: 'object' },
        },
      }),
    ).toEqual({
      type: 'object',
      required: ['name'],
      properties: {
        name: { type: 'string', description: 'who', minLength: 1 },
        age: { type: 'integer', nullable: true },
        kind: { type: 'string', enum: ['cat'] },
        tags: { type: 'array', items: { type: 'string', enum: ['a', 'b'] } },
        owner: { type: 'object', nullable: true, properties: { id: { type: 'string' } } },
        either: { anyOf: [{ type: 'string' }, { type: 'number' }] },
        free: { type: 'object' },
      },
    });
  });

  it('gives undefined for an object without properties and for non-objects', () => {
    expect(convertToGeminiSchema({ type: 'object', properties: {} })).toBeUndefined();
    expect(convertToGeminiSchema('string')).toBeUndefined();
  });
});
