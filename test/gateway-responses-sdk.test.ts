import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAnthropicMockServer, type AnthropicMockServer } from '../src/mock-upstream/anthropic-server.js';
import { startTestGateway, type TestGateway } from './gateway-support.js';

// The official openai SDK's Responses API, unmodified, through the gateway to providers that do not speak it:
// the mock provider and a fake Anthropic upstream (served by the chat pipeline), with stored responses per tenant.
let anthropic: AnthropicMockServer;
let gateway: TestGateway;
let client: OpenAI;
let otherTenant: OpenAI;

const CLAUDE = 'anthropic/claude-haiku-4-5';
const weatherTool = {
  type: 'function' as const,
  name: 'get_weather',
  description: 'Current weather of a city',
  parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
  strict: false,
};

type SentMessages = { system?: unknown; max_tokens?: number; messages: Array<{ role: string; content: unknown }> };
const sent = () => anthropic.lastRequest()?.body as SentMessages;

beforeAll(async () => {
  anthropic = await startAnthropicMockServer({ apiKey: 'anthropic-upstream-key' });
  gateway = await startTestGateway({
    cache: { responses: true },
    providers: { anthropic: { baseURL: anthropic.url, apiKey: 'anthropic-upstream-key', retries: 0 } },
    server: { apiKeys: ['team-a:key-team-a', 'team-b:key-team-b'] },
  });
  client = new OpenAI({ baseURL: `${gateway.url}/v1`, apiKey: 'key-team-a', maxRetries: 0 });
  otherTenant = new OpenAI({ baseURL: `${gateway.url}/v1`, apiKey: 'key-team-b', maxRetries: 0 });
});

afterAll(async () => {
  await gateway?.stop();
  await anthropic?.close();
});

describe('responses.create through the chat pipeline', () => {
  it('answers the mock provider with a response object and the x-switchyard headers', async () => {
    const { data, response } = await client.responses.create({ model: 'mock/echo', input: 'hello responses' }).withResponse();
    expect(data.object).toBe('response');
    expect(data.id).toMatch(/^resp_/);
    expect(data.status).toBe('completed');
    expect(data.output_text).toBe('hello responses');
    expect(data.output).toHaveLength(1);
    expect(data.output[0]).toMatchObject({ type: 'message', role: 'assistant', status: 'completed', content: [{ type: 'output_text', text: 'hello responses' }] });
    expect(data.usage?.total_tokens).toBe((data.usage?.input_tokens ?? 0) + (data.usage?.output_tokens ?? 0));
    expect(data.usage?.output_tokens).toBeGreaterThan(0);
    expect(response.headers.get('x-switchyard-provider')).toBe('mock');
    expect(response.headers.get('x-switchyard-model')).toBe('mock/echo');
  });

  it('reaches an Anthropic upstream: instructions, input, max_output_tokens and usage intact', async () => {
    const data = await client.responses.create({ model: CLAUDE, instructions: 'You are terse.', input: 'hello claude', max_output_tokens: 50, temperature: 0.2 });
    expect(data.output_text).toBe('hello claude');
    expect(data.model).toBe(CLAUDE);
    expect(data.instructions).toBe('You are terse.');
    const body = sent();
    expect(body.system).toEqual('You are terse.');
    expect(body.max_tokens).toBe(50);
    expect(body.messages).toEqual([{ role: 'user', content: 'hello claude' }]);
    expect(data.usage).toMatchObject({ input_tokens: expect.any(Number), output_tokens: expect.any(Number) });
    expect(data.usage!.input_tokens).toBeGreaterThan(0);
  });

  it('round-trips a function call with an Anthropic upstream, continuing by previous_response_id', async () => {
    const first = await client.responses.create({ model: CLAUDE, input: 'weather in Paris? [tool]', tools: [weatherTool] });
    const call = first.output.find((item) => item.type === 'function_call');
    expect(call).toMatchObject({ type: 'function_call', name: 'get_weather', status: 'completed' });
    if (call?.type !== 'function_call') throw new Error('no function call');
    expect(call.call_id).toMatch(/^toolu_/);
    expect(JSON.parse(call.arguments)).toEqual({ input: 'weather in Paris? [tool]' });
    expect((anthropic.lastRequest()?.body as { tools: unknown[] }).tools).toEqual([
      { name: 'get_weather', description: 'Current weather of a city', input_schema: weatherTool.parameters, strict: false },
    ]);

    const second = await client.responses.create({
      model: CLAUDE,
      previous_response_id: first.id,
      input: [{ type: 'function_call_output', call_id: call.call_id, output: '{"temperature":21}' }],
      tools: [weatherTool],
    });
    expect(second.previous_response_id).toBe(first.id);
    expect(second.output[0]).toMatchObject({ type: 'message' });
    expect(sent().messages).toEqual([
      { role: 'user', content: 'weather in Paris? [tool]' },
      { role: 'assistant', content: [{ type: 'tool_use', id: call.call_id, name: 'get_weather', input: { input: 'weather in Paris? [tool]' } }] },
      { role: 'user', content: [{ type: 'tool_result', tool_use_id: call.call_id, content: '{"temperature":21}' }] },
    ]);
  });

  it('continues a conversation by previous_response_id without carrying instructions over', async () => {
    const first = await client.responses.create({ model: CLAUDE, instructions: 'first instructions', input: 'my name is Ada' });
    const second = await client.responses.create({ model: CLAUDE, instructions: 'second instructions', input: 'what is my name?', previous_response_id: first.id });
    expect(second.output_text).toBe('what is my name?');
    expect(sent().system).toBe('second instructions');
    expect(sent().messages).toEqual([
      { role: 'user', content: 'my name is Ada' },
      { role: 'assistant', content: 'my name is Ada' },
      { role: 'user', content: 'what is my name?' },
    ]);
  });

  it('replaces an item_reference with the stored output item it names, and 404s an unknown one', async () => {
    const first = await client.responses.create({ model: CLAUDE, input: 'remember this line' });
    const messageId = first.output[0].id!;
    await client.responses.create({
      model: CLAUDE,
      input: [{ role: 'user', content: 'remember this line' }, { type: 'item_reference', id: messageId }, { role: 'user', content: 'and now?' }],
    });
    expect(sent().messages).toEqual([
      { role: 'user', content: 'remember this line' },
      { role: 'assistant', content: 'remember this line' },
      { role: 'user', content: 'and now?' },
    ]);
    const unknown = await otherTenant.responses
      .create({ model: CLAUDE, input: [{ type: 'item_reference', id: messageId }, { role: 'user', content: 'x' }] })
      .catch((caught: unknown) => caught);
    expect(unknown).toMatchObject({ status: 404, param: 'input.0.id' });
  });

  it('is cached like chat: the same request is a hit with its own response id', async () => {
    const request = { model: 'mock/echo', input: 'cache this response', temperature: 0 };
    const first = await client.responses.create(request).withResponse();
    const second = await client.responses.create(request).withResponse();
    expect(first.response.headers.get('x-switchyard-cache')).toBe('miss');
    expect(second.response.headers.get('x-switchyard-cache')).toBe('hit-memory');
    expect(second.data.output_text).toBe(first.data.output_text);
    expect(second.data.id).not.toBe(first.data.id);
  });
});

