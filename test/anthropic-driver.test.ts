import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startAnthropicMockServer, type AnthropicMockServer } from '../src/mock-upstream/anthropic-server.js';
import { createAnthropicDriver, type AnthropicDriver } from '../src/providers/anthropic/anthropic-driver.js';
import type { DriverCallOptions } from '../src/spec/driver.js';
import { collect, failure, WEATHER_TOOLS as tools, contentParts } from './support/driver.js';

const API_KEY = 'sk-ant-switchyard-test-key-0123456789';
const call: DriverCallOptions = { modelId: 'claude-haiku-4-5', messages: [{ role: 'user', content: 'Hello mock world' }] };
const anthropicError = (type: string, message: string) => ({ type: 'error', error: { type, message }, request_id: 'req_test' });

let server: AnthropicMockServer;
let driver: AnthropicDriver;

beforeAll(async () => {
  server = await startAnthropicMockServer({ apiKey: API_KEY });
  driver = createAnthropicDriver({ baseURL: server.url, apiKey: API_KEY });
});
afterEach(() => {
  server.configure({ malformed: undefined });
  server.reset();
});
afterAll(async () => {
  await driver.close();
  await server.close();
});

describe('Anthropic driver: generate', () => {
  it('returns content, finish reason and usage, and sends the Anthropic wire body and headers', async () => {
    const result = await driver.doGenerate({
      ...call,
      messages: [{ role: 'system', content: 'be brief' }, ...call.messages],
      temperature: 0,
      stop: ['\n\n'],
      requestId: 'req-1',
    });
    expect(result).toEqual({
      id: expect.stringMatching(/^msg_/),
      modelId: 'claude-haiku-4-5',
      content: 'Hello mock world',
      toolCalls: [],
      finishReason: 'stop',
      usage: { inputTokens: 11, outputTokens: 3, totalTokens: 14 },
    });
    const sent = server.lastRequest();
    expect(sent?.path).toBe('/v1/messages');
    expect(sent?.headers['x-api-key']).toBe(API_KEY);
    expect(sent?.headers['anthropic-version']).toBe('2023-06-01');
    expect(sent?.headers.authorization).toBeUndefined();
    expect(sent?.body).toEqual({
      model: 'claude-haiku-4-5',
      max_tokens: 4096,
      system: 'be brief',
      messages: [{ role: 'user', content: 'Hello mock world' }],
      temperature: 0,
      stop_sequences: ['\n\n'],
    });
  });

  it('maps max_tokens to length, and refuses a setting Anthropic cannot honour before any request', async () => {
    const result = await driver.doGenerate({ ...call, maxTokens: 2 });
    expect(result.finishReason).toBe('length');
    expect(result.content).toBe('Hello mock');
    expect(result.warnings).toBeUndefined();
    expect(server.lastRequest()?.body).toMatchObject({ max_tokens: 2 });
    const before = server.stats.requests;
    for (const [settings, field] of [
      [{ seed: 7 }, 'seed'],
      [{ responseFormat: { type: 'json' } }, 'responseFormat'],
      [{ temperature: 1.5 }, 'temperature'],
      [{ temperature: 0.5, topP: 0.9 }, 'topP'],
    ] as const) {
      const error = await failure(() => driver.doGenerate({ ...call, ...settings }));
      expect(error).toMatchObject({ code: 'unsupported', status: 400, provider: 'anthropic', param: field });
      expect(error.message).toContain(field);
    }
    expect(server.stats.requests).toBe(before);
  });

  it('sends temperature and top_p together to a model that takes both', async () => {
    await driver.doGenerate({ ...call, modelId: 'claude-sonnet-4-0', temperature: 0.5, topP: 0.9 });
    expect(server.lastRequest()?.body).toMatchObject({ model: 'claude-sonnet-4-0', temperature: 0.5, top_p: 0.9 });
  });

  it('returns tool calls, and a tool round trip converts into a conversation Anthropic accepts', async () => {
    const first = await driver.doGenerate({ ...call, messages: [{ role: 'user', content: 'weather in Paris [tool]' }], tools, toolChoice: 'auto' });
    expect(first.finishReason).toBe('tool-calls');
    expect(first.content).toBe('');
    expect(first.toolCalls).toEqual([{ id: expect.stringMatching(/^toolu_/), name: 'get_weather', arguments: '{"input":"weather in Paris [tool]"}' }]);
    expect(server.lastRequest()?.body).toMatchObject({
      tools: [{ name: 'get_weather', description: 'Weather for a city', input_schema: tools[0].parameters }],
      tool_choice: { type: 'auto' },
    });

    const second = await driver.doGenerate({
      ...call,
      tools,
      messages: [
        { role: 'system', content: 'be brief' },
        { role: 'user', content: 'weather in Paris [tool]' },
        { role: 'assistant', content: null, toolCalls: first.toolCalls },
        { role: 'tool', toolCallId: first.toolCalls[0].id, content: 'sunny' },
        { role: 'user', content: 'thanks, summarise' },
      ],
    });
    expect(second).toMatchObject({ content: 'thanks, summarise', finishReason: 'stop' });
    const sentMessages = (server.lastRequest()?.body as { messages: unknown[] }).messages;
    expect(sentMessages).toEqual([
      { role: 'user', content: 'weather in Paris [tool]' },
      { role: 'assistant', content: [{ type: 'tool_use', id: first.toolCalls[0].id, name: 'get_weather', input: { input: 'weather in Paris [tool]' } }] },
      {
        role: 'user',
        content: [
          { type: 'tool_result', tool_use_id: first.toolCalls[0].id, content: 'sunny' },
          { type: 'text', text: 'thanks, summarise' },
        ],
      },
    ]);
  });

  it('forces a named tool with toolChoice { name }', async () => {
    const result = await driver.doGenerate({ ...call, tools: [...tools, { name: 'get_time', parameters: { type: 'object' } }], toolChoice: { name: 'get_time' } });
    expect(result.toolCalls.map((toolCall) => toolCall.name)).toEqual(['get_time']);
    expect(server.lastRequest()?.body).toMatchObject({ tool_choice: { type: 'tool', name: 'get_time' } });
  });
});

