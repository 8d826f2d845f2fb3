import { describe, expect, it } from 'vitest';
import type { ChatResponse } from '../spec/response.js';
import { createAnthropicStreamEncoder } from './anthropic-stream-events.js';
import { fromAnthropicRequest, toAnthropicMessage } from '../wire/anthropic-wire-convert.js';
import { anthropicMessagesRequestSchema } from '../wire/anthropic-wire-schemas.js';
import { createOpenAIChunkBuilder, float32Base64, fromOpenAIChatRequest, toOpenAIChatCompletion } from '../wire/openai-wire-convert.js';
import { openAIChatRequestSchema } from '../wire/openai-wire-schemas.js';

const response: ChatResponse = {
  id: 'resp-1',
  provider: 'mock',
  model: 'mock/echo',
  content: '',
  toolCalls: [{ id: 'call_1', name: 'lookup', arguments: '{"q":"x"}' }],
  finishReason: 'tool-calls',
  usage: { inputTokens: 3, outputTokens: 4, totalTokens: 7 },
  cost: 0,
  latencyMs: 1,
  cache: 'miss',
};

describe('OpenAI wire', () => {
  it('maps a request onto generation settings', () => {
    const body = openAIChatRequestSchema.parse({
      model: 'mock/echo',
      messages: [
        { role: 'developer', content: 'rules' },
        { role: 'user', content: [{ type: 'text', text: 'look' }, { type: 'image_url', image_url: { url: 'https://example.com/a.png' } }] },
        { role: 'assistant', content: null, tool_calls: [{ id: 'c1', type: 'function', function: { name: 'f', arguments: '{}' } }] },
        { role: 'tool', tool_call_id: 'c1', content: 'done' },
      ],
      max_completion_tokens: 20,
      stop: 'END',
      tool_choice: { type: 'function', function: { name: 'f' } },
      response_format: { type: 'json_schema', json_schema: { name: 'answer', schema: { type: 'object' }, strict: true } },
    });
    const { wireRequest, ...settings } = fromOpenAIChatRequest(body);
    expect(wireRequest).toEqual({ format: 'openai-chat', body, extras: {} });
    expect(settings).toEqual({
      messages: [
        { role: 'system', content: 'rules' },
        { role: 'user', content: [{ type: 'text', text: 'look' }, { type: 'image', url: 'https://example.com/a.png' }] },
        { role: 'assistant', content: null, toolCalls: [{ id: 'c1', name: 'f', arguments: '{}' }] },
        { role: 'tool', toolCallId: 'c1', content: 'done' },
      ],
      maxTokens: 20,
      stop: ['END'],
      toolChoice: { name: 'f' },
      responseFormat: { type: 'json_schema', name: 'answer', schema: { type: 'object' }, strict: true },
    });
  });

  it('renders tool calls in the completion and announces each streamed call once', () => {
    const completion = toOpenAIChatCompletion(response);
    expect(completion.choices[0]).toMatchObject({ finish_reason: 'tool_calls', message: { content: null, tool_calls: [{ id: 'call_1', type: 'function' }] } });
    const chunks = createOpenAIChunkBuilder({ id: 'c', model: 'mock/echo', includeUsage: false });
    expect(chunks.delta({ type: 'tool-call-delta', index: 0, id: 'call_1', name: 'lookup', argumentsDelta: '{"q"' })).toMatchObject({
      choices: [{ delta: { tool_calls: [{ index: 0, id: 'call_1', type: 'function', function: { name: 'lookup', arguments: '{"q"' } }] } }],
    });
    expect(chunks.delta({ type: 'tool-call-delta', index: 0, id: 'call_1', argumentsDelta: ':"x"}' })).toMatchObject({
      choices: [{ delta: { tool_calls: [{ index: 0, function: { arguments: ':"x"}' } }] } }],
    });
  });

  it('encodes base64 embeddings as little-endian float32', () => {
    const bytes = Buffer.from(float32Base64([1, -2.5]), 'base64');
    expect([bytes.readFloatLE(0), bytes.readFloatLE(4)]).toEqual([1, -2.5]);
  });
});

describe('Anthropic wire', () => {
  it('maps system blocks, tool_use and tool_result', () => {
    const body = anthropicMessagesRequestSchema.parse({
      model: 'mock/echo',
      max_tokens: 10,
      system: [{ type: 'text', text: 'one' }, { type: 'text', text: 'two' }],
      tool_choice: { type: 'any' },
      messages: [
        { role: 'user', content: 'hi' },
        { role: 'assistant', content: [{ type: 'tool_use', id: 't1', name: 'f', input: { a: 1 } }] },
        { role: 'user', content: [{ type: 'tool_result', tool_use_id: 't1', content: [{ type: 'text', text: 'ok' }] }, { type: 'text', text: 'next' }] },
      ],
    });
    const { wireRequest, ...settings } = fromAnthropicRequest(body);
    expect(wireRequest).toEqual({ format: 'anthropic-messages', body, extras: {} });
    expect(settings).toEqual({
      messages: [
        { role: 'system', content: 'one\ntwo' },
        { role: 'user', content: 'hi' },
        { role: 'assistant', content: null, toolCalls: [{ id: 't1', name: 'f', arguments: '{"a":1}' }] },
        { role: 'tool', toolCallId: 't1', content: 'ok' },
        { role: 'user', content: 'next' },
      ],
      maxTokens: 10,
      toolChoice: 'required',
    });
  });

  it('renders tool_use blocks with parsed input', () => {
    expect(toAnthropicMessage(response)).toMatchObject({ stop_reason: 'tool_use', content: [{ type: 'tool_use', id: 'call_1', name: 'lookup', input: { q: 'x' } }] });
  });

  it('emits a text block then a tool block, each started and stopped, ping after the first start', () => {
    const encoder = createAnthropicStreamEncoder({ id: 'msg_1', model: 'mock/echo' });
    const text =
      encoder.start() +
      encoder.part({ type: 'text-delta', text: 'a' }) +
      encoder.part({ type: 'tool-call-delta', index: 0, id: 'call_1', name: 'lookup', argumentsDelta: '{}' }) +
      encoder.finish({ type: 'finish', finishReason: 'tool-calls', usage: { inputTokens: 1, outputTokens: 2, totalTokens: 3 } });
    expect([...text.matchAll(/^event: (\w+)$/gm)].map((match) => match[1])).toEqual([
      'message_start',
      'content_block_start',
      'ping',
      'content_block_delta',
      'content_block_stop',
      'content_block_start',
      'content_block_delta',
      'content_block_stop',
      'message_delta',
      'message_stop',
    ]);
    expect(text).toContain('"stop_reason":"tool_use"');
  });
});