describe('responses.stream through the chat pipeline', () => {
  it('streams the documented events in order from an Anthropic upstream', async () => {
    const text = 'a streamed answer long enough to arrive in several deltas';
    const stream = client.responses.stream({ model: CLAUDE, input: text });
    const events: Array<{ type: string; sequence_number: number }> = [];
    const deltas: string[] = [];
    for await (const event of stream) {
      events.push(event);
      if (event.type === 'response.output_text.delta') deltas.push(event.delta);
    }
    const final = await stream.finalResponse();
    const types = events.map((event) => event.type);
    const deltaCount = deltas.length;
    expect(deltaCount).toBeGreaterThan(1);
    expect(types).toEqual([
      'response.created',
      'response.in_progress',
      'response.output_item.added',
      'response.content_part.added',
      ...Array<string>(deltaCount).fill('response.output_text.delta'),
      'response.output_text.done',
      'response.content_part.done',
      'response.output_item.done',
      'response.completed',
    ]);
    expect(events.map((event) => event.sequence_number)).toEqual(events.map((_, index) => index));
    expect(deltas.join('')).toBe(text);
    expect(final.output_text).toBe(text);
    expect(final.status).toBe('completed');
    expect(final.usage?.output_tokens).toBeGreaterThan(0);
    expect((anthropic.lastRequest()?.body as { stream?: boolean }).stream).toBe(true);
  });

  it('streams a function call as argument deltas, then answers its output by previous_response_id', async () => {
    const stream = client.responses.stream({ model: CLAUDE, input: 'stream a [tool] call', tools: [weatherTool] });
    const argumentDeltas: string[] = [];
    const types: string[] = [];
    for await (const event of stream) {
      types.push(event.type);
      if (event.type === 'response.function_call_arguments.delta') argumentDeltas.push(event.delta);
    }
    const final = await stream.finalResponse();
    const call = final.output.find((item) => item.type === 'function_call');
    if (call?.type !== 'function_call') throw new Error('no function call');
    expect(argumentDeltas.length).toBeGreaterThan(0);
    expect(argumentDeltas.join('')).toBe(call.arguments);
    expect(JSON.parse(call.arguments)).toEqual({ input: 'stream a [tool] call' });
    expect(types).toContain('response.function_call_arguments.done');
    expect(types.at(-1)).toBe('response.completed');

    const answer = await client.responses.create({
      model: CLAUDE,
      previous_response_id: final.id,
      input: [{ type: 'function_call_output', call_id: call.call_id, output: 'sunny' }],
      tools: [weatherTool],
    });
    expect(answer.status).toBe('completed');
    expect(sent().messages.at(-1)).toEqual({ role: 'user', content: [{ type: 'tool_result', tool_use_id: call.call_id, content: 'sunny' }] });
  });
});