describe('Anthropic driver: stream', () => {
  it('yields text deltas, then exactly one finish part with input and output usage', async () => {
    const parts = await collect(driver.doStream({ ...call, requestId: 'req-2' }));
    const text = parts.flatMap((part) => (part.type === 'text-delta' ? [part.text] : [])).join('');
    expect(text).toBe('Hello mock world');
    expect(parts.filter((part) => part.type === 'text-delta')).toHaveLength(3);
    expect(parts.filter((part) => part.type === 'finish')).toHaveLength(1);
    expect(parts.at(-1)).toEqual({
      type: 'finish',
      finishReason: 'stop',
      usage: { inputTokens: 9, outputTokens: 3, totalTokens: 12 },
      id: expect.stringMatching(/^msg_/),
      toolCalls: [],
    });
    expect(server.lastRequest()?.body).toMatchObject({ stream: true, max_tokens: 4096 });
  });

  it('yields tool-call deltas with index, id and name that assemble into the finished call', async () => {
    const parts = await collect(driver.doStream({ ...call, messages: [{ role: 'user', content: 'call it [tool]' }], tools, toolChoice: 'required' }));
    const deltas = parts.filter((part) => part.type === 'tool-call-delta');
    expect(deltas.length).toBeGreaterThan(2);
    expect(deltas[0]).toEqual({ type: 'tool-call-delta', index: 0, id: expect.stringMatching(/^toolu_/), name: 'get_weather', argumentsDelta: '' });
    expect(new Set(deltas.map((part) => part.id)).size).toBe(1);
    expect(deltas.every((part) => part.index === 0)).toBe(true);
    const assembled = deltas.map((part) => part.argumentsDelta).join('');
    expect(JSON.parse(assembled)).toEqual({ input: 'call it [tool]' });
    expect(parts.at(-1)).toMatchObject({
      type: 'finish',
      finishReason: 'tool-calls',
      toolCalls: [{ id: deltas[0].id, name: 'get_weather', arguments: assembled }],
    });
    expect(server.lastRequest()?.body).toMatchObject({ tool_choice: { type: 'any' } });
  });

  it('throws status errors from the first next(), before any part', async () => {
    server.enqueue({ status: 529, body: anthropicError('overloaded_error', 'Overloaded') });
    const iterator = contentParts(driver.doStream(call));
    const error = await failure(() => iterator.next());
    expect(error).toMatchObject({ code: 'upstream_unavailable', status: 529, isRetryable: true, provider: 'anthropic' });
    expect(error.message).toBe('anthropic returned 529: Overloaded');
  });

  it('turns an error event inside a 200 stream into a SwitchyardError, after the parts before it', async () => {
    server.enqueue({
      status: 200,
      headers: { 'content-type': 'text/event-stream' },
      body:
        'event: message_start\ndata: {"type":"message_start","message":{"id":"msg_1","usage":{"input_tokens":3,"output_tokens":1}}}\n\n' +
        'event: content_block_start\ndata: {"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}}\n\n' +
        'event: ping\ndata: {"type": "ping"}\n\n' +
        'event: content_block_delta\ndata: {"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"Hi"}}\n\n' +
        'event: error\ndata: {"type":"error","error":{"type":"overloaded_error","message":"Overloaded mid-stream"}}\n\n',
    });
    const iterator = contentParts(driver.doStream(call));
    expect((await iterator.next()).value).toEqual({ type: 'text-delta', text: 'Hi' });
    const error = await failure(() => iterator.next());
    expect(error).toMatchObject({ code: 'upstream_unavailable', isRetryable: true, provider: 'anthropic' });
    expect(error.message).toBe('anthropic stream error: Overloaded mid-stream');
  });

  it('a stream cut off before message_delta is invalid_response', async () => {
    server.enqueue({
      status: 200,
      headers: { 'content-type': 'text/event-stream' },
      body:
        'event: message_start\ndata: {"type":"message_start","message":{"id":"msg_2","usage":{"input_tokens":3,"output_tokens":1}}}\n\n' +
        'event: content_block_delta\ndata: {"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"Hel"}}\n\n',
    });
    const iterator = contentParts(driver.doStream(call));
    expect((await iterator.next()).value).toEqual({ type: 'text-delta', text: 'Hel' });
    const error = await failure(() => iterator.next());
    expect(error).toMatchObject({ code: 'invalid_response', isRetryable: true });
    expect(error.message).toContain('ended before message_delta or message_stop');
  });
});

