import OpenAI from 'openai';
import { zodResponseFormat } from 'openai/helpers/zod';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import type { AnthropicMockServer } from '../../src/mock-upstream/anthropic-server.js';
import type { OpenAIMockServer } from '../../src/mock-upstream/openai-server.js';
import type { TestGateway } from '../gateway-support.js';
import { startWirePair, type WirePair } from '../support/upstream-fleet.js';

// The official openai SDK, unmodified, through the gateway: what it gets and what the upstream received.
let openaiUpstream: OpenAIMockServer;
let anthropicUpstream: AnthropicMockServer;
let gateway: TestGateway;
let pair: WirePair;
let client: OpenAI;

beforeAll(async () => {
  pair = await startWirePair();
  ({ openai: openaiUpstream, anthropic: anthropicUpstream, gateway } = pair);
  client = new OpenAI({ baseURL: `${gateway.url}/v1`, apiKey: 'unused', maxRetries: 0 });
});

afterAll(async () => {
  await pair?.close();
});

beforeEach(() => pair.reset());

const lookupTool = {
  type: 'function' as const,
  function: {
    name: 'lookup',
    description: 'Looks a word up',
    parameters: { type: 'object', properties: { input: { type: 'string' } }, required: ['input'], additionalProperties: false },
    strict: true,
  },
};

