import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { withRetry } from '../src/core/retry.js';
import { startOllamaMockServer, type OllamaMockServer } from '../src/mock-upstream/ollama-server.js';
import { createOllamaDriver, type OllamaDriver } from '../src/providers/ollama/ollama-driver.js';
import type { DriverCallOptions } from '../src/spec/driver.js';
import { collect, expectAbortWhileWaitingReleasesUpstream, expectBreakReleasesUpstream, failure, WEATHER_TOOLS as tools, contentParts } from './support/driver.js';

const call: DriverCallOptions = { modelId: 'llama3.2', messages: [{ role: 'user', content: 'Hello mock world' }] };

let server: OllamaMockServer;
let driver: OllamaDriver;

beforeAll(async () => {
  server = await startOllamaMockServer();
  driver = createOllamaDriver({ baseURL: server.url });
});
afterEach(() => {
  server.configure({ malformed: undefined, strictModels: false, streamChunkDelayMs: 0, reply: undefined });
  server.reset();
});
afterAll(async () => {
  await driver.close();
  await server.close();
});

describe('Ollama driver: generate', () => {
  it('returns content, finish reason and usage from one JSON answer, and sends the Ollama wire body', async () => {
    const result = await driver.doGenerate({ ...call, maxTokens: 20, temperature: 0, topP: 0.9, seed: 5, stop: ['END'], requestId: 'req-1' });
    expect(result).toEqual({
      id: 'req-1',
      modelId: 'llama3.2',
      content: 'Hello mock world',
      toolCalls: [],
      finishReason: 'stop',
      usage: { inputTokens: 8, outputTokens: 3, totalTokens: 11 },
    });
    expect(server.lastRequest()).toMatchObject({ method: 'POST', path: '/api/chat' });
    expect(server.lastRequest()?.headers.authorization).toBeUndefined();
    expect(server.lastRequest()?.body).toEqual({
      model: 'llama3.2',
      messages: [{ role: 'user', content: 'Hello mock world' }],
      stream: false,
      options: { temperature: 0, top_p: 0.9, num_predict: 20, stop: ['END'], seed: 5 },
    });
  });

  it('returns tool calls with object arguments stringified and a synthesized id', async () => {
    const result = await driver.doGenerate({ ...call, messages: [{ role: 'user', content: 'weather in Oslo [tool]' }], tools });
    expect(result.finishReason).toBe('tool-calls');
    expect(result.content).toBe('');
    expect(result.toolCalls).toEqual([{ id: 'call_0', name: 'get_weather', arguments: JSON.stringify({ input: 'weather in Oslo [tool]' }) }]);
    expect(server.lastRequest()?.body).toMatchObject({
      tools: [{ type: 'function', function: { name: 'get_weather', description: 'Weather for a city', parameters: tools[0].parameters } }],
    });
  });

  it('sends a tool loop back with object arguments and tool_name', async () => {
    const result = await driver.doGenerate({
      ...call,
      tools,
      messages: [
        { role: 'user', content: 'weather in Oslo [tool]' },
        { role: 'assistant', content: null, toolCalls: [{ id: 'call_0', name: 'get_weather', arguments: '{"input":"Oslo"}' }] },
        { role: 'tool', toolCallId: 'call_0', content: '{"celsius":4}' },
      ],
    });
    expect(result).toMatchObject({ finishReason: 'stop', content: 'The get_weather tool returned {"celsius":4}' });
    expect((server.lastRequest()?.body as { messages: unknown[] }).messages.slice(1)).toEqual([
      { role: 'assistant', content: '', tool_calls: [{ function: { name: 'get_weather', arguments: { input: 'Oslo' } } }] },
      { role: 'tool', content: '{"celsius":4}', tool_name: 'get_weather' },
    ]);
  });

  it('maps num_predict cut-offs to length, json_schema to format, a forced tool choice to a warning, and refuses user', async () => {
    const schema = { type: 'object', properties: { text: { type: 'string' } } };
    const result = await driver.doGenerate({
      ...call,
      messages: [{ role: 'user', content: 'one two three four' }],
      responseFormat: { type: 'json_schema', schema },
      maxTokens: 1,
      tools,
      toolChoice: 'required',
    });
    expect(result).toMatchObject({ content: '{"text":"one', finishReason: 'length' });
    expect(result.warnings?.map((warning) => warning.setting)).toEqual(['toolChoice']);
    expect(server.lastRequest()?.body).toMatchObject({ format: schema });
    const before = server.stats.requests;
    const error = await failure(() => driver.doGenerate({ ...call, user: 'user-1' }));
    expect(error).toMatchObject({ code: 'unsupported', status: 400, provider: 'ollama', param: 'user' });
    expect(server.stats.requests).toBe(before);
  });
});