describe('Anthropic driver: malformed upstream data', () => {
  it('malformed JSON is invalid_response with a clear message', async () => {
    server.configure({ malformed: 'json' });
    const error = await failure(() => driver.doGenerate(call));
    expect(error).toMatchObject({ code: 'invalid_response', provider: 'anthropic' });
    expect(error.message).toMatch(/^Invalid JSON in anthropic message response: .*msg_broken/);
  });

  it('malformed SSE data is invalid_response with a clear message', async () => {
    server.configure({ malformed: 'sse' });
    const error = await failure(() => collect(driver.doStream(call)));
    expect(error.code).toBe('invalid_response');
    expect(error.message).toMatch(/^Invalid JSON in anthropic message stream event: /);
  });

  it('valid JSON of the wrong shape is invalid_response naming the field', async () => {
    server.enqueue({ status: 200, body: { id: 'msg_x', type: 'message', content: [{ type: 'tool_use', name: 'x' }] } });
    const error = await failure(() => driver.doGenerate(call));
    expect(error.code).toBe('invalid_response');
    expect(error.message).toContain('Unexpected anthropic message shape: content.0');
  });

  it('JSON where a stream was asked for is invalid_response', async () => {
    server.enqueue({ status: 200, body: { hello: 'not a stream' } });
    const error = await failure(() => collect(driver.doStream(call)));
    expect(error.code).toBe('invalid_response');
    expect(error.message).toContain('expected a stream but got JSON');
  });

  it('unknown block types, events and fields are skipped', async () => {
    server.enqueue({
      status: 200,
      body: {
        id: 'msg_9',
        type: 'message',
        model: 'claude-x',
        brand_new_field: true,
        content: [{ type: 'thinking', thinking: 'hmm', signature: 's' }, { type: 'text', text: 'ok', citations: null }],
        stop_reason: 'refusal',
        usage: { input_tokens: 2, cache_read_input_tokens: 5, output_tokens: 1 },
      },
    });
    const result = await driver.doGenerate(call);
    expect(result).toMatchObject({ id: 'msg_9', modelId: 'claude-x', content: 'ok', finishReason: 'content-filter', usage: { inputTokens: 7, outputTokens: 1, totalTokens: 8 } });
  });
});

