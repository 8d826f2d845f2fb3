import { describe, expect, it } from 'vitest';
import type { DriverCallOptions } from '../../spec/driver.js';
import { SwitchyardError } from '../../spec/errors.js';
import type { CallWarning } from '../../spec/response.js';
import { buildAnthropicMessagesBody, convertToAnthropicMessages } from './convert-to-anthropic-messages.js';

function caught(run: () => unknown): SwitchyardError {
  try {
    run();
  } catch (error) {
    if (SwitchyardError.is(error)) return error;
    throw error;
  }
  throw new Error('expected an error');
}

describe('convertToAnthropicMessages', () => {
  it('hoists every system message into one system prompt, wherever it stands', () => {
    const prompt = convertToAnthropicMessages([
      { role: 'system', content: 'be brief' },
      { role: 'user', content: 'hi' },
      { role: 'system', content: [{ type: 'text', text: 'answer in French' }] },
      { role: 'assistant', content: 'salut' },
    ]);
    expect(prompt).toEqual({
      system: 'be brief\n\nanswer in French',
      messages: [
        { role: 'user', content: 'hi' },
        { role: 'assistant', content: 'salut' },
      ],
    });
  });

  it('turns tool calls into tool_use blocks and tool messages into one user turn of tool_result blocks', () => {
    const prompt = convertToAnthropicMessages([
      { role: 'user', content: 'weather in Paris and Rome?' },
      {
        role: 'assistant',
        content: 'Checking.',
        toolCalls: [
          { id: 'toolu_1', name: 'weather', arguments: '{"city":"Paris"}' },
          { id: 'toolu_2', name: 'weather', arguments: '' },
        ],
      },
      { role: 'tool', toolCallId: 'toolu_1', content: 'sunny' },
      { role: 'tool', toolCallId: 'toolu_2', content: [{ type: 'text', text: 'rain' }] },
      { role: 'user', content: 'and tomorrow?' },
    ]);
    expect(prompt.system).toBeUndefined();
    expect(prompt.messages).toEqual([
      { role: 'user', content: 'weather in Paris and Rome?' },
      {
        role: 'assistant',
        content: [
          { type: 'text', text: 'Checking.' },
          { type: 'tool_use', id: 'toolu_1', name: 'weather', input: { city: 'Paris' } },
          { type: 'tool_use', id: 'toolu_2', name: 'weather', input: {} },
        ],
      },
      {
        role: 'user',
        content: [
          { type: 'tool_result', tool_use_id: 'toolu_1', content: 'sunny' },
          { type: 'tool_result', tool_use_id: 'toolu_2', content: [{ type: 'text', text: 'rain' }] },
          { type: 'text', text: 'and tomorrow?' },
        ],
      },
    ]);
  });

  it('merges consecutive messages of the same role', () => {
    const { messages } = convertToAnthropicMessages([
      { role: 'user', content: 'one' },
      { role: 'user', content: 'two' },
      { role: 'assistant', content: 'three' },
      { role: 'assistant', content: [{ type: 'text', text: 'four' }] },
    ]);
    expect(messages).toEqual([
      { role: 'user', content: [{ type: 'text', text: 'one' }, { type: 'text', text: 'two' }] },
      { role: 'assistant', content: [{ type: 'text', text: 'three' }, { type: 'text', text: 'four' }] },
    ]);
  });

  it('converts images to base64 or url sources', () => {
    const { messages } = convertToAnthropicMessages([
      {
        role: 'user',
        content: [
          { type: 'text', text: 'compare' },
          { type: 'image', url: 'https://example.com/cat.png' },
          { type: 'image', url: 'data:image/jpeg;base64,AAAA' },
          { type: 'image', data: 'BBBB', mediaType: 'image/webp' },
          { type: 'image', data: 'CCCC' },
        ],
      },
    ]);
    expect(messages[0].content).toEqual([
      { type: 'text', text: 'compare' },
      { type: 'image', source: { type: 'url', url: 'https://example.com/cat.png' } },
      { type: 'image', source: { type: 'base64', media_type: 'image/jpeg', data: 'AAAA' } },
      { type: 'image', source: { type: 'base64', media_type: 'image/webp', data: 'BBBB' } },
      { type: 'image', source: { type: 'base64', media_type: 'image/png', data: 'CCCC' } },
    ]);
  });

  it('drops empty text, omits a message left empty, and warns', () => {
    const warnings: CallWarning[] = [];
    const { messages } = convertToAnthropicMessages(
      [
        { role: 'user', content: 'hi' },
        { role: 'assistant', content: '' },
        { role: 'user', content: [{ type: 'text', text: '' }, { type: 'text', text: 'again' }] },
      ],
      warnings,
    );
    expect(messages).toEqual([{ role: 'user', content: [{ type: 'text', text: 'hi' }, { type: 'text', text: 'again' }] }]);
    expect(warnings).toEqual([{ type: 'other', message: 'messages[1]: the message is empty and was not sent' }]);
  });

  it('drops images from the system prompt with a warning', () => {
    const warnings: CallWarning[] = [];
    const prompt = convertToAnthropicMessages(
      [{ role: 'system', content: [{ type: 'text', text: 'look' }, { type: 'image', url: 'https://x/y.png' }] }, { role: 'user', content: 'ok' }],
      warnings,
    );
    expect(prompt.system).toBe('look');
    expect(warnings).toHaveLength(1);
  });

  it('rejects bad tool-call arguments and bad images, naming the field', () => {
    const badJson = caught(() => convertToAnthropicMessages([{ role: 'assistant', content: null, toolCalls: [{ id: 't', name: 'f', arguments: '{oops' }] }]));
    expect(badJson).toMatchObject({ code: 'invalid_request', param: 'messages[0].toolCalls[0].arguments' });
    expect(badJson.message).toContain('not valid JSON');
    const notObject = caught(() => convertToAnthropicMessages([{ role: 'assistant', content: null, toolCalls: [{ id: 't', name: 'f', arguments: '[1]' }] }]));
    expect(notObject.message).toContain('must be a JSON object');
    const noSource = caught(() => convertToAnthropicMessages([{ role: 'user', content: 'x' }, { role: 'user', content: [{ type: 'image' }] }]));
    expect(noSource).toMatchObject({ code: 'invalid_request', param: 'messages[1].content' });
    const ftp = caught(() => convertToAnthropicMessages([{ role: 'user', content: [{ type: 'image', url: 'ftp://x/y.png' }] }]));
    expect(ftp.message).toContain('http(s) or a base64 data: URL');
  });
});