describe('Ollama driver: stream', () => {
  it('yields text deltas from NDJSON, then exactly one finish part with counts from the done line', async () => {
    const parts = await collect(driver.doStream(call));
    const text = parts.flatMap((part) => (part.type === 'text-delta' ? [part.text] : [])).join('');
    expect(text).toBe('Hello mock world');
    expect(parts.filter((part) => part.type === 'text-delta')).toHaveLength(3);
    expect(parts.filter((part) => part.type === 'finish')).toHaveLength(1);
    expect(parts.at(-1)).toEqual({ type: 'finish', finishReason: 'stop', usage: { inputTokens: 8, outputTokens: 3, totalTokens: 11 }, toolCalls: [] });
    expect(server.lastRequest()?.body).toMatchObject({ stream: true });
  });

  it('yields a whole tool call as one delta, assembled in the finish part', async () => {
    const parts = await collect(driver.doStream({ ...call, messages: [{ role: 'user', content: 'look it up [tool]' }], tools }));
    expect(parts.filter((part) => part.type === 'tool-call-delta')).toEqual([
      { type: 'tool-call-delta', index: 0, id: 'call_0', name: 'get_weather', argumentsDelta: '{"input":"look it up [tool]"}' },
    ]);
    expect(parts.at(-1)).toMatchObject({
      type: 'finish',
      finishReason: 'tool-calls',
      toolCalls: [{ id: 'call_0', name: 'get_weather', arguments: '{"input":"look it up [tool]"}' }],
    });
  });

  it('throws status errors from the first next(), before any part', async () => {
    server.enqueue({ status: 503, body: { error: 'server busy, please try again.  maximum pending requests exceeded' } });
    const iterator = contentParts(driver.doStream(call));
    const error = await failure(() => iterator.next());
    expect(error).toMatchObject({ code: 'upstream_unavailable', status: 503, isRetryable: true, provider: 'ollama' });
    expect(error.message).toBe('ollama returned 503: server busy, please try again.  maximum pending requests exceeded');
  });

  it('turns an error line inside a 200 stream into a retryable upstream_error', async () => {
    server.enqueue({
      status: 200,
      headers: { 'content-type': 'application/x-ndjson' },
      body: '{"model":"llama3.2","created_at":"2024-01-01T00:00:00Z","message":{"role":"assistant","content":"Hi"},"done":false}\n{"error":"an error was encountered while running the model: unexpected EOF"}\n',
    });
    const iterator = contentParts(driver.doStream(call));
    expect((await iterator.next()).value).toEqual({ type: 'text-delta', text: 'Hi' });
    const error = await failure(() => iterator.next());
    expect(error).toMatchObject({ code: 'upstream_error', isRetryable: true });
    expect(error.message).toContain('unexpected EOF');
  });

  it('a stream cut off before its done line is invalid_response', async () => {
    server.enqueue({
      status: 200,
      headers: { 'content-type': 'application/x-ndjson' },
      body: '{"model":"llama3.2","message":{"role":"assistant","content":"Hel"},"done":false}\n',
    });
    const error = await failure(() => collect(driver.doStream(call)));
    expect(error).toMatchObject({ code: 'invalid_response', isRetryable: true });
    expect(error.message).toContain('ended before its done line');
  });

  it('an AbortSignal while waiting for a line ends the stream with aborted and closes the upstream', async () => {
    server.configure({ reply: 'slow words arrive one by one', streamChunkDelayMs: 300 });
    await expectAbortWhileWaitingReleasesUpstream(driver, server, call, 'slow ');
  });

  it('break mid-stream closes the upstream request within a second', async () => {
    server.configure({ reply: Array.from({ length: 200 }, (_, index) => `word${index}`).join(' '), streamChunkDelayMs: 20 });
    await expectBreakReleasesUpstream(driver, server, call);
  });
});

describe('Ollama driver: malformed upstream data', () => {
  it('malformed JSON is invalid_response with a clear message', async () => {
    server.configure({ malformed: 'json' });
    const error = await failure(() => driver.doGenerate(call));
    expect(error).toMatchObject({ code: 'invalid_response', provider: 'ollama' });
    expect(error.message).toMatch(/^Invalid JSON in ollama chat response: /);
  });

  it('a malformed NDJSON line is invalid_response with a clear message', async () => {
    server.configure({ malformed: 'ndjson' });
    const error = await failure(() => collect(driver.doStream(call)));
    expect(error.code).toBe('invalid_response');
    expect(error.message).toMatch(/^Invalid JSON in ollama chat stream line: /);
  });

  it('valid JSON of the wrong shape is invalid_response naming the field', async () => {
    server.enqueue({ status: 200, body: { model: 'llama3.2', message: { content: 7 }, done: true } });
    const error = await failure(() => driver.doGenerate(call));
    expect(error.message).toContain('Unexpected ollama chat shape: message.content');
  });
});

