import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { AnthropicMockServer } from '../../src/mock-upstream/anthropic-server.js';
import type { OpenAIMockServer } from '../../src/mock-upstream/openai-server.js';
import { startWirePair, type WirePair } from '../support/upstream-fleet.js';

/*
 * Parallel tool calls, really exercised: with two tools and parallel calls
 * allowed, the fakes answer with two calls in one message (OpenAI: two
 * `tool_calls`; Anthropic: two `tool_use` blocks). Through the gateway, the
 * unmodified SDKs get both calls whole (ids, names, arguments, stream
 * indices), on the same wire and across wires, and `parallel_tool_calls:
 * false` reaches the upstream (mapped to `disable_parallel_tool_use` for
 * Anthropic) and gets one call.
 */

let pair: WirePair;
let openaiUpstream: OpenAIMockServer;
let anthropicUpstream: AnthropicMockServer;
let openai: OpenAI;
let anthropic: Anthropic;

beforeAll(async () => {
  pair = await startWirePair();
  ({ openai: openaiUpstream, anthropic: anthropicUpstream } = pair);
  openai = new OpenAI({ baseURL: `${pair.gateway.url}/v1`, apiKey: 'unused', maxRetries: 0 });
  anthropic = new Anthropic({ baseURL: pair.gateway.url, apiKey: 'unused', maxRetries: 0 });
});

afterAll(async () => {
  await pair?.close();
});

beforeEach(() => pair.reset());

const parameters = { type: 'object', properties: { input: { type: 'string' } }, required: ['input'] };
const TOOLS: OpenAI.ChatCompletionTool[] = [
  { type: 'function', function: { name: 'lookup', description: 'Looks a word up', parameters } },
  { type: 'function', function: { name: 'translate', description: 'Translates a word', parameters } },
];
const ANTHROPIC_TOOLS: Anthropic.Tool[] = [
  { name: 'lookup', description: 'Looks a word up', input_schema: { type: 'object', properties: { input: { type: 'string' } }, required: ['input'] } },
  { name: 'translate', description: 'Translates a word', input_schema: { type: 'object', properties: { input: { type: 'string' } }, required: ['input'] } },
];

interface Call {
  index: number;
  id: string;
  name: string;
  arguments: string;
}

/** Rebuilds the tool calls of a streamed chat completion from its deltas, by index, as a client does. */
async function streamedCalls(stream: AsyncIterable<OpenAI.ChatCompletionChunk>): Promise<{ calls: Call[]; finishReason: string | null; usage?: OpenAI.CompletionUsage }> {
  const calls: Call[] = [];
  let finishReason: string | null = null;
  let usage: OpenAI.CompletionUsage | undefined;
  for await (const chunk of stream) {
    if (chunk.usage) usage = chunk.usage;
    const choice = chunk.choices[0];
    if (choice === undefined) continue;
    finishReason = choice.finish_reason ?? finishReason;
    for (const delta of choice.delta.tool_calls ?? []) {
      let call = calls.find((entry) => entry.index === delta.index);
      if (call === undefined) {
        // A call opens with its id and name; only its arguments follow.
        expect(delta.id, `call ${delta.index} opens with its id`).toBeTruthy();
        call = { index: delta.index, id: delta.id!, name: delta.function?.name ?? '', arguments: '' };
        calls.push(call);
      } else {
        expect(delta.id ?? call.id).toBe(call.id);
      }
      call.arguments += delta.function?.arguments ?? '';
    }
  }
  return { calls, finishReason, usage };
}

const ask = 'use the tools for the word "gare"';
const args = JSON.stringify({ input: ask });

describe('parallel tool calls, openai SDK to an OpenAI upstream (same wire)', () => {
  it('non-streamed: both calls in one message, ids, names and arguments intact', async () => {
    const completion = await openai.chat.completions.create({ model: 'openai/gpt-4o-mini', messages: [{ role: 'user', content: ask }], tools: TOOLS });
    const choice = completion.choices[0];
    expect(choice.finish_reason).toBe('tool_calls');
    const calls = choice.message.tool_calls as OpenAI.ChatCompletionMessageFunctionToolCall[];
    expect(calls.map((call) => [call.function.name, call.function.arguments])).toEqual([
      ['lookup', args],
      ['translate', args],
    ]);
    expect(new Set(calls.map((call) => call.id)).size).toBe(2);
    expect(calls[0].id).toMatch(/^call_mock_\d+$/);
    const sent = openaiUpstream.lastRequest()?.body as Record<string, unknown>;
    expect(sent).toMatchObject({ model: 'gpt-4o-mini', tools: TOOLS });
    expect(sent).not.toHaveProperty('parallel_tool_calls');
  });

  it('streamed: both calls rebuilt from their deltas under indices 0 and 1, usage in the last chunk', async () => {
    const stream = await openai.chat.completions.create({
      model: 'openai/gpt-4o-mini',
      messages: [{ role: 'user', content: ask }],
      tools: TOOLS,
      stream: true,
      stream_options: { include_usage: true },
    });
    const { calls, finishReason, usage } = await streamedCalls(stream);
    expect(finishReason).toBe('tool_calls');
    expect(calls.map((call) => [call.index, call.name, call.arguments])).toEqual([
      [0, 'lookup', args],
      [1, 'translate', args],
    ]);
    expect(calls[0].id).not.toBe(calls[1].id);
    expect(usage?.completion_tokens).toBeGreaterThan(0);
    expect(openaiUpstream.lastRequest()?.body).toMatchObject({ stream: true, tools: TOOLS });
  });

  it('the stream helper and the non-streamed answer agree call for call', async () => {
    const whole = await openai.chat.completions.create({ model: 'openai/gpt-4o-mini', messages: [{ role: 'user', content: ask }], tools: TOOLS });
    const runner = openai.chat.completions.stream({ model: 'openai/gpt-4o-mini', messages: [{ role: 'user', content: ask }], tools: TOOLS });
    const final = await runner.finalChatCompletion();
    const shape = (calls: OpenAI.ChatCompletionMessageToolCall[] | undefined) =>
      (calls as OpenAI.ChatCompletionMessageFunctionToolCall[]).map((call) => ({ name: call.function.name, arguments: call.function.arguments }));
    expect(shape(final.choices[0].message.tool_calls)).toEqual(shape(whole.choices[0].message.tool_calls));
    expect(final.choices[0].message.tool_calls).toHaveLength(2);
  });

  it('parallel_tool_calls false reaches the upstream and gets one call', async () => {
    const completion = await openai.chat.completions.create({ model: 'openai/gpt-4o-mini', messages: [{ role: 'user', content: ask }], tools: TOOLS, parallel_tool_calls: false });
    expect(completion.choices[0].message.tool_calls).toHaveLength(1);
    expect(openaiUpstream.lastRequest()?.body).toMatchObject({ parallel_tool_calls: false });
  });
});