describe('buildAnthropicMessagesBody', () => {
  const base: DriverCallOptions = { modelId: 'claude-haiku-4-5', messages: [{ role: 'user', content: 'hi' }] };

  it('maps every generation setting to its wire name', () => {
    const { body, warnings } = buildAnthropicMessagesBody(
      {
        ...base,
        maxTokens: 50,
        topP: 0.9,
        stop: ['END'],
        user: 'user-1',
        tools: [{ name: 'lookup', description: 'find things', parameters: { type: 'object' } }],
        toolChoice: { name: 'lookup' },
      },
      true,
    );
    expect(warnings).toEqual([]);
    expect(body).toEqual({
      model: 'claude-haiku-4-5',
      max_tokens: 50,
      messages: [{ role: 'user', content: 'hi' }],
      top_p: 0.9,
      stop_sequences: ['END'],
      metadata: { user_id: 'user-1' },
      tools: [{ name: 'lookup', description: 'find things', input_schema: { type: 'object' } }],
      tool_choice: { type: 'tool', name: 'lookup' },
      stream: true,
    });
  });

  it('defaults max_tokens to 4096 and maps the string tool choices', () => {
    const tools = [{ name: 'lookup', parameters: { type: 'object' } }];
    expect(buildAnthropicMessagesBody(base, false).body.max_tokens).toBe(4096);
    expect(buildAnthropicMessagesBody({ ...base, tools, toolChoice: 'auto' }, false).body.tool_choice).toEqual({ type: 'auto' });
    expect(buildAnthropicMessagesBody({ ...base, tools, toolChoice: 'required' }, false).body.tool_choice).toEqual({ type: 'any' });
    expect(buildAnthropicMessagesBody({ ...base, tools, toolChoice: 'none' }, false).body.tool_choice).toEqual({ type: 'none' });
  });

  it('refuses what Anthropic cannot honour on a library call, naming the setting and the provider', () => {
    for (const [settings, field] of [
      [{ temperature: 1.5 }, 'temperature'],
      [{ temperature: 0.5, topP: 0.5 }, 'topP'],
      [{ seed: 3 }, 'seed'],
      [{ frequencyPenalty: 0.1 }, 'frequencyPenalty'],
      [{ logprobs: true }, 'logprobs'],
    ] as const) {
      let caught: unknown;
      try {
        buildAnthropicMessagesBody({ ...base, ...settings }, false);
      } catch (error) {
        caught = error;
      }
      expect(SwitchyardError.is(caught)).toBe(true);
      expect(caught).toMatchObject({ code: 'unsupported', status: 400, provider: 'anthropic', param: field });
      expect((caught as Error).message).toMatch(new RegExp(`^${field}: .*provider "anthropic"`));
    }
  });

  it('sends temperature 1, and temperature with top_p to models that take both; maps a JSON schema to output_config', () => {
    expect(buildAnthropicMessagesBody({ ...base, temperature: 1 }, false).body).toMatchObject({ temperature: 1 });
    for (const modelId of ['claude-sonnet-4-0', 'claude-sonnet-4-20250514', 'claude-3-7-sonnet-latest', 'claude-3-5-haiku-20241022']) {
      expect(buildAnthropicMessagesBody({ ...base, modelId, temperature: 0.5, topP: 0.9 }, false).body).toMatchObject({ temperature: 0.5, top_p: 0.9 });
    }
    for (const modelId of ['claude-opus-4-1', 'claude-sonnet-4-5-20250929', 'claude-haiku-4-5', 'claude-opus-4-5']) {
      expect(() => buildAnthropicMessagesBody({ ...base, modelId, temperature: 0.5, topP: 0.9 }, false)).toThrow(/top_p|topP/);
      expect(buildAnthropicMessagesBody({ ...base, modelId, topP: 0.9 }, false).body).toMatchObject({ top_p: 0.9 });
    }
    const { body, warnings } = buildAnthropicMessagesBody(
      { ...base, responseFormat: { type: 'json_schema', schema: { type: 'object' } }, toolChoice: 'required' },
      false,
    );
    expect(body).not.toHaveProperty('tool_choice');
    expect(body).not.toHaveProperty('response_format');
    expect(body).toMatchObject({ output_config: { format: { type: 'json_schema', schema: { type: 'object' } } } });
    expect(warnings.map((warning) => warning.setting)).toEqual(['toolChoice']);
  });

  it('a text response format needs no warning', () => {
    expect(buildAnthropicMessagesBody({ ...base, responseFormat: { type: 'text' } }, false).warnings).toEqual([]);
  });
});