describe('Anthropic driver: errors and keys', () => {
  it.each([
    [400, 'invalid_request_error', 'max_tokens: too large', 'invalid_request', false],
    [403, 'permission_error', 'not allowed', 'permission_denied', false],
    [404, 'not_found_error', 'model: claude-nope', 'model_not_found', false],
    [404, 'not_found_error', 'file not found', 'not_found', false],
    [413, 'request_too_large', 'Request exceeds the maximum allowed number of bytes.', 'payload_too_large', false],
    [500, 'api_error', 'Internal server error', 'upstream_error', true],
    [529, 'overloaded_error', 'Overloaded', 'upstream_unavailable', true],
  ] as const)('maps %i %s "%s" to %s', async (status, type, message, expected, retryable) => {
    server.enqueue({ status, body: anthropicError(type, message) });
    const error = await failure(() => driver.doGenerate(call));
    expect(error).toMatchObject({ code: expected, status, isRetryable: retryable, provider: 'anthropic' });
    expect(error.message).toBe(`anthropic returned ${status}: ${message}`);
  });

  it('429 carries retry-after as retryAfterMs, is retryable, and leaves the connection reusable', async () => {
    const fresh = createAnthropicDriver({ baseURL: server.url, apiKey: API_KEY });
    try {
      server.enqueue({ status: 429, headers: { 'retry-after': '3' }, body: anthropicError('rate_limit_error', 'Number of request tokens has exceeded your per-minute rate limit') });
      const error = await failure(() => fresh.doGenerate(call));
      expect(error).toMatchObject({ code: 'rate_limited', status: 429, isRetryable: true, retryAfterMs: 3000 });
      await expect(fresh.doGenerate(call)).resolves.toMatchObject({ content: 'Hello mock world' });
      expect(server.stats.requests).toBe(2);
      expect(server.stats.connectionsOpened).toBe(1);
    } finally {
      await fresh.close();
    }
  });

  it('a wrong key is authentication_failed and the key never appears in the message', async () => {
    const wrongKey = 'sk-ant-wrong-key-9876543210';
    const other = createAnthropicDriver({ baseURL: server.url, apiKey: wrongKey });
    try {
      const error = await failure(() => other.doGenerate(call));
      expect(error).toMatchObject({ code: 'authentication_failed', status: 401, isRetryable: false });
      expect(JSON.stringify({ message: error.message, stack: error.stack })).not.toContain(wrongKey);
    } finally {
      await other.close();
    }
  });

  it('reads the key at request time: a function, else ANTHROPIC_API_KEY; accepts a baseURL ending in /v1', async () => {
    let current: string | undefined = 'sk-ant-not-yet-valid-000';
    const other = createAnthropicDriver({ baseURL: `${server.url}/v1/`, apiKey: () => current, env: { ANTHROPIC_API_KEY: API_KEY } });
    try {
      await expect(other.doGenerate(call)).rejects.toMatchObject({ code: 'authentication_failed' });
      current = undefined;
      await expect(other.doGenerate(call)).resolves.toMatchObject({ content: 'Hello mock world' });
      expect(server.lastRequest()?.path).toBe('/v1/messages');
      expect(server.lastRequest()?.headers['x-api-key']).toBe(API_KEY);
    } finally {
      await other.close();
    }
  });

  it('a missing key fails before any request, naming the variable', async () => {
    const other = createAnthropicDriver({ baseURL: server.url, env: {} });
    const error = await failure(() => other.doGenerate(call));
    expect(error).toMatchObject({ code: 'authentication_failed', provider: 'anthropic' });
    expect(error.message).toContain('ANTHROPIC_API_KEY');
    expect(server.stats.requests).toBe(0);
    await other.close();
  });

  it('sends a configured anthropic-version and extra headers; rejects a bad baseURL at creation', async () => {
    const other = createAnthropicDriver({ provider: 'claude', baseURL: server.url, apiKey: API_KEY, anthropicVersion: '2099-01-01', headers: { 'anthropic-beta': 'tools-2099' } });
    try {
      await other.doGenerate(call);
      expect(server.lastRequest()?.headers).toMatchObject({ 'anthropic-version': '2099-01-01', 'anthropic-beta': 'tools-2099' });
      expect(other.provider).toBe('claude');
    } finally {
      await other.close();
    }
    expect(() => createAnthropicDriver({ baseURL: 'api.anthropic.com' })).toThrow(/baseURL must be an http\(s\) URL/);
  });
});