describe('parallel tool calls across wires', () => {
  it('openai SDK to an Anthropic upstream: two tool_use blocks become two tool_calls, non-streamed and streamed', async () => {
    const completion = await openai.chat.completions.create({ model: 'anthropic/claude-haiku-4-5', messages: [{ role: 'user', content: `${ask} [tool]` }], tools: TOOLS });
    const calls = completion.choices[0].message.tool_calls as OpenAI.ChatCompletionMessageFunctionToolCall[];
    const expected = JSON.stringify({ input: `${ask} [tool]` });
    expect(completion.choices[0].finish_reason).toBe('tool_calls');
    expect(calls.map((call) => [call.id, call.function.name, call.function.arguments])).toEqual([
      [expect.stringMatching(/^toolu_mock_\d+$/), 'lookup', expected],
      [expect.stringMatching(/^toolu_mock_\d+_1$/), 'translate', expected],
    ]);
    const sent = anthropicUpstream.lastRequest()?.body as Record<string, unknown>;
    expect(sent).toMatchObject({ tools: [{ name: 'lookup', input_schema: parameters }, { name: 'translate', input_schema: parameters }] });
    expect(sent).not.toHaveProperty('tool_choice');

    const stream = await openai.chat.completions.create({ model: 'anthropic/claude-haiku-4-5', messages: [{ role: 'user', content: `${ask} [tool]` }], tools: TOOLS, stream: true });
    const streamed = await streamedCalls(stream);
    expect(streamed.finishReason).toBe('tool_calls');
    expect(streamed.calls.map((call) => [call.index, call.name, call.arguments])).toEqual([
      [0, 'lookup', expected],
      [1, 'translate', expected],
    ]);
    expect(streamed.calls[0].id).toMatch(/^toolu_mock_\d+$/);
    expect(streamed.calls[1].id).toBe(`${streamed.calls[0].id}_1`);
  });

  it('openai SDK to an Anthropic upstream: parallel_tool_calls false is disable_parallel_tool_use, one call', async () => {
    const completion = await openai.chat.completions.create({
      model: 'anthropic/claude-haiku-4-5',
      messages: [{ role: 'user', content: `${ask} [tool]` }],
      tools: TOOLS,
      parallel_tool_calls: false,
    });
    expect(completion.choices[0].message.tool_calls).toHaveLength(1);
    expect(anthropicUpstream.lastRequest()?.body).toMatchObject({ tool_choice: { type: 'auto', disable_parallel_tool_use: true } });
  });

  it('Anthropic SDK to an OpenAI upstream: two tool_calls become two tool_use blocks, non-streamed and streamed', async () => {
    const message = await anthropic.messages.create({ model: 'openai/gpt-4o-mini', max_tokens: 100, messages: [{ role: 'user', content: ask }], tools: ANTHROPIC_TOOLS });
    expect(message.stop_reason).toBe('tool_use');
    const blocks = message.content.filter((block): block is Anthropic.ToolUseBlock => block.type === 'tool_use');
    expect(blocks.map((block) => [block.name, block.input])).toEqual([
      ['lookup', { input: ask }],
      ['translate', { input: ask }],
    ]);
    expect(blocks[0].id).not.toBe(blocks[1].id);

    const stream = anthropic.messages.stream({ model: 'openai/gpt-4o-mini', max_tokens: 100, messages: [{ role: 'user', content: ask }], tools: ANTHROPIC_TOOLS });
    const starts: Array<{ index: number; name: string }> = [];
    stream.on('streamEvent', (event) => {
      if (event.type === 'content_block_start' && event.content_block.type === 'tool_use') starts.push({ index: event.index, name: event.content_block.name });
    });
    const final = await stream.finalMessage();
    const streamedBlocks = final.content.filter((block): block is Anthropic.ToolUseBlock => block.type === 'tool_use');
    expect(streamedBlocks.map((block) => [block.name, block.input])).toEqual([
      ['lookup', { input: ask }],
      ['translate', { input: ask }],
    ]);
    expect(starts.map((start) => start.name)).toEqual(['lookup', 'translate']);
    expect(new Set(starts.map((start) => start.index)).size).toBe(2);
    expect(openaiUpstream.lastRequest()?.body).toMatchObject({ stream: true, tools: [{ function: { name: 'lookup' } }, { function: { name: 'translate' } }] });
  });
});
