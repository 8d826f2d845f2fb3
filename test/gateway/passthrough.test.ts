import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startAnthropicMockServer, type AnthropicMockServer } from '../../src/mock-upstream/anthropic-server.js';
import { startOpenAIMockServer, type OpenAIMockServer } from '../../src/mock-upstream/openai-server.js';
import { SwitchyardError } from '../../src/spec/errors.js';
import { createTestClient } from '../support/client.js';
import { startTestGateway, type TestGateway } from '../gateway-support.js';

// Same-wire passthrough: what the caller sent reaches a same-wire upstream verbatim and every
// field the upstream answered comes back, streamed or not; across wires, unmodelled fields are refused by name.
let openaiUpstream: OpenAIMockServer;
let anthropicUpstream: AnthropicMockServer;
let gateway: TestGateway;
let openai: OpenAI;
let anthropic: Anthropic;

beforeAll(async () => {
  openaiUpstream = await startOpenAIMockServer({ apiKey: 'sk-upstream' });
  anthropicUpstream = await startAnthropicMockServer({ apiKey: 'sk-ant-upstream' });
  gateway = await startTestGateway({
    cache: { responses: true },
    providers: {
      openai: { baseURL: openaiUpstream.url, apiKey: 'sk-upstream', retries: 0 },
      anthropic: { baseURL: anthropicUpstream.url, apiKey: 'sk-ant-upstream', retries: 0 },
    },
  });
  openai = new OpenAI({ baseURL: `${gateway.url}/v1`, apiKey: 'unused', maxRetries: 0 });
  anthropic = new Anthropic({ baseURL: gateway.url, apiKey: 'unused', maxRetries: 0 });
});

afterAll(async () => {
  await gateway?.stop();
  await openaiUpstream?.close();
  await anthropicUpstream?.close();
});

beforeEach(() => {
  openaiUpstream.reset();
  anthropicUpstream.reset();
});

const strictTool = {
  type: 'function' as const,
  function: {
    name: 'lookup',
    description: 'Looks a word up',
    parameters: { type: 'object', properties: { word: { type: 'string' } }, required: ['word'], additionalProperties: false },
    strict: true,
  },
};