describe('Ollama driver: errors', () => {
  it.each([
    [400, 'invalid_request', false],
    [401, 'authentication_failed', false],
    [403, 'permission_denied', false],
    [500, 'upstream_error', true],
    [503, 'upstream_unavailable', true],
  ] as const)('maps %i to %s (retryable %s)', async (status, expected, retryable) => {
    server.enqueue({ status, body: { error: `status ${status}` } });
    const error = await failure(() => driver.doGenerate(call));
    expect(error).toMatchObject({ code: expected, status, isRetryable: retryable });
    expect(error.message).toBe(`ollama returned ${status}: status ${status}`);
  });

  it('a model that is not pulled is model_not_found (404)', async () => {
    server.configure({ strictModels: true });
    const error = await failure(() => driver.doGenerate({ ...call, modelId: 'mistral' }));
    expect(error).toMatchObject({ code: 'model_not_found', status: 404, isRetryable: false });
    expect(error.message).toBe('ollama returned 404: model "mistral" not found, try pulling it first');
    await expect(driver.doGenerate({ ...call, modelId: 'llama3.2:latest' })).resolves.toMatchObject({ finishReason: 'stop' });
  });

  it('429 with retry-after is retryable after the advised wait', async () => {
    server.enqueue({ status: 429, headers: { 'retry-after': '3' }, body: { error: 'too many requests' } });
    const delays: number[] = [];
    const result = await withRetry(() => driver.doGenerate(call), { maxRetries: 2, sleep: async (ms) => void delays.push(ms) });
    expect(result.content).toBe('Hello mock world');
    expect(delays).toEqual([3000]);
  });

  it('sends configured headers (a proxy key) and keeps their values out of error messages', async () => {
    const token = 'proxy-secret-token-123456';
    const proxied = createOllamaDriver({ baseURL: `${server.url}/api/`, headers: { authorization: `Bearer ${token}` } });
    server.configure({ apiKey: 'something-else-entirely' });
    try {
      server.enqueue({ status: 502, body: `bad gateway for ${token}` });
      const error = await failure(() => proxied.doGenerate(call));
      expect(error.message).not.toContain(token);
      expect(server.lastRequest()?.headers.authorization).toBe(`Bearer ${token}`);
      await expect(proxied.doGenerate(call)).rejects.toMatchObject({ code: 'authentication_failed', status: 401 });
    } finally {
      server.configure({ apiKey: undefined });
      await proxied.close();
    }
  });

  it('rejects a bad baseURL at creation', () => {
    expect(() => createOllamaDriver({ baseURL: 'localhost:11434' })).toThrow(/baseURL must be an http\(s\) URL/);
  });
});

describe('Ollama driver: models and embeddings', () => {
  it('lists models from /api/tags, without the implicit :latest tag', async () => {
    server.configure({ models: ['llama3.2', 'qwen2.5:7b', 'nomic-embed-text'] });
    try {
      const models = await driver.listModels();
      expect(models.map((model) => model.modelId)).toEqual(['llama3.2', 'qwen2.5:7b', 'nomic-embed-text']);
      expect(models[0]).toEqual({ modelId: 'llama3.2', name: 'llama3.2:latest', ownedBy: 'ollama', createdAt: 1_727_784_000 });
    } finally {
      server.configure({ models: undefined });
    }
    expect(server.lastRequest()).toMatchObject({ method: 'GET', path: '/api/tags' });
  });

  it('embeds inputs in order with /api/embed, deterministically, with prompt_eval_count as usage', async () => {
    const first = await driver.doEmbed({ modelId: 'nomic-embed-text', input: ['alpha beta', 'gamma'], dimensions: 4 });
    const again = await driver.doEmbed({ modelId: 'nomic-embed-text', input: ['gamma'], dimensions: 4 });
    expect(first.embeddings).toHaveLength(2);
    expect(first.embeddings[0]).toHaveLength(4);
    expect(again.embeddings[0]).toEqual(first.embeddings[1]);
    expect(first.usage).toEqual({ inputTokens: 3, outputTokens: 0, totalTokens: 3 });
    expect(server.lastRequest()).toMatchObject({ path: '/api/embed', body: { model: 'nomic-embed-text', input: ['gamma'], dimensions: 4 } });
  });

  it('reuses one pooled connection across calls and streams', async () => {
    const fresh = createOllamaDriver({ baseURL: server.url });
    await fresh.doGenerate(call);
    await collect(fresh.doStream(call));
    await fresh.doGenerate(call);
    expect(fresh.poolStats()).toMatchObject({ connected: 1, free: 1 });
    expect(server.stats.connectionsOpened).toBe(1);
    await fresh.close();
    expect(fresh).toMatchObject({ specificationVersion: 'v1', provider: 'ollama' });
  });
});

