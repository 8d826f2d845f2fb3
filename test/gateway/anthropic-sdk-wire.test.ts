import Anthropic from '@anthropic-ai/sdk';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { AnthropicMockServer } from '../../src/mock-upstream/anthropic-server.js';
import type { OpenAIMockServer } from '../../src/mock-upstream/openai-server.js';
import type { TestGateway } from '../gateway-support.js';
import { startWirePair, type WirePair } from '../support/upstream-fleet.js';

// The official @anthropic-ai/sdk, unmodified, through the gateway: what it gets and what the upstream received.
let openaiUpstream: OpenAIMockServer;
let anthropicUpstream: AnthropicMockServer;
let gateway: TestGateway;
let pair: WirePair;
let client: Anthropic;

beforeAll(async () => {
  pair = await startWirePair();
  ({ openai: openaiUpstream, anthropic: anthropicUpstream, gateway } = pair);
  client = new Anthropic({ baseURL: gateway.url, apiKey: 'unused', maxRetries: 0 });
});

afterAll(async () => {
  await pair?.close();
});

beforeEach(() => pair.reset());

const PDF = Buffer.from('%PDF-1.4 a tiny document').toString('base64');
const history: Anthropic.MessageParam[] = [
  { role: 'user', content: [{ type: 'document', source: { type: 'base64', media_type: 'application/pdf', data: PDF }, title: 'tiny.pdf' }, { type: 'text', text: 'read this' }] },
  { role: 'assistant', content: [{ type: 'thinking', thinking: 'the user wants a summary', signature: 'sig-abc' }, { type: 'text', text: 'It is tiny.' }] },
  { role: 'user', content: 'and now?' },
];

describe('@anthropic-ai/sdk through the gateway', () => {
  it('replays thinking blocks and document blocks: verbatim to Anthropic, mapped for another provider', async () => {
    const message = await client.messages.create({ model: 'anthropic/claude-haiku-4-5', max_tokens: 64, messages: history });
    expect(message.content).toEqual([{ type: 'text', text: 'and now?' }]);
    expect(anthropicUpstream.lastRequest()?.body).toEqual({ model: 'claude-haiku-4-5', max_tokens: 64, messages: history });

    const crossed = await client.messages.create({ model: 'openai/gpt-4o-mini', max_tokens: 64, messages: history });
    expect(crossed.content).toEqual([{ type: 'text', text: 'and now?' }]);
    const sent = openaiUpstream.lastRequest()?.body as { messages: unknown[] };
    expect(sent.messages).toEqual([
      { role: 'user', content: [{ type: 'file', file: { file_data: `data:application/pdf;base64,${PDF}`, filename: 'tiny.pdf' } }, { type: 'text', text: 'read this' }] },
      { role: 'assistant', content: 'It is tiny.' },
      { role: 'user', content: 'and now?' },
    ]);
  });

  it('stops on a stop sequence with stop_reason stop_sequence and its value, on any provider', async () => {
    for (const model of ['anthropic/claude-haiku-4-5', 'mock/echo']) {
      const message = await client.messages.create({ model, max_tokens: 64, stop_sequences: ['STOP'], messages: [{ role: 'user', content: 'go on STOP here' }] });
      expect([model, message.stop_reason, message.stop_sequence, message.content]).toEqual([model, 'stop_sequence', 'STOP', [{ type: 'text', text: 'go on ' }]]);
    }
  });

  it('counts tokens: by Anthropic for its models, estimated elsewhere (and says so)', async () => {
    const body = { messages: [{ role: 'user' as const, content: 'count every one of these words' }], system: 'be terse' };
    const { data: counted, response } = await client.messages.countTokens({ model: 'anthropic/claude-haiku-4-5', ...body }).withResponse();
    expect(counted.input_tokens).toBe(3 + 2 + 3 + 6);
    expect(response.headers.get('x-switchyard-token-count')).toBe('counted');
    expect(anthropicUpstream.lastRequest()).toMatchObject({ path: '/v1/messages/count_tokens', body: { model: 'claude-haiku-4-5', ...body } });

    const { data: estimated, response: estimatedResponse } = await client.messages.countTokens({ model: 'mock/echo', ...body }).withResponse();
    expect(estimated.input_tokens).toBeGreaterThan(6);
    expect(estimatedResponse.headers.get('x-switchyard-token-count')).toBe('estimated');
  });

  it('lists and retrieves models in Anthropic\'s shape', async () => {
    const ids: string[] = [];
    for await (const model of client.models.list({ limit: 2 })) {
      expect(model.type).toBe('model');
      expect(typeof model.display_name).toBe('string');
      ids.push(model.id);
    }
    expect(ids).toContain('anthropic/claude-haiku-4-5');
    expect(new Set(ids).size).toBe(ids.length);
    const model = await client.models.retrieve('mock/echo');
    expect(model).toMatchObject({ type: 'model', id: 'mock/echo' });
  });

  it('reaches an OpenAI upstream: raw stream events, tool use and usage intact', async () => {
    const events: Anthropic.RawMessageStreamEvent[] = [];
    const stream = await client.messages.create({
      model: 'openai/gpt-4o-mini',
      max_tokens: 64,
      stream: true,
      tools: [{ name: 'lookup', description: 'Looks up', input_schema: { type: 'object', properties: { input: { type: 'string' } } } }],
      messages: [{ role: 'user', content: 'please use the lookup tool' }],
    });
    for await (const event of stream) events.push(event);
    const types = events.map((event) => event.type);
    expect(types.slice(0, 2)).toEqual(['message_start', 'content_block_start']);
    expect(types.slice(-3)).toEqual(['content_block_stop', 'message_delta', 'message_stop']);
    expect(types.slice(2, -3).every((type) => type === 'content_block_delta')).toBe(true);
    const start = events[0] as Anthropic.RawMessageStartEvent;
    expect(start.message.usage.input_tokens).toBeGreaterThan(0);
    const blockStart = events[1] as Anthropic.RawContentBlockStartEvent;
    expect(blockStart.content_block).toMatchObject({ type: 'tool_use', name: 'lookup' });
    const json = events.flatMap((event) => (event.type === 'content_block_delta' && event.delta.type === 'input_json_delta' ? [event.delta.partial_json] : [])).join('');
    expect(JSON.parse(json)).toEqual({ input: 'please use the lookup tool' });
    const delta = events.at(-2) as Anthropic.RawMessageDeltaEvent;
    expect(delta.delta.stop_reason).toBe('tool_use');
    expect(delta.usage.output_tokens).toBeGreaterThan(0);
    expect(openaiUpstream.lastRequest()?.body).toMatchObject({ max_tokens: 64, tools: [{ type: 'function', function: { name: 'lookup' } }] });
  });
});