describe('OpenAI wire to an OpenAI upstream', () => {
  it('sends every field verbatim and returns every field of the answer', async () => {
    const request = {
      model: 'openai/gpt-4o-mini',
      messages: [{ role: 'user' as const, content: 'three little words' }],
      logprobs: true,
      top_logprobs: 2,
      frequency_penalty: 0.5,
      presence_penalty: 0.25,
      logit_bias: { '50256': -100 },
      metadata: { team: 'wire' },
      parallel_tool_calls: false,
      tools: [strictTool],
      tool_choice: 'none' as const,
      max_completion_tokens: 40,
      temperature: 0.3,
    };
    const { data, response } = await openai.chat.completions.create(request).withResponse();
    expect(openaiUpstream.lastRequest()?.body).toEqual({ ...request, model: 'gpt-4o-mini' });
    expect(response.headers.get('x-switchyard-provider')).toBe('openai');
    expect(data.system_fingerprint).toBe('fp_switchyard_mock');
    expect(data.service_tier).toBe('default');
    expect(data.choices[0].message).toMatchObject({ content: 'three little words', refusal: null, annotations: [] });
    expect(data.choices[0].logprobs?.content?.map((entry) => entry.token)).toEqual(['three ', 'little ', 'words']);
    expect(data.choices[0].logprobs?.content?.[0].top_logprobs).toHaveLength(2);
    expect(data.usage?.completion_tokens_details).toBeDefined();
  });

  it('streams the upstream chunks verbatim: logprobs in each, usage only when asked for', async () => {
    const collect = async (includeUsage: boolean) => {
      const stream = await openai.chat.completions.create({
        model: 'openai/gpt-4o-mini',
        messages: [{ role: 'user', content: 'streamed with logprobs' }],
        logprobs: true,
        stream: true,
        ...(includeUsage ? { stream_options: { include_usage: true } } : {}),
      });
      const chunks: OpenAI.ChatCompletionChunk[] = [];
      for await (const chunk of stream) chunks.push(chunk);
      return chunks;
    };
    const plain = await collect(false);
    expect(openaiUpstream.lastRequest()?.body).toMatchObject({ logprobs: true, stream: true, stream_options: { include_usage: true } });
    expect(plain.every((chunk) => chunk.system_fingerprint === 'fp_switchyard_mock')).toBe(true);
    expect(plain.filter((chunk) => chunk.choices.length === 0)).toEqual([]);
    const tokens = plain.flatMap((chunk) => chunk.choices[0]?.logprobs?.content?.map((entry) => entry.token) ?? []);
    expect(tokens.join('')).toBe('streamed with logprobs');

    const withUsage = await collect(true);
    const usageChunks = withUsage.filter((chunk) => chunk.usage);
    expect(usageChunks).toHaveLength(1);
    expect(usageChunks[0].usage?.prompt_tokens).toBeGreaterThan(0);
  });

  it('keys the response cache on every field that reaches the upstream', async () => {
    const ask = (logprobs: boolean) =>
      openai.chat.completions
        .create({ model: 'openai/gpt-4o-mini', temperature: 0, messages: [{ role: 'user', content: 'cache the passthrough' }], logprobs })
        .withResponse();
    const first = await ask(true);
    const differing = await ask(false);
    const repeated = await ask(true);
    expect(first.response.headers.get('x-switchyard-cache')).toBe('miss');
    expect(differing.response.headers.get('x-switchyard-cache')).toBe('miss');
    expect(differing.data.choices[0].logprobs).toBeNull();
    expect(repeated.response.headers.get('x-switchyard-cache')).toBe('hit-memory');
    expect(repeated.data.choices[0].logprobs).toEqual(first.data.choices[0].logprobs);
    expect(openaiUpstream.stats.requests).toBe(2);
  });

  it('replays a cached passthrough stream as the upstream sent it', async () => {
    const ask = async () => {
      const response = await fetch(`${gateway.url}/v1/chat/completions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ model: 'openai/gpt-4o-mini', temperature: 0, stream: true, logprobs: true, messages: [{ role: 'user', content: 'replay my chunks' }] }),
      });
      return { cache: response.headers.get('x-switchyard-cache'), text: await response.text() };
    };
    const first = await ask();
    const second = await ask();
    expect([first.cache, second.cache]).toEqual(['miss', 'hit-memory']);
    expect(second.text).toBe(first.text);
    expect(first.text).toContain('"logprobs":{"content":[{"token":"replay "');
    expect(first.text.trimEnd().endsWith('data: [DONE]')).toBe(true);
    expect(openaiUpstream.stats.requests).toBe(1);
  });

  it('refuses a field another wire has no meaning for, naming it and the provider', async () => {
    const body = { model: 'openai/gpt-4o-mini', max_tokens: 20, messages: [{ role: 'user' as const, content: 'hi' }], top_k: 5 };
    const error = await anthropic.messages
      .create(body)
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(Anthropic.BadRequestError);
    expect((error as InstanceType<typeof Anthropic.BadRequestError>).message).toContain('top_k: Chat Completions has no top_k (provider \\"openai\\")');
    expect(openaiUpstream.stats.requests).toBe(0);
  });
});

describe('Anthropic wire to an Anthropic upstream', () => {
  it('sends every field verbatim and returns the message whole (stop_sequence, cache usage)', async () => {
    const body = {
      model: 'anthropic/claude-haiku-4-5',
      max_tokens: 50,
      messages: [{ role: 'user' as const, content: [{ type: 'text' as const, text: 'alpha beta STOP gamma', cache_control: { type: 'ephemeral' as const } }] }],
      stop_sequences: ['STOP'],
      top_k: 3,
      service_tier: 'standard_only' as const,
    };
    const message = await anthropic.messages.create(body);
    expect(anthropicUpstream.lastRequest()?.body).toEqual({ ...body, model: 'claude-haiku-4-5' });
    expect(message.stop_reason).toBe('stop_sequence');
    expect(message.stop_sequence).toBe('STOP');
    expect(message.usage).toMatchObject({ cache_creation_input_tokens: 0, cache_read_input_tokens: 0, service_tier: 'standard' });
  });

  it('streams the upstream events verbatim, message_start with the real input count', async () => {
    const events: Anthropic.RawMessageStreamEvent[] = [];
    const stream = anthropic.messages.stream({ model: 'anthropic/claude-haiku-4-5', max_tokens: 50, top_k: 2, messages: [{ role: 'user', content: 'count these input words please' }] });
    stream.on('streamEvent', (event) => events.push(event));
    const message = await stream.finalMessage();
    expect(anthropicUpstream.lastRequest()?.body).toMatchObject({ top_k: 2, stream: true });
    expect(events.map((event) => event.type)).toEqual([
      'message_start',
      'content_block_start',
      ...Array(5).fill('content_block_delta'),
      'content_block_stop',
      'message_delta',
      'message_stop',
    ]);
    const start = events[0] as Anthropic.RawMessageStartEvent;
    expect(start.message.usage.input_tokens).toBeGreaterThan(5);
    expect(start.message.usage.cache_read_input_tokens).toBe(0);
    expect(message.content).toEqual([{ type: 'text', text: 'count these input words please' }]);
  });

  it('passes the event stream byte for byte (the upstream asked directly gives the same text)', async () => {
    const body = (model: string) => JSON.stringify({ model, max_tokens: 50, stream: true, messages: [{ role: 'user', content: 'byte for byte' }] });
    const headers = { 'content-type': 'application/json', 'anthropic-version': '2023-06-01', 'x-api-key': 'sk-ant-upstream' };
    const viaGateway = await (await fetch(`${gateway.url}/v1/messages`, { method: 'POST', headers, body: body('anthropic/claude-haiku-4-5') })).text();
    const direct = await (await fetch(`${anthropicUpstream.url}/v1/messages`, { method: 'POST', headers, body: body('claude-haiku-4-5') })).text();
    const withoutIds = (text: string) => text.replace(/msg_mock_\d+/g, 'msg_id');
    expect(withoutIds(viaGateway)).toBe(withoutIds(direct));
  });

  it('refuses an OpenAI-only field on the way to Anthropic, naming it and the provider', async () => {
    const error = await openai.chat.completions
      .create({ model: 'anthropic/claude-haiku-4-5', messages: [{ role: 'user', content: 'hi' }], logit_bias: { '1': 5 } })
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(OpenAI.BadRequestError);
    expect((error as InstanceType<typeof OpenAI.BadRequestError>).message).toMatch(/logit_bias.*"anthropic"/);
    expect((error as InstanceType<typeof OpenAI.BadRequestError>).param).toBe('logit_bias');
    expect(anthropicUpstream.stats.requests).toBe(0);
  });
});

describe('library providerOptions', () => {
  it('sends the named provider its fields verbatim, part of the cache key, and the mock refuses its own', async () => {
    const ai = createTestClient({
      cache: { responses: true },
      providers: { openai: { baseURL: openaiUpstream.url, apiKey: 'sk-upstream', retries: 0 } },
    });
    try {
      const request = { model: 'openai/gpt-4o-mini', temperature: 0, messages: [{ role: 'user' as const, content: 'options please' }] };
      const plain = await ai.chat(request);
      const tuned = await ai.chat({ ...request, providerOptions: { openai: { logprobs: true, top_logprobs: 1 }, anthropic: { top_k: 4 } } });
      expect(plain.cache).toBe('miss');
      expect(tuned.cache).toBe('miss');
      expect(openaiUpstream.lastRequest()?.body).toMatchObject({ logprobs: true, top_logprobs: 1 });
      expect(openaiUpstream.lastRequest()?.body).not.toHaveProperty('top_k');
      const refused = await ai.chat({ model: 'mock/echo', messages: [{ role: 'user', content: 'x' }], providerOptions: { mock: { speed: 2 } } }).catch((error: unknown) => error);
      expect(SwitchyardError.is(refused) && refused.param).toBe('providerOptions.mock.speed');
    } finally {
      await ai.close();
    }
  });
});
