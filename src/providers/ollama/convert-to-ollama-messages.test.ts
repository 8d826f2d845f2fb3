import { describe, expect, it } from 'vitest';
import type { DriverCallOptions } from '../../spec/driver.js';
import { SwitchyardError } from '../../spec/errors.js';
import type { CallWarning } from '../../spec/response.js';
import { buildOllamaChatBody, convertToOllamaMessages } from './convert-to-ollama-messages.js';

describe('convertToOllamaMessages', () => {
  it('converts every role: base64 images, object tool arguments, tool_name on results', () => {
    const warnings: CallWarning[] = [];
    const messages = convertToOllamaMessages(
      [
        { role: 'system', content: 'be brief' },
        {
          role: 'user',
          content: [
            { type: 'text', text: 'what is ' },
            { type: 'text', text: 'this?' },
            { type: 'image', data: 'AAAA', mediaType: 'image/jpeg' },
            { type: 'image', url: 'data:image/png;base64,BBBB' },
          ],
        },
        { role: 'assistant', content: '', toolCalls: [{ id: 'call_0', name: 'lookup', arguments: '{"q":"cat"}' }] },
        { role: 'tool', toolCallId: 'call_0', content: [{ type: 'text', text: 'a cat' }] },
        { role: 'tool', toolCallId: 'unknown', content: 'orphan' },
        { role: 'assistant', content: 'It is a cat.' },
      ],
      warnings,
    );
    expect(messages).toEqual([
      { role: 'system', content: 'be brief' },
      { role: 'user', content: 'what is this?', images: ['AAAA', 'BBBB'] },
      { role: 'assistant', content: '', tool_calls: [{ function: { name: 'lookup', arguments: { q: 'cat' } } }] },
      { role: 'tool', content: 'a cat', tool_name: 'lookup' },
      { role: 'tool', content: 'orphan' },
      { role: 'assistant', content: 'It is a cat.' },
    ]);
    expect(warnings).toEqual([]);
  });

  it('drops image URLs (Ollama takes base64 only) and images outside user messages, with warnings', () => {
    const warnings: CallWarning[] = [];
    const messages = convertToOllamaMessages(
      [
        { role: 'user', content: [{ type: 'text', text: 'hi' }, { type: 'image', url: 'https://example.com/cat.png' }] },
        { role: 'system', content: [{ type: 'text', text: 'sys' }, { type: 'image', data: 'AAAA' }] },
      ],
      warnings,
    );
    expect(messages).toEqual([
      { role: 'user', content: 'hi' },
      { role: 'system', content: 'sys' },
    ]);
    expect(warnings).toHaveLength(2);
    expect(warnings[0].message).toContain('messages[0]');
  });

  it('rejects tool arguments that are not a JSON object, naming the field', () => {
    let caught: unknown;
    try {
      convertToOllamaMessages([{ role: 'assistant', content: null, toolCalls: [{ id: 'a', name: 'f', arguments: 'not json' }] }]);
    } catch (error) {
      caught = error;
    }
    expect(SwitchyardError.is(caught) && caught.param).toBe('messages[0].toolCalls[0].arguments');
  });
});

describe('buildOllamaChatBody', () => {
  const base: DriverCallOptions = { modelId: 'llama3.2', messages: [{ role: 'user', content: 'hi' }] };
  const tools = [
    { name: 'lookup', parameters: { type: 'object' } },
    { name: 'search', description: 'web', parameters: { type: 'object' } },
  ];

  it('maps generation settings to options and json mode to format', () => {
    const { body, warnings } = buildOllamaChatBody({ ...base, temperature: 0.3, topP: 0.8, maxTokens: 64, stop: ['\n'], seed: 1, responseFormat: { type: 'json' } }, true);
    expect(warnings).toEqual([]);
    expect(body).toEqual({
      model: 'llama3.2',
      messages: [{ role: 'user', content: 'hi' }],
      stream: true,
      options: { temperature: 0.3, top_p: 0.8, num_predict: 64, stop: ['\n'], seed: 1 },
      format: 'json',
    });
  });

  it('honours toolChoice none by leaving tools out, and narrows a named choice with a warning', () => {
    expect(buildOllamaChatBody({ ...base, tools, toolChoice: 'none' }, false).body).not.toHaveProperty('tools');
    const named = buildOllamaChatBody({ ...base, tools, toolChoice: { name: 'search' } }, false);
    expect(named.body.tools).toEqual([{ type: 'function', function: { name: 'search', description: 'web', parameters: { type: 'object' } } }]);
    expect(named.warnings).toEqual([expect.objectContaining({ type: 'unsupported-setting', setting: 'toolChoice' })]);
    expect(buildOllamaChatBody({ ...base, tools, toolChoice: 'auto' }, false).warnings).toEqual([]);
  });
});
