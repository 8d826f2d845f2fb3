import Anthropic from '@anthropic-ai/sdk';
import { request } from 'undici';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startAnthropicMockServer, type AnthropicMockServer } from '../src/mock-upstream/anthropic-server.js';

/*
 * The mock must speak Anthropic's exact wire format: the official SDK is the judge.
 */
const API_KEY = 'sk-ant-mock-key';
let server: AnthropicMockServer;
let client: Anthropic;

const weather: Anthropic.Tool = {
  name: 'get_weather',
  description: 'Weather of a city',
  input_schema: { type: 'object', properties: { input: { type: 'string' } } },
};

beforeAll(async () => {
  server = await startAnthropicMockServer({ apiKey: API_KEY });
  client = new Anthropic({ baseURL: server.url, apiKey: API_KEY, maxRetries: 0 });
});
afterEach(() => {
  server.configure({ errorRate: 0 });
  server.reset();
});
afterAll(() => server.close());

describe('Anthropic mock server, checked with the official @anthropic-ai/sdk', () => {
  it('answers messages.create with an echo, stop reason and usage', async () => {
    const message = await client.messages.create({
      model: 'claude-haiku-4-5',
      max_tokens: 64,
      system: 'be brief',
      messages: [{ role: 'user', content: 'ping pong' }],
    });
    expect(message).toMatchObject({
      type: 'message',
      role: 'assistant',
      model: 'claude-haiku-4-5',
      content: [{ type: 'text', text: 'ping pong' }],
      stop_reason: 'end_turn',
      stop_sequence: null,
      usage: { output_tokens: 2 },
    });
    expect(message.id).toMatch(/^msg_/);
    expect(message.usage.input_tokens).toBeGreaterThan(0);
    expect(server.lastRequest()?.headers.authorization).toBe(`Bearer ${API_KEY}`);
  });

  it('honours stop_sequences and max_tokens', async () => {
    const stopped = await client.messages.create({
      model: 'claude-haiku-4-5',
      max_tokens: 64,
      stop_sequences: ['STOP'],
      messages: [{ role: 'user', content: 'one two STOP three' }],
    });
    expect(stopped).toMatchObject({ stop_reason: 'stop_sequence', stop_sequence: 'STOP', content: [{ type: 'text', text: 'one two ' }] });
    const cut = await client.messages.create({ model: 'claude-haiku-4-5', max_tokens: 2, messages: [{ role: 'user', content: 'a b c d' }] });
    expect(cut).toMatchObject({ stop_reason: 'max_tokens', content: [{ type: 'text', text: 'a b' }], usage: { output_tokens: 2 } });
  });

  it('streams with messages.stream: text events, the full event order, then finalMessage()', async () => {
    const text = 'streamed through the Anthropic event sequence';
    const stream = client.messages.stream({ model: 'claude-haiku-4-5', max_tokens: 128, messages: [{ role: 'user', content: text }] });
    const pieces: string[] = [];
    const types: string[] = [];
    stream.on('text', (piece) => pieces.push(piece));
    stream.on('streamEvent', (event) => types.push(event.type));
    const message = await stream.finalMessage();
    expect(pieces.length).toBe(6);
    expect(pieces.join('')).toBe(text);
    expect(message.content).toEqual([{ type: 'text', text }]);
    expect(message.stop_reason).toBe('end_turn');
    expect(message.usage).toMatchObject({ output_tokens: 6 });
    expect(types.slice(0, 2)).toEqual(['message_start', 'content_block_start']);
    expect(types.slice(-3)).toEqual(['content_block_stop', 'message_delta', 'message_stop']);
  });

  it('sends event names matching each data type, with a ping after the first block starts', async () => {
    const response = await request(`${server.url}/v1/messages`, {
      method: 'POST',
      headers: { 'x-api-key': API_KEY, 'anthropic-version': '2023-06-01', 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'm', max_tokens: 10, stream: true, messages: [{ role: 'user', content: 'hi' }] }),
    });
    expect(response.headers['content-type']).toContain('text/event-stream');
    const raw = await response.body.text();
    const events = [...raw.matchAll(/^event: (\w+)\ndata: (.*)$/gm)].map(([, name, data]) => ({ name, type: (JSON.parse(data) as { type: string }).type }));
    expect(events.every((event) => event.name === event.type)).toBe(true);
    expect(events.map((event) => event.name)).toEqual([
      'message_start',
      'content_block_start',
      'ping',
      'content_block_delta',
      'content_block_stop',
      'message_delta',
      'message_stop',
    ]);
    expect(server.stats.closedRequests).toBe(0);
  });

  it('calls a tool when the last user message says [tool], in one response and in a stream', async () => {
    const messages: Anthropic.MessageParam[] = [{ role: 'user', content: 'weather in Paris [tool]' }];
    const message = await client.messages.create({ model: 'claude-haiku-4-5', max_tokens: 64, tools: [weather], messages });
    expect(message.stop_reason).toBe('tool_use');
    expect(message.content).toEqual([{ type: 'tool_use', id: expect.stringMatching(/^toolu_/), name: 'get_weather', input: { input: 'weather in Paris [tool]' } }]);

    const final = await client.messages.stream({ model: 'claude-haiku-4-5', max_tokens: 64, tools: [weather], messages }).finalMessage();
    expect(final.content).toEqual([expect.objectContaining({ type: 'tool_use', name: 'get_weather', input: { input: 'weather in Paris [tool]' } })]);
    expect(final.stop_reason).toBe('tool_use');
  });

  it('calls the named tool when tool_choice forces it, and answers the tool result with text', async () => {
    const other: Anthropic.Tool = { name: 'get_time', input_schema: { type: 'object' } };
    const first = await client.messages.create({
      model: 'claude-haiku-4-5',
      max_tokens: 64,
      tools: [weather, other],
      tool_choice: { type: 'tool', name: 'get_time' },
      messages: [{ role: 'user', content: 'what time is it' }],
    });
    const call = first.content[0] as Anthropic.ToolUseBlock;
    expect(call.name).toBe('get_time');
    const second = await client.messages.create({
      model: 'claude-haiku-4-5',
      max_tokens: 64,
      tools: [weather, other],
      messages: [
        { role: 'user', content: 'what time is it' },
        { role: 'assistant', content: first.content },
        { role: 'user', content: [{ type: 'tool_result', tool_use_id: call.id, content: 'noon' }, { type: 'text', text: 'thanks' }] },
      ],
    });
    expect(second.content).toEqual([{ type: 'text', text: 'thanks' }]);
  });

  it('lists models across cursor pages with models.list auto-pagination', async () => {
    const ids: string[] = [];
    for await (const model of client.models.list({ limit: 3 })) ids.push(model.id);
    expect(ids).toEqual(['claude-opus-4-1', 'claude-sonnet-4-5', 'claude-haiku-4-5', 'claude-3-5-haiku-20241022']);
    expect(server.stats.requests).toBe(2);
    const page = await client.models.list({ limit: 2 });
    expect(page).toMatchObject({ has_more: true, first_id: 'claude-opus-4-1', last_id: 'claude-sonnet-4-5' });
    const model = await client.models.retrieve('claude-haiku-4-5');
    expect(model).toMatchObject({ type: 'model', id: 'claude-haiku-4-5', display_name: 'Claude Haiku 4.5' });
  });

  it('answers errors in the Anthropic shape: bad key, unknown model, system role, overload', async () => {
    const badKey = await new Anthropic({ baseURL: server.url, apiKey: 'wrong', maxRetries: 0 }).models.list().catch((caught: unknown) => caught);
    expect(badKey).toBeInstanceOf(Anthropic.AuthenticationError);
    expect((badKey as InstanceType<typeof Anthropic.AuthenticationError>).error).toMatchObject({
      type: 'error',
      error: { type: 'authentication_error', message: 'invalid x-api-key' },
    });

    const missing = await client.models.retrieve('claude-nope').catch((caught: unknown) => caught);
    expect(missing).toBeInstanceOf(Anthropic.NotFoundError);

    const systemRole = await client.messages
      .create({ model: 'm', max_tokens: 5, messages: [{ role: 'system' as 'user', content: 'x' }] })
      .catch((caught: unknown) => caught);
    expect(systemRole).toBeInstanceOf(Anthropic.BadRequestError);
    expect((systemRole as Error).message).toContain('messages.0.role');

    const orphan = await client.messages
      .create({ model: 'm', max_tokens: 5, messages: [{ role: 'user', content: [{ type: 'tool_result', tool_use_id: 'toolu_x', content: 'x' }] }] })
      .catch((caught: unknown) => caught);
    expect(orphan).toBeInstanceOf(Anthropic.BadRequestError);
    expect((orphan as Error).message).toContain('must have a corresponding `tool_use` block');

    server.configure({ errorRate: 1 });
    const overloaded = await client.messages.create({ model: 'm', max_tokens: 5, messages: [{ role: 'user', content: 'x' }] }).catch((caught: unknown) => caught);
    expect(overloaded).toBeInstanceOf(Anthropic.OverloadedError);
    expect((overloaded as InstanceType<typeof Anthropic.OverloadedError>).status).toBe(529);
  });

  it('plays scripted responses in order, then resumes', async () => {
    server.enqueue({ status: 429, headers: { 'retry-after': '1' }, body: { type: 'error', error: { type: 'rate_limit_error', message: 'slow down' } } });
    const error = await client.models.list().catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(Anthropic.RateLimitError);
    await expect(client.models.list()).resolves.toBeDefined();
    expect(server.stats.requests).toBe(2);
  });

  it('requires the anthropic-version header, as Anthropic does', async () => {
    const response = await request(`${server.url}/v1/models`, { headers: { 'x-api-key': API_KEY } });
    expect(response.statusCode).toBe(400);
    expect(await response.body.json()).toMatchObject({ type: 'error', error: { type: 'invalid_request_error', message: 'anthropic-version: header is required' } });
  });
});