describe('openai SDK through the gateway', () => {
  it('streams with usage from an OpenAI upstream', async () => {
    const stream = await client.chat.completions.create({
      model: 'openai/gpt-4o-mini',
      messages: [{ role: 'user', content: 'stream me with usage' }],
      stream: true,
      stream_options: { include_usage: true },
    });
    let text = '';
    let usage: OpenAI.CompletionUsage | undefined;
    for await (const chunk of stream) {
      text += chunk.choices[0]?.delta.content ?? '';
      if (chunk.usage) usage = chunk.usage;
    }
    expect(text).toBe('stream me with usage');
    expect(usage).toMatchObject({ prompt_tokens: 10, completion_tokens: 4, total_tokens: 14 });
    expect(openaiUpstream.lastRequest()?.body).toMatchObject({ stream: true, stream_options: { include_usage: true } });
  });

  it('sends strict tools and parallel_tool_calls, and runTools ends once the tool answered', async () => {
    const runner = client.chat.completions.runTools({
      model: 'openai/gpt-4o-mini',
      messages: [{ role: 'user', content: 'use lookup for "gateway"' }],
      parallel_tool_calls: false,
      tools: [{ ...lookupTool, function: { ...lookupTool.function, function: (args: { input: string }) => `definition of ${args.input.length} chars`, parse: JSON.parse } }],
    });
    const content = await runner.finalContent();
    expect(content).toMatch(/^The tool answered: definition of \d+ chars$/);
    expect(openaiUpstream.stats.requests).toBe(2);
    const sent = openaiUpstream.lastRequest()?.body as { tools: unknown[]; parallel_tool_calls: boolean; messages: Array<{ role: string }> };
    expect(sent.parallel_tool_calls).toBe(false);
    expect(sent.tools).toEqual([{ type: 'function', function: { ...lookupTool.function } }]);
    expect(sent.messages.map((message) => message.role)).toEqual(['user', 'assistant', 'tool']);
  });

  it('parses a structured answer (chat.completions.parse) and sends the strict schema verbatim', async () => {
    const City = z.object({ city: z.string(), population: z.number() });
    const completion = await client.chat.completions.parse({
      model: 'openai/gpt-4o-mini',
      messages: [{ role: 'user', content: '{"city":"Lyon","population":522000}' }],
      response_format: zodResponseFormat(City, 'city'),
    });
    expect(completion.choices[0].message.parsed).toEqual({ city: 'Lyon', population: 522000 });
    expect(openaiUpstream.lastRequest()?.body).toMatchObject({ response_format: { type: 'json_schema', json_schema: { name: 'city', strict: true } } });
  });

  it('retrieves and lists models', async () => {
    const model = await client.models.retrieve('openai/gpt-4o-mini');
    expect(model).toMatchObject({ id: 'openai/gpt-4o-mini', object: 'model' });
    const ids = [];
    for await (const entry of client.models.list()) ids.push(entry.id);
    expect(ids).toContain('mock/echo');
    await expect(client.models.retrieve('openai/no-such-model')).rejects.toBeInstanceOf(OpenAI.NotFoundError);
  });

  it('embeds as floats and as base64 (the SDK default), the same vectors', async () => {
    const floats = await client.embeddings.create({ model: 'openai/text-embedding-3-small', input: ['alpha', 'beta'], encoding_format: 'float' });
    const decoded = await client.embeddings.create({ model: 'openai/text-embedding-3-small', input: ['alpha', 'beta'] });
    expect(openaiUpstream.lastRequest()?.body).toMatchObject({ encoding_format: 'float' });
    expect(decoded.data).toHaveLength(2);
    decoded.data.forEach((item, index) => item.embedding.forEach((value, at) => expect(value).toBeCloseTo(floats.data[index].embedding[at], 5)));
  });

  it('embeds token ids and passes the fields it does not model to an OpenAI upstream; other providers refuse them by name', async () => {
    // What LangChain's Python OpenAIEmbeddings sends by default: token ids, not text.
    const one = await client.embeddings.create({ model: 'openai/text-embedding-3-small', input: [1, 2, 3], encoding_format: 'float', user: 'user-7' });
    expect(one.data).toHaveLength(1);
    // One array of ids is one input, sent as a list of one (the same input to OpenAI).
    expect(openaiUpstream.lastRequest()?.body).toMatchObject({ input: [[1, 2, 3]], user: 'user-7' });
    const two = await client.embeddings.create({ model: 'openai/text-embedding-3-small', input: [[1, 2], [3]] });
    expect(two.data.map((item) => item.index)).toEqual([0, 1]);
    expect(openaiUpstream.lastRequest()?.body).toMatchObject({ input: [[1, 2], [3]] });
    const before = openaiUpstream.stats.requests;
    for (const [body, param] of [
      [{ model: 'mock/echo', input: [1, 2, 3] }, 'input'],
      [{ model: 'mock/echo', input: 'hello', user: 'user-7' }, 'user'],
    ] as const) {
      const error = (await client.embeddings.create(body as OpenAI.EmbeddingCreateParams).catch((caught: unknown) => caught)) as InstanceType<typeof OpenAI.APIError>;
      expect(error).toBeInstanceOf(OpenAI.BadRequestError);
      expect(error.param).toBe(param);
      expect(error.message).toMatch(/mock/);
    }
    const mixed = await client.embeddings.create({ model: 'openai/text-embedding-3-small', input: [1, 'two'] as unknown as number[] }).catch((caught: unknown) => caught);
    expect(mixed).toMatchObject({ status: 400, param: 'input' });
    expect(openaiUpstream.stats.requests).toBe(before);
  });

  it('answers n: 2 natively on OpenAI and by fan-out elsewhere', async () => {
    const native = await client.chat.completions.create({ model: 'openai/gpt-4o-mini', n: 2, messages: [{ role: 'user', content: 'two of these' }] });
    expect(native.choices.map((choice) => [choice.index, choice.message.content])).toEqual([
      [0, 'two of these'],
      [1, 'two of these'],
    ]);
    expect(openaiUpstream.lastRequest()?.body).toMatchObject({ n: 2 });
    expect(openaiUpstream.stats.requests).toBe(1);

    const fanned = await client.chat.completions.create({ model: 'anthropic/claude-haiku-4-5', n: 2, messages: [{ role: 'user', content: 'two from claude' }] });
    expect(fanned.choices.map((choice) => [choice.index, choice.message.content])).toEqual([
      [0, 'two from claude'],
      [1, 'two from claude'],
    ]);
    expect(anthropicUpstream.stats.requests).toBe(2);
    expect(anthropicUpstream.lastRequest()?.body).not.toHaveProperty('n');
    expect(fanned.usage?.completion_tokens).toBe(6);
  });

  it('reaches an Anthropic upstream: text, tool calls and usage intact', async () => {
    const text = await client.chat.completions.create({ model: 'anthropic/claude-haiku-4-5', max_tokens: 50, messages: [{ role: 'system', content: 'terse' }, { role: 'user', content: 'hello claude' }] });
    expect(text.choices[0].message.content).toBe('hello claude');
    expect(text.usage).toMatchObject({ prompt_tokens: 9, completion_tokens: 2, total_tokens: 11 });
    expect(anthropicUpstream.lastRequest()?.body).toMatchObject({ system: 'terse', max_tokens: 50, messages: [{ role: 'user', content: 'hello claude' }] });

    const stream = await client.chat.completions.create({
      model: 'anthropic/claude-haiku-4-5',
      stream: true,
      stream_options: { include_usage: true },
      tools: [lookupTool],
      tool_choice: 'required',
      messages: [{ role: 'user', content: 'call it' }],
    });
    const calls = new Map<number, { name: string; arguments: string }>();
    let usage: OpenAI.CompletionUsage | undefined;
    let finish: string | null = null;
    for await (const chunk of stream) {
      for (const delta of chunk.choices[0]?.delta.tool_calls ?? []) {
        const call = calls.get(delta.index) ?? { name: '', arguments: '' };
        call.name += delta.function?.name ?? '';
        call.arguments += delta.function?.arguments ?? '';
        calls.set(delta.index, call);
      }
      finish = chunk.choices[0]?.finish_reason ?? finish;
      if (chunk.usage) usage = chunk.usage;
    }
    expect([...calls.values()]).toEqual([{ name: 'lookup', arguments: '{"input":"call it"}' }]);
    expect(finish).toBe('tool_calls');
    expect(usage?.prompt_tokens).toBeGreaterThan(0);
    expect(anthropicUpstream.lastRequest()?.body).toMatchObject({ tool_choice: { type: 'any' }, tools: [{ name: 'lookup', strict: true }] });
  });
});