describe('Anthropic driver: models and pool', () => {
  it('lists models, following cursor pages', async () => {
    server.enqueue(
      { status: 200, body: { data: [{ type: 'model', id: 'claude-b', display_name: 'Claude B', created_at: '2025-02-01T00:00:00Z' }], has_more: true, first_id: 'claude-b', last_id: 'claude-b' } },
      { status: 200, body: { data: [{ type: 'model', id: 'claude-a', display_name: 'Claude A', created_at: '2025-01-01T00:00:00Z', max_input_tokens: 200000 }], has_more: false, first_id: 'claude-a', last_id: 'claude-a' } },
    );
    const models = await driver.listModels();
    expect(models).toEqual([
      { modelId: 'claude-b', name: 'Claude B', ownedBy: 'anthropic', createdAt: Date.parse('2025-02-01T00:00:00Z') / 1000 },
      { modelId: 'claude-a', name: 'Claude A', ownedBy: 'anthropic', createdAt: Date.parse('2025-01-01T00:00:00Z') / 1000, contextLength: 200000 },
    ]);
    expect(server.stats.requests).toBe(2);
    expect(server.lastRequest()?.query.get('after_id')).toBe('claude-b');
  });

  it('lists the mock server\'s own models', async () => {
    const models = await driver.listModels();
    expect(models.map((model) => model.modelId)).toContain('claude-haiku-4-5');
    expect(models.find((model) => model.modelId === 'claude-haiku-4-5')?.name).toBe('Claude Haiku 4.5');
    expect(server.lastRequest()).toMatchObject({ method: 'GET', path: '/v1/models' });
  });

  it('has no doEmbed, and reports pool stats from the transport', async () => {
    expect('doEmbed' in driver).toBe(false);
    const fresh = createAnthropicDriver({ baseURL: server.url, apiKey: API_KEY });
    expect(fresh.poolStats()).toEqual({ connected: 0, free: 0, pending: 0, queued: 0, running: 0, size: 0 });
    await fresh.doGenerate(call);
    await collect(fresh.doStream(call));
    expect(fresh.poolStats()).toMatchObject({ connected: 1, free: 1 });
    await fresh.close();
    expect(fresh.poolStats().connected).toBe(0);
    expect(fresh.specificationVersion).toBe('v1');
  });
});