describe('stored responses', () => {
  it('retrieves and deletes a stored response; a deleted one is 404', async () => {
    const created = await client.responses.create({ model: 'mock/echo', input: 'keep me', metadata: { purpose: 'test' } });
    const retrieved = await client.responses.retrieve(created.id);
    expect(retrieved.id).toBe(created.id);
    expect(retrieved.output_text).toBe('keep me');
    expect(retrieved.metadata).toEqual({ purpose: 'test' });
    await client.responses.delete(created.id);
    await expect(client.responses.retrieve(created.id)).rejects.toMatchObject({ status: 404 });
    await expect(client.responses.delete(created.id)).rejects.toMatchObject({ status: 404 });
  });

  it('keeps nothing with store: false', async () => {
    const created = await client.responses.create({ model: 'mock/echo', input: 'forget me', store: false });
    expect((created as unknown as { store: boolean }).store).toBe(false);
    await expect(client.responses.retrieve(created.id)).rejects.toMatchObject({ status: 404 });
    await expect(client.responses.create({ model: 'mock/echo', input: 'again', previous_response_id: created.id })).rejects.toMatchObject({
      status: 404,
      param: 'previous_response_id',
    });
  });

  it('never lets a tenant read, continue or delete another tenant\'s response', async () => {
    const created = await client.responses.create({ model: 'mock/echo', input: 'team a secret' });
    await expect(otherTenant.responses.retrieve(created.id)).rejects.toMatchObject({ status: 404 });
    await expect(otherTenant.responses.delete(created.id)).rejects.toMatchObject({ status: 404 });
    await expect(otherTenant.responses.create({ model: 'mock/echo', input: 'continue', previous_response_id: created.id })).rejects.toMatchObject({ status: 404 });
    expect((await client.responses.retrieve(created.id)).output_text).toBe('team a secret');
  });
});

describe('fields mapped onto Anthropic', () => {
  it('maps reasoning effort to a thinking budget, strict tools, documents and parallel_tool_calls', async () => {
    await client.responses.create({
      model: CLAUDE,
      input: [{ role: 'user', content: [{ type: 'input_text', text: 'summarise' }, { type: 'input_file', file_data: 'data:application/pdf;base64,JVBERi0=', filename: 'a.pdf' }] }],
      reasoning: { effort: 'low' },
      max_output_tokens: 4096,
      tools: [{ ...weatherTool, strict: true }],
      parallel_tool_calls: false,
    });
    expect(anthropic.lastRequest()?.body).toMatchObject({
      thinking: { type: 'enabled', budget_tokens: 2048 },
      tools: [{ name: 'get_weather', strict: true }],
      tool_choice: { type: 'auto', disable_parallel_tool_use: true },
      messages: [{ role: 'user', content: [{ type: 'text', text: 'summarise' }, { type: 'document', source: { type: 'base64', media_type: 'application/pdf', data: 'JVBERi0=' } }] }],
    });
  });
});

describe('fields a converted provider cannot honour', () => {
  it.each([
    ['reasoning.effort', { reasoning: { effort: 'xhigh' } }],
    ['tools.0.type', { tools: [{ type: 'web_search' }] }],
    ['text.verbosity', { text: { verbosity: 'low' } }],
    ['prompt_cache_key', { prompt_cache_key: 'k' }],
    ['input.0.type', { input: [{ type: 'web_search_call', id: 'ws_1', status: 'completed' }] }],
    ['top_logprobs', { top_logprobs: 2 }],
  ])('answers 400 naming %s and the provider', async (param, fields) => {
    const request = { model: CLAUDE, input: 'hello', ...fields } as unknown as OpenAI.Responses.ResponseCreateParamsNonStreaming;
    const error = await client.responses.create(request).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(OpenAI.APIError);
    expect(error).toMatchObject({ status: 400, param });
    expect((error as Error).message).toContain('"anthropic"');
  });

  it('answers an upstream failure with the OpenAI error shape, streamed or not', async () => {
    anthropic.enqueue({ status: 529, body: { type: 'error', error: { type: 'overloaded_error', message: 'Overloaded' } } });
    await expect(client.responses.create({ model: CLAUDE, input: 'fail please' })).rejects.toMatchObject({ status: 502, code: 'upstream_unavailable' });
    anthropic.enqueue({ status: 529, body: { type: 'error', error: { type: 'overloaded_error', message: 'Overloaded' } } });
    const stream = client.responses.stream({ model: CLAUDE, input: 'fail streaming' });
    await expect(stream.finalResponse()).rejects.toMatchObject({ status: 502, code: 'upstream_unavailable' });
  });

  it('answers 400 naming an unknown field', async () => {
    const response = await fetch(`${gateway.url}/v1/responses`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: 'Bearer key-team-a' },
      body: JSON.stringify({ model: CLAUDE, input: 'hello', brand_new_field: 1 }),
    });
    expect(response.status).toBe(400);
    expect(((await response.json()) as { error: { param: string } }).error.param).toBe('brand_new_field');
  });
});
