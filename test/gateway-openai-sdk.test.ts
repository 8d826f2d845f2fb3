import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startOpenAIMockServer, type OpenAIMockServer } from '../src/mock-upstream/openai-server.js';
import { startTestGateway, type TestGateway } from './gateway-support.js';

// The official OpenAI SDK, unmodified, against the gateway: mock provider and a fake OpenAI upstream.
let upstream: OpenAIMockServer;
let gateway: TestGateway;
let client: OpenAI;

const weatherTool = {
  type: 'function' as const,
  function: {
    name: 'get_weather',
    description: 'Current weather of a city',
    parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
  },
};

beforeAll(async () => {
  upstream = await startOpenAIMockServer({ apiKey: 'sk-upstream-test-key' });
  gateway = await startTestGateway({ providers: { openai: { baseURL: upstream.url, apiKey: 'sk-upstream-test-key', retries: 0 } } });
  client = new OpenAI({ baseURL: `${gateway.url}/v1`, apiKey: 'unused-without-gateway-keys', maxRetries: 0 });
});

afterAll(async () => {
  await gateway?.stop();
  await upstream?.close();
});

describe('gateway with the official openai client', () => {
  it('answers a chat completion with the x-switchyard headers', async () => {
    const { data, response } = await client.chat.completions
      .create({ model: 'mock/echo', messages: [{ role: 'system', content: 'be brief' }, { role: 'user', content: 'hello gateway' }] })
      .withResponse();
    expect(data.object).toBe('chat.completion');
    expect(data.choices[0].message.content).toBe('hello gateway');
    expect(data.choices[0].finish_reason).toBe('stop');
    expect(data.usage?.total_tokens).toBeGreaterThan(0);
    expect(response.headers.get('x-switchyard-provider')).toBe('mock');
    expect(response.headers.get('x-switchyard-model')).toBe('mock/echo');
    expect(response.headers.get('x-switchyard-cache')).toBe('bypass');
    expect(response.headers.get('x-request-id')).toMatch(/^[\w.:-]+$/);
    expect(Number(response.headers.get('x-switchyard-overhead-ms'))).toBeGreaterThanOrEqual(0);
  });

  it('passes a chat completion through to an OpenAI upstream', async () => {
    const completion = await client.chat.completions.create({ model: 'openai/gpt-4o-mini', messages: [{ role: 'user', content: 'via upstream' }], seed: 7, stop: ['END'] });
    expect(completion.choices[0].message.content).toBe('via upstream');
    const sent = upstream.lastRequest()?.body as { model: string; seed: number; stop: string[] };
    expect(sent).toMatchObject({ model: 'gpt-4o-mini', seed: 7, stop: ['END'] });
  });

  it('streams chunks ending with a usage chunk', async () => {
    const text = 'a longer sentence that the mock splits into several stream chunks';
    const stream = await client.chat.completions.create({
      model: 'mock/echo',
      messages: [{ role: 'user', content: text }],
      stream: true,
      stream_options: { include_usage: true },
    });
    const deltas: string[] = [];
    let finishReason: string | null = null;
    let usage: OpenAI.CompletionUsage | null | undefined;
    for await (const chunk of stream) {
      if (chunk.choices[0]?.delta.content) deltas.push(chunk.choices[0].delta.content);
      if (chunk.choices[0]?.finish_reason) finishReason = chunk.choices[0].finish_reason;
      if (chunk.usage) usage = chunk.usage;
    }
    expect(deltas.length).toBeGreaterThan(1);
    expect(deltas.join('')).toBe(text);
    expect(finishReason).toBe('stop');
    expect(usage?.completion_tokens).toBeGreaterThan(0);
  });

  it('round-trips a tool call through an OpenAI upstream', async () => {
    const question = 'Use the get_weather tool for Paris';
    const first = await client.chat.completions.create({ model: 'openai/gpt-4o-mini', messages: [{ role: 'user', content: question }], tools: [weatherTool], tool_choice: 'auto' });
    const call = first.choices[0].message.tool_calls?.[0];
    expect(first.choices[0].finish_reason).toBe('tool_calls');
    expect(call?.type).toBe('function');
    if (call?.type !== 'function') throw new Error('expected a function tool call');
    expect(call.function.name).toBe('get_weather');
    expect(JSON.parse(call.function.arguments)).toEqual({ input: question });

    const second = await client.chat.completions.create({
      model: 'openai/gpt-4o-mini',
      messages: [
        { role: 'user', content: question },
        { role: 'assistant', content: null, tool_calls: [call] },
        { role: 'tool', tool_call_id: call.id, content: '{"temperature":21}' },
      ],
      tools: [weatherTool],
      tool_choice: 'none',
    });
    expect(second.choices[0].finish_reason).toBe('stop');
    const sent = upstream.lastRequest()?.body as { messages: Array<Record<string, unknown>>; tool_choice: string };
    expect(sent.tool_choice).toBe('none');
    expect(sent.messages[1]).toMatchObject({ role: 'assistant', tool_calls: [{ id: call.id, type: 'function', function: { name: 'get_weather' } }] });
    expect(sent.messages[2]).toMatchObject({ role: 'tool', tool_call_id: call.id, content: '{"temperature":21}' });
  });

  it('streams a tool call from the mock provider', async () => {
    const stream = await client.chat.completions.create({
      model: 'mock/echo',
      messages: [{ role: 'user', content: 'weather please' }],
      tools: [weatherTool],
      tool_choice: { type: 'function', function: { name: 'get_weather' } },
      stream: true,
    });
    let name = '';
    let argumentsText = '';
    let id = '';
    for await (const chunk of stream) {
      for (const delta of chunk.choices[0]?.delta.tool_calls ?? []) {
        id ||= delta.id ?? '';
        name += delta.function?.name ?? '';
        argumentsText += delta.function?.arguments ?? '';
      }
    }
    expect(id).not.toBe('');
    expect(name).toBe('get_weather');
    expect(JSON.parse(argumentsText)).toHaveProperty('city');
  });

  it('lists models in the OpenAI list shape', async () => {
    const ids: string[] = [];
    for await (const model of client.models.list()) ids.push(model.id);
    expect(ids).toContain('mock/echo');
    expect(ids).toContain('mock/lorem');
  });

  it('serves embeddings as base64 (the SDK default) and as floats, the same vectors', async () => {
    const viaSdk = await client.embeddings.create({ model: 'mock/echo', input: ['first text', 'second text'] });
    expect(viaSdk.data).toHaveLength(2);
    expect(viaSdk.data[0].embedding).toHaveLength(16);
    const raw = await fetch(`${gateway.url}/v1/embeddings`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'mock/echo', input: ['first text', 'second text'], encoding_format: 'float' }),
    });
    const floats = (await raw.json()) as { data: Array<{ embedding: number[] }> };
    expect(raw.headers.get('x-switchyard-cache')).toBe('bypass');
    floats.data[1].embedding.forEach((value, index) => expect(viaSdk.data[1].embedding[index]).toBeCloseTo(value, 6));
  });

  it('turns an unknown model into openai.NotFoundError with code model_not_found', async () => {
    const failure = await client.chat.completions.create({ model: 'nowhere/model', messages: [{ role: 'user', content: 'hi' }] }).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(OpenAI.NotFoundError);
    const error = failure as InstanceType<typeof OpenAI.NotFoundError>;
    expect(error.status).toBe(404);
    expect(error.code).toBe('model_not_found');
    expect(error.param).toBe('model');
  });
});
