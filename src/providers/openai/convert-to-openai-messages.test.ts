import { describe, expect, it } from 'vitest';
import type { DriverCallOptions } from '../../spec/driver.js';
import { SwitchyardError } from '../../spec/errors.js';
import type { CallWarning } from '../../spec/response.js';
import { buildOpenAIChatBody, convertToOpenAIMessages, isOpenAIReasoningModel } from './convert-to-openai-messages.js';

describe('convertToOpenAIMessages', () => {
  it('converts every role, image parts, tool calls and tool results', () => {
    const messages = convertToOpenAIMessages([
      { role: 'system', content: 'be brief' },
      {
        role: 'user',
        content: [
          { type: 'text', text: 'what is this?' },
          { type: 'image', url: 'https://example.com/cat.png' },
          { type: 'image', data: 'AAAA', mediaType: 'image/jpeg' },
        ],
      },
      { role: 'assistant', content: '', toolCalls: [{ id: 'call_1', name: 'lookup', arguments: '{"q":"cat"}' }] },
      { role: 'tool', toolCallId: 'call_1', content: [{ type: 'text', text: 'a cat' }] },
      { role: 'assistant', content: 'It is a cat.' },
    ]);
    expect(messages).toEqual([
      { role: 'system', content: 'be brief' },
      {
        role: 'user',
        content: [
          { type: 'text', text: 'what is this?' },
          { type: 'image_url', image_url: { url: 'https://example.com/cat.png' } },
          { type: 'image_url', image_url: { url: 'data:image/jpeg;base64,AAAA' } },
        ],
      },
      {
        role: 'assistant',
        content: null,
        tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'lookup', arguments: '{"q":"cat"}' } }],
      },
      { role: 'tool', tool_call_id: 'call_1', content: 'a cat' },
      { role: 'assistant', content: 'It is a cat.' },
    ]);
  });

  it('rejects an image part with neither url nor data, naming the message', () => {
    let caught: unknown;
    try {
      convertToOpenAIMessages([{ role: 'user', content: [{ type: 'image' }] }]);
    } catch (error) {
      caught = error;
    }
    expect(SwitchyardError.is(caught) && caught.code).toBe('invalid_request');
    expect((caught as Error).message).toContain('messages[0]');
  });

  it('drops images outside user messages with a warning', () => {
    const warnings: CallWarning[] = [];
    const messages = convertToOpenAIMessages(
      [{ role: 'system', content: [{ type: 'text', text: 'hi' }, { type: 'image', url: 'https://x/y.png' }] }],
      warnings,
    );
    expect(messages).toEqual([{ role: 'system', content: 'hi' }]);
    expect(warnings).toHaveLength(1);
  });
});

describe('buildOpenAIChatBody', () => {
  const base: DriverCallOptions = { modelId: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] };

  it('maps every generation setting to its wire name', () => {
    const { body, warnings } = buildOpenAIChatBody(
      {
        ...base,
        temperature: 0.2,
        topP: 0.9,
        maxTokens: 50,
        stop: ['\n'],
        seed: 7,
        user: 'user-1',
        tools: [{ name: 'lookup', description: 'find things', parameters: { type: 'object' } }],
        toolChoice: { name: 'lookup' },
        responseFormat: { type: 'json_schema', name: 'answer', schema: { type: 'object' }, strict: true },
      },
      false,
    );
    expect(warnings).toEqual([]);
    expect(body).toEqual({
      model: 'gpt-4o-mini',
      messages: [{ role: 'user', content: 'hi' }],
      temperature: 0.2,
      top_p: 0.9,
      max_tokens: 50,
      stop: ['\n'],
      seed: 7,
      user: 'user-1',
      tools: [{ type: 'function', function: { name: 'lookup', description: 'find things', parameters: { type: 'object' } } }],
      tool_choice: { type: 'function', function: { name: 'lookup' } },
      response_format: { type: 'json_schema', json_schema: { name: 'answer', schema: { type: 'object' }, strict: true } },
    });
  });

  it('asks for usage in streams and maps json mode and string tool choices', () => {
    const { body } = buildOpenAIChatBody({ ...base, responseFormat: { type: 'json' }, toolChoice: 'required' }, true);
    expect(body).toMatchObject({
      stream: true,
      stream_options: { include_usage: true },
      response_format: { type: 'json_object' },
      tool_choice: 'required',
    });
  });

  it('uses max_completion_tokens for reasoning models and refuses their sampling settings', () => {
    const { body, warnings } = buildOpenAIChatBody({ ...base, modelId: 'o4-mini', maxTokens: 100 }, false);
    expect(body.max_completion_tokens).toBe(100);
    expect(body).not.toHaveProperty('max_tokens');
    expect(warnings).toEqual([]);
    expect(() => buildOpenAIChatBody({ ...base, modelId: 'o4-mini', temperature: 1 }, false)).toThrow(/^temperature: o4-mini does not support temperature \(provider "openai"\)$/);
    expect(() => buildOpenAIChatBody({ ...base, modelId: 'o4-mini', topP: 0.5 }, false)).toThrow(/^topP: /);
  });

  it.each([
    ['o1', true],
    ['o3-mini', true],
    ['gpt-5', true],
    ['gpt-5-mini', true],
    ['gpt-5-chat-latest', false],
    ['gpt-4o', false],
    ['omni-moderation', false],
  ])('isOpenAIReasoningModel(%s) = %s', (modelId, expected) => {
    expect(isOpenAIReasoningModel(modelId)).toBe(expected);
  });
});
