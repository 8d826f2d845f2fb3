import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startOpenAIMockServer, type OpenAIMockServer } from '../src/mock-upstream/openai-server.js';
import { createOpenAIDriver, type OpenAIDriver } from '../src/providers/openai/openai-driver.js';
import type { DriverCallOptions } from '../src/spec/driver.js';
import { collect, failure, WEATHER_TOOLS as tools, contentParts } from './support/driver.js';

const API_KEY = 'sk-switchyard-test-key-0123456789';
const call: DriverCallOptions = { modelId: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Hello mock world' }] };

let server: OpenAIMockServer;
let driver: OpenAIDriver;

beforeAll(async () => {
  server = await startOpenAIMockServer({ apiKey: API_KEY });
  driver = createOpenAIDriver({ baseURL: server.url, apiKey: API_KEY });
});
afterEach(() => {
  server.configure({ malformed: undefined });
  server.reset();
});
afterAll(async () => {
  await driver.close();
  await server.close();
});

describe('OpenAI driver: generate', () => {
  it('returns content, finish reason and usage, and sends the OpenAI wire body', async () => {
    const result = await driver.doGenerate({ ...call, maxTokens: 20, temperature: 0, requestId: 'req-1' });
    expect(result).toEqual({
      id: expect.stringMatching(/^chatcmpl-/),
      modelId: 'gpt-4o-mini',
      content: 'Hello mock world',
      toolCalls: [],
      finishReason: 'stop',
      usage: { inputTokens: 9, outputTokens: 3, totalTokens: 12 },
    });
    const sent = server.lastRequest();
    expect(sent?.path).toBe('/v1/chat/completions');
    expect(sent?.headers.authorization).toBe(`Bearer ${API_KEY}`);
    expect(sent?.headers['x-client-request-id']).toBe('req-1');
    expect(sent?.body).toEqual({
      model: 'gpt-4o-mini',
      messages: [{ role: 'user', content: 'Hello mock world' }],
      temperature: 0,
      max_tokens: 20,
    });
  });

  it('returns tool calls when the model calls a tool', async () => {
    const result = await driver.doGenerate({ ...call, messages: [{ role: 'user', content: 'use get_weather for Paris' }], tools });
    expect(result.finishReason).toBe('tool-calls');
    expect(result.content).toBe('');
    expect(result.toolCalls).toEqual([
      { id: expect.any(String), name: 'get_weather', arguments: JSON.stringify({ input: 'use get_weather for Paris' }) },
    ]);
  });

  it('refuses settings a reasoning model cannot honour, and sends max_completion_tokens to it', async () => {
    const before = server.stats.requests;
    const error = await failure(() => driver.doGenerate({ ...call, modelId: 'o4-mini', temperature: 0.5, maxTokens: 10 }));
    expect(error).toMatchObject({ code: 'unsupported', status: 400, provider: 'openai', param: 'temperature' });
    expect(error.message).toContain('o4-mini');
    expect(server.stats.requests).toBe(before);
    const result = await driver.doGenerate({ ...call, modelId: 'o4-mini', maxTokens: 10 });
    expect(result.warnings).toBeUndefined();
    expect(server.lastRequest()?.body).toMatchObject({ max_completion_tokens: 10 });
  });
});

describe('OpenAI driver: stream', () => {
  it('ends cleanly when closed right after its start part, before any read of the body (no uncaught abort error)', async () => {
    const stream = driver.doStream(call)[Symbol.asyncIterator]();
    const first = await stream.next();
    expect(first.value).toMatchObject({ type: 'stream-start' });
    await stream.return?.(undefined);
    // A destroyed body nobody listened to would throw its abort error on a later tick; give it those ticks.
    await new Promise((resolve) => setTimeout(resolve, 20));
    const again = await collect(driver.doStream(call));
    expect(again.filter((part) => part.type === 'finish')).toHaveLength(1);
  });

  it('yields text deltas, then exactly one finish part with usage from the final chunk', async () => {
    const parts = await collect(driver.doStream(call));
    const text = parts.flatMap((part) => (part.type === 'text-delta' ? [part.text] : [])).join('');
    expect(text).toBe('Hello mock world');
    expect(parts.filter((part) => part.type === 'finish')).toHaveLength(1);
    expect(parts.at(-1)).toEqual({
      type: 'finish',
      finishReason: 'stop',
      usage: { inputTokens: 9, outputTokens: 3, totalTokens: 12 },
      id: expect.stringMatching(/^chatcmpl-/),
      toolCalls: [],
    });
    expect(server.lastRequest()?.body).toMatchObject({ stream: true, stream_options: { include_usage: true } });
  });

  it('yields tool-call deltas that assemble into the finished tool call', async () => {
    const parts = await collect(
      driver.doStream({ ...call, messages: [{ role: 'user', content: 'call a tool please' }], tools, toolChoice: 'auto' }),
    );
    const deltas = parts.filter((part) => part.type === 'tool-call-delta');
    expect(deltas.length).toBeGreaterThan(2);
    expect(deltas[0]).toMatchObject({ index: 0, name: 'get_weather', argumentsDelta: '' });
    expect(new Set(deltas.map((part) => part.id)).size).toBe(1);
    const assembled = deltas.map((part) => part.argumentsDelta).join('');
    expect(JSON.parse(assembled)).toEqual({ input: 'call a tool please' });
    const finish = parts.at(-1);
    expect(finish).toMatchObject({
      type: 'finish',
      finishReason: 'tool-calls',
      toolCalls: [{ id: deltas[0].id, name: 'get_weather', arguments: assembled }],
    });
  });

  it('throws status errors from the first next(), before any part', async () => {
    server.enqueue({ status: 503, body: { error: { message: 'overloaded', type: 'server_error', code: null, param: null } } });
    const iterator = contentParts(driver.doStream(call));
    const error = await failure(() => iterator.next());
    expect(error).toMatchObject({ code: 'upstream_unavailable', status: 503, isRetryable: true, provider: 'openai' });
    expect(error.message).toBe('openai returned 503: overloaded');
  });

  it('turns an error event inside a 200 stream into a SwitchyardError', async () => {
    server.enqueue({
      status: 200,
      headers: { 'content-type': 'text/event-stream' },
      body: 'data: {"error":{"message":"quota exhausted mid-stream","type":"rate_limit_error","code":"rate_limit_exceeded"}}\n\n',
    });
    const error = await failure(() => collect(driver.doStream(call)));
    expect(error).toMatchObject({ code: 'rate_limited', isRetryable: true });
    expect(error.message).toContain('quota exhausted mid-stream');
  });

  it('a stream cut off before any finish reason is invalid_response', async () => {
    server.enqueue({
      status: 200,
      headers: { 'content-type': 'text/event-stream' },
      body: 'data: {"id":"c1","choices":[{"index":0,"delta":{"content":"Hel"},"finish_reason":null}]}\n\n',
    });
    const iterator = contentParts(driver.doStream(call));
    expect((await iterator.next()).value).toEqual({ type: 'text-delta', text: 'Hel' });
    const error = await failure(() => iterator.next());
    expect(error.code).toBe('invalid_response');
    expect(error.message).toContain('ended before a finish reason');
  });
});

describe('OpenAI driver: malformed upstream data', () => {
  it('malformed JSON is invalid_response with a clear message', async () => {
    server.configure({ malformed: 'json' });
    const error = await failure(() => driver.doGenerate(call));
    expect(error.code).toBe('invalid_response');
    expect(error.provider).toBe('openai');
    expect(error.message).toMatch(/^Invalid JSON in openai chat completion response: .*chatcmpl-broken/);
  });

  it('malformed SSE data is invalid_response with a clear message', async () => {
    server.configure({ malformed: 'sse' });
    const error = await failure(() => collect(driver.doStream(call)));
    expect(error.code).toBe('invalid_response');
    expect(error.message).toMatch(/^Invalid JSON in openai chat stream event: /);
  });

  it('valid JSON of the wrong shape is invalid_response naming the field', async () => {
    server.enqueue({ status: 200, body: { id: 'x', choices: [] } });
    const error = await failure(() => driver.doGenerate(call));
    expect(error.code).toBe('invalid_response');
    expect(error.message).toContain('Unexpected openai chat completion shape: choices');
  });

  it('JSON where a stream was asked for is invalid_response', async () => {
    server.enqueue({ status: 200, body: { hello: 'not a stream' } });
    const error = await failure(() => collect(driver.doStream(call)));
    expect(error.code).toBe('invalid_response');
    expect(error.message).toContain('expected a stream but got JSON');
  });

  it('unknown fields in responses are accepted', async () => {
    server.enqueue({
      status: 200,
      body: {
        id: 'c9',
        brand_new_field: { nested: true },
        choices: [{ index: 0, message: { role: 'assistant', content: 'ok', future: 1 }, finish_reason: 'stop' }],
      },
    });
    const result = await driver.doGenerate(call);
    expect(result).toMatchObject({ id: 'c9', content: 'ok', usage: { inputTokens: 0, outputTokens: 0, totalTokens: 0 } });
  });
});

describe('OpenAI driver: errors and keys', () => {
  it.each([
    [400, 'invalid_request_error', null, 'invalid_request'],
    [404, 'invalid_request_error', 'model_not_found', 'model_not_found'],
    [413, 'invalid_request_error', null, 'payload_too_large'],
    [500, 'server_error', null, 'upstream_error'],
  ] as const)('maps %i to %s', async (status, type, code, expected) => {
    server.enqueue({ status, body: { error: { message: `status ${status}`, type, code, param: null } } });
    const error = await failure(() => driver.doGenerate(call));
    expect(error.code).toBe(expected);
    expect(error.status).toBe(status);
    expect(error.message).toBe(`openai returned ${status}: status ${status}`);
  });

  it('a huge error body is cut, and the next call still works', async () => {
    server.enqueue({ status: 500, body: 'x'.repeat(2 * 1024 * 1024) });
    const error = await failure(() => driver.doGenerate(call));
    expect(error.code).toBe('upstream_error');
    expect(error.message.length).toBeLessThan(400);
    await expect(driver.doGenerate(call)).resolves.toMatchObject({ content: 'Hello mock world' });
  });

  it('a wrong key is authentication_failed and the key never appears in the message', async () => {
    const wrongKey = 'sk-wrong-key-9876543210';
    const other = createOpenAIDriver({ baseURL: server.url, apiKey: wrongKey });
    try {
      const error = await failure(() => other.doGenerate(call));
      expect(error.code).toBe('authentication_failed');
      expect(error.status).toBe(401);
      expect(JSON.stringify({ message: error.message, stack: error.stack })).not.toContain(wrongKey);
    } finally {
      await other.close();
    }
  });

  it('reads the key at request time: a function, else the environment variable', async () => {
    let current: string | undefined = 'sk-not-yet-valid-000000';
    const env: Record<string, string | undefined> = { OPENAI_API_KEY: API_KEY };
    const other = createOpenAIDriver({ baseURL: server.url, apiKey: () => current, env });
    try {
      await expect(other.doGenerate(call)).rejects.toMatchObject({ code: 'authentication_failed' });
      current = undefined;
      await expect(other.doGenerate(call)).resolves.toMatchObject({ content: 'Hello mock world' });
      expect(server.lastRequest()?.headers.authorization).toBe(`Bearer ${API_KEY}`);
    } finally {
      await other.close();
    }
  });

  it('a missing key fails before any request, naming the variable', async () => {
    const other = createOpenAIDriver({ provider: 'xai', baseURL: server.url, apiKeyEnvName: 'XAI_API_KEY', env: {} });
    const error = await failure(() => other.doGenerate(call));
    expect(error).toMatchObject({ code: 'authentication_failed', provider: 'xai' });
    expect(error.message).toContain('XAI_API_KEY');
    expect(server.stats.requests).toBe(0);
    await other.close();
  });

  it('rejects a bad baseURL at creation', () => {
    expect(() => createOpenAIDriver({ baseURL: 'api.openai.com' })).toThrow(/baseURL must be an http\(s\) URL/);
  });
});

describe('OpenAI driver: models, embeddings, pool', () => {
  it('lists models', async () => {
    const models = await driver.listModels();
    expect(models.map((model) => model.modelId)).toContain('gpt-4o-mini');
    expect(models[0]).toMatchObject({ ownedBy: 'system', createdAt: expect.any(Number) });
    expect(server.lastRequest()).toMatchObject({ method: 'GET', path: '/v1/models' });
  });

  it('embeds inputs in order, deterministically', async () => {
    const first = await driver.doEmbed({ modelId: 'text-embedding-3-small', input: ['alpha', 'beta'], dimensions: 4 });
    const again = await driver.doEmbed({ modelId: 'text-embedding-3-small', input: ['beta'], dimensions: 4 });
    expect(first.embeddings).toHaveLength(2);
    expect(first.embeddings[0]).toHaveLength(4);
    expect(again.embeddings[0]).toEqual(first.embeddings[1]);
    expect(first.usage).toEqual({ inputTokens: 2, outputTokens: 0, totalTokens: 2 });
    expect(server.lastRequest()?.body).toMatchObject({ encoding_format: 'float', dimensions: 4 });
  });

  it('reports pool stats from the transport', async () => {
    const fresh = createOpenAIDriver({ baseURL: server.url, apiKey: API_KEY });
    expect(fresh.poolStats()).toEqual({ connected: 0, free: 0, pending: 0, queued: 0, running: 0, size: 0 });
    await fresh.doGenerate(call);
    await fresh.doGenerate(call);
    expect(fresh.poolStats()).toEqual({ connected: 1, free: 1, pending: 0, queued: 0, running: 0, size: 0 });
    await fresh.close();
    expect(fresh.poolStats().connected).toBe(0);
    expect(fresh.specificationVersion).toBe('v1');
    expect(fresh.provider).toBe('openai');
  });
});
