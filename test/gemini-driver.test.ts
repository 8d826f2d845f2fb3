import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { withRetry } from '../src/core/retry.js';
import { startGeminiMockServer, type GeminiMockServer } from '../src/mock-upstream/gemini-server.js';
import { createGeminiDriver, type GeminiDriver } from '../src/providers/gemini/gemini-driver.js';
import type { DriverCallOptions } from '../src/spec/driver.js';
import { collect, expectAbortWhileWaitingReleasesUpstream, expectBreakReleasesUpstream, failure, WEATHER_TOOLS as tools, contentParts } from './support/driver.js';

const API_KEY = 'AIza-switchyard-test-key-0123456789';
const call: DriverCallOptions = { modelId: 'gemini-2.5-flash', messages: [{ role: 'user', content: 'Hello mock world' }] };
const googleError = (code: number, message: string, status: string, details?: unknown[]) => ({ error: { code, message, status, ...(details ? { details } : {}) } });

let server: GeminiMockServer;
let driver: GeminiDriver;

beforeAll(async () => {
  server = await startGeminiMockServer({ apiKey: API_KEY });
  driver = createGeminiDriver({ baseURL: server.url, apiKey: API_KEY });
});
afterEach(() => {
  server.configure({ malformed: undefined, strictModels: false, modelsPageSize: undefined, streamChunkDelayMs: 0, reply: undefined });
  server.reset();
});
afterAll(async () => {
  await driver.close();
  await server.close();
});

describe('Gemini driver: generate', () => {
  it('returns content, finish reason and usage, and sends the Gemini wire body with x-goog-api-key', async () => {
    const result = await driver.doGenerate({
      ...call,
      messages: [{ role: 'system', content: 'be brief' }, ...call.messages],
      maxTokens: 20,
      temperature: 0,
      topP: 0.5,
      seed: 3,
      stop: ['END'],
    });
    expect(result).toEqual({
      id: expect.stringMatching(/^mock-gemini-/),
      modelId: 'gemini-2.5-flash',
      content: 'Hello mock world',
      toolCalls: [],
      finishReason: 'stop',
      usage: { inputTokens: 13, outputTokens: 3, totalTokens: 16 },
    });
    const sent = server.lastRequest();
    expect(sent?.path).toBe('/v1beta/models/gemini-2.5-flash:generateContent');
    expect(sent?.headers['x-goog-api-key']).toBe(API_KEY);
    expect(sent?.headers.authorization).toBeUndefined();
    expect(sent?.body).toEqual({
      contents: [{ role: 'user', parts: [{ text: 'Hello mock world' }] }],
      systemInstruction: { parts: [{ text: 'be brief' }] },
      generationConfig: { temperature: 0, topP: 0.5, maxOutputTokens: 20, seed: 3, stopSequences: ['END'] },
    });
  });

  it('returns a function call with a synthesized id when tools are given and the text asks for [tool]', async () => {
    const result = await driver.doGenerate({ ...call, messages: [{ role: 'user', content: 'weather in Paris [tool]' }], tools });
    expect(result.finishReason).toBe('tool-calls');
    expect(result.content).toBe('');
    expect(result.toolCalls).toEqual([{ id: 'call_0', name: 'get_weather', arguments: JSON.stringify({ input: 'weather in Paris [tool]' }) }]);
    expect(server.lastRequest()?.body).toMatchObject({
      tools: [{ functionDeclarations: [{ name: 'get_weather', description: 'Weather for a city', parameters: { type: 'object', properties: { input: { type: 'string' } } } }] }],
    });
  });

  it('maps toolChoice to functionCallingConfig: a named tool forces ANY with allowedFunctionNames', async () => {
    const both = [...tools, { name: 'get_time', parameters: { type: 'object', properties: { zone: { type: 'string' } } } }];
    const result = await driver.doGenerate({ ...call, tools: both, toolChoice: { name: 'get_time' } });
    expect(result.toolCalls.map((toolCall) => toolCall.name)).toEqual(['get_time']);
    expect(server.lastRequest()?.body).toMatchObject({ toolConfig: { functionCallingConfig: { mode: 'ANY', allowedFunctionNames: ['get_time'] } } });
    const none = await driver.doGenerate({ ...call, messages: [{ role: 'user', content: 'no calls [tool]' }], tools, toolChoice: 'none' });
    expect(none).toMatchObject({ finishReason: 'stop', toolCalls: [], content: 'no calls [tool]' });
  });

  it('sends a tool loop back as functionCall and functionResponse parts named after the call', async () => {
    const result = await driver.doGenerate({
      ...call,
      tools,
      messages: [
        { role: 'user', content: 'weather in Paris [tool]' },
        { role: 'assistant', content: null, toolCalls: [{ id: 'call_0', name: 'get_weather', arguments: '{"input":"Paris"}' }] },
        { role: 'tool', toolCallId: 'call_0', content: '{"celsius":21}' },
      ],
    });
    expect(result).toMatchObject({ finishReason: 'stop', content: 'The get_weather tool returned {"celsius":21}' });
    expect((server.lastRequest()?.body as { contents: unknown[] }).contents.slice(1)).toEqual([
      { role: 'model', parts: [{ functionCall: { name: 'get_weather', args: { input: 'Paris' } }, thoughtSignature: 'skip_thought_signature_validator' }] },
      { role: 'user', parts: [{ functionResponse: { name: 'get_weather', response: { celsius: 21 } } }] },
    ]);
  });

  it('keeps a thinking model\'s thought signature on its function call and sends it back with the call, streamed or not', async () => {
    const thinking = { ...call, tools, reasoning: { effort: 'low' as const } };
    const question = { role: 'user' as const, content: 'weather in Paris [tool]' };
    const generated = await driver.doGenerate({ ...thinking, messages: [question] });
    const signature = Buffer.from('mock-call:get_weather').toString('base64');
    expect(generated.toolCalls).toEqual([{ id: 'call_0', name: 'get_weather', arguments: JSON.stringify({ input: 'weather in Paris [tool]' }), signature }]);
    const parts = await collect(driver.doStream({ ...thinking, messages: [question] }));
    const finish = parts.find((part) => part.type === 'finish');
    expect(finish?.type === 'finish' && finish.toolCalls).toEqual(generated.toolCalls);
    // The next turn replays the call with Gemini's own signature, not the stand-in.
    await driver.doGenerate({ ...thinking, messages: [question, { role: 'assistant', content: null, toolCalls: generated.toolCalls }, { role: 'tool', toolCallId: 'call_0', content: '{"celsius":21}' }] });
    expect((server.lastRequest()?.body as { contents: unknown[] }).contents[1]).toEqual({
      role: 'model',
      parts: [{ functionCall: { name: 'get_weather', args: { input: 'weather in Paris [tool]' } }, thoughtSignature: signature }],
    });
  });

  it('reports MAX_TOKENS as length, and refuses settings Gemini cannot honour before any request', async () => {
    const result = await driver.doGenerate({
      ...call,
      messages: [{ role: 'user', content: 'one two three four five six' }],
      maxTokens: 2,
      stop: ['a', 'b', 'c', 'd', 'e'],
    });
    expect(result).toMatchObject({ content: 'one two', finishReason: 'length' });
    expect(result.warnings).toBeUndefined();
    expect(server.lastRequest()?.body).toMatchObject({ generationConfig: { stopSequences: ['a', 'b', 'c', 'd', 'e'] } });
    const before = server.stats.requests;
    const refused: Array<[Partial<DriverCallOptions>, string]> = [
      [{ user: 'user-1' }, 'user'],
      [{ stop: ['a', 'b', 'c', 'd', 'e', 'f'] }, 'stop'],
    ];
    for (const [settings, field] of refused) {
      const error = await failure(() => driver.doGenerate({ ...call, ...settings }));
      expect(error).toMatchObject({ code: 'unsupported', status: 400, provider: 'gemini', param: field });
    }
    expect(server.stats.requests).toBe(before);
  });

  it('asks for JSON with a converted responseSchema', async () => {
    const schema = { $schema: 'https://json-schema.org/draft/2020-12/schema', type: 'object', properties: { text: { type: ['string', 'null'] } }, additionalProperties: false };
    const result = await driver.doGenerate({ ...call, responseFormat: { type: 'json_schema', name: 'answer', schema } });
    expect(JSON.parse(result.content)).toEqual({ text: 'Hello mock world' });
    expect(server.lastRequest()?.body).toMatchObject({
      generationConfig: { responseMimeType: 'application/json', responseSchema: { type: 'object', properties: { text: { type: 'string', nullable: true } } } },
    });
  });
});

describe('Gemini driver: stream', () => {
  it('yields text deltas from SSE, then exactly one finish part with usage', async () => {
    const parts = await collect(driver.doStream(call));
    const text = parts.flatMap((part) => (part.type === 'text-delta' ? [part.text] : [])).join('');
    expect(text).toBe('Hello mock world');
    expect(parts.filter((part) => part.type === 'text-delta').length).toBe(3);
    expect(parts.filter((part) => part.type === 'finish')).toHaveLength(1);
    expect(parts.at(-1)).toEqual({
      type: 'finish',
      finishReason: 'stop',
      usage: { inputTokens: 8, outputTokens: 3, totalTokens: 11 },
      id: expect.stringMatching(/^mock-gemini-/),
      toolCalls: [],
    });
    expect(server.lastRequest()).toMatchObject({ path: '/v1beta/models/gemini-2.5-flash:streamGenerateContent', query: { alt: 'sse' } });
  });

  it('yields a tool-call delta with a stable id and name, assembled in the finish part', async () => {
    const parts = await collect(driver.doStream({ ...call, messages: [{ role: 'user', content: 'look it up' }], tools, toolChoice: 'required' }));
    const deltas = parts.filter((part) => part.type === 'tool-call-delta');
    expect(deltas).toEqual([
      { type: 'tool-call-delta', index: 0, id: 'call_0', name: 'get_weather', argumentsDelta: '{"input":"look it up"}' },
    ]);
    expect(parts.at(-1)).toMatchObject({
      type: 'finish',
      finishReason: 'tool-calls',
      toolCalls: [{ id: 'call_0', name: 'get_weather', arguments: '{"input":"look it up"}' }],
    });
  });

  it('throws status errors from the first next(), before any part', async () => {
    server.enqueue({ status: 503, body: googleError(503, 'The model is overloaded. Please try again later.', 'UNAVAILABLE') });
    const iterator = contentParts(driver.doStream(call));
    const error = await failure(() => iterator.next());
    expect(error).toMatchObject({ code: 'upstream_unavailable', status: 503, isRetryable: true, provider: 'gemini' });
    expect(error.message).toBe('gemini returned 503: The model is overloaded. Please try again later.');
  });

  it('turns an error event inside a 200 stream into a SwitchyardError', async () => {
    server.enqueue({
      status: 200,
      headers: { 'content-type': 'text/event-stream' },
      body: `data: ${JSON.stringify(googleError(429, 'quota exhausted mid-stream', 'RESOURCE_EXHAUSTED'))}\r\n\r\n`,
    });
    const error = await failure(() => collect(driver.doStream(call)));
    expect(error).toMatchObject({ code: 'rate_limited', isRetryable: true });
    expect(error.message).toContain('quota exhausted mid-stream');
  });

  it('a stream cut off before any finish reason is invalid_response', async () => {
    server.enqueue({
      status: 200,
      headers: { 'content-type': 'text/event-stream' },
      body: 'data: {"candidates":[{"content":{"parts":[{"text":"Hel"}],"role":"model"},"index":0}]}\r\n\r\n',
    });
    const iterator = contentParts(driver.doStream(call));
    expect((await iterator.next()).value).toEqual({ type: 'text-delta', text: 'Hel' });
    const error = await failure(() => iterator.next());
    expect(error.code).toBe('invalid_response');
    expect(error.message).toContain('ended before a finish reason');
  });

  it('a prompt blocked before any candidate finishes with content-filter', async () => {
    server.enqueue({
      status: 200,
      headers: { 'content-type': 'text/event-stream' },
      body: 'data: {"promptFeedback":{"blockReason":"SAFETY"},"usageMetadata":{"promptTokenCount":4,"totalTokenCount":4}}\r\n\r\n',
    });
    const parts = await collect(driver.doStream(call));
    expect(parts).toEqual([{ type: 'finish', finishReason: 'content-filter', usage: { inputTokens: 4, outputTokens: 0, totalTokens: 4 }, toolCalls: [] }]);
  });

  it('an AbortSignal while waiting for an event ends the stream with aborted and closes the upstream', async () => {
    server.configure({ reply: 'slow words arrive one by one', streamChunkDelayMs: 300 });
    await expectAbortWhileWaitingReleasesUpstream(driver, server, call, 'slow ');
  });

  it('break mid-stream closes the upstream request within a second', async () => {
    server.configure({ reply: Array.from({ length: 200 }, (_, index) => `word${index}`).join(' '), streamChunkDelayMs: 20 });
    await expectBreakReleasesUpstream(driver, server, call);
  });
});

describe('Gemini driver: malformed upstream data', () => {
  it('malformed JSON is invalid_response with a clear message', async () => {
    server.configure({ malformed: 'json' });
    const error = await failure(() => driver.doGenerate(call));
    expect(error).toMatchObject({ code: 'invalid_response', provider: 'gemini' });
    expect(error.message).toMatch(/^Invalid JSON in gemini generate content response: /);
  });

  it('malformed SSE data is invalid_response with a clear message', async () => {
    server.configure({ malformed: 'sse' });
    const error = await failure(() => collect(driver.doStream(call)));
    expect(error.code).toBe('invalid_response');
    expect(error.message).toMatch(/^Invalid JSON in gemini content stream event: /);
  });

  it('valid JSON of the wrong shape is invalid_response naming the field', async () => {
    server.enqueue({ status: 200, body: { candidates: [{ content: { parts: [{ text: 42 }] } }] } });
    const error = await failure(() => driver.doGenerate(call));
    expect(error.code).toBe('invalid_response');
    expect(error.message).toContain('Unexpected gemini generate content shape: candidates.0.content.parts.0.text');
  });
});

describe('Gemini driver: errors and keys', () => {
  it.each([
    [400, 'INVALID_ARGUMENT', 'invalid_request', false],
    [401, 'UNAUTHENTICATED', 'authentication_failed', false],
    [403, 'PERMISSION_DENIED', 'permission_denied', false],
    [500, 'INTERNAL', 'upstream_error', true],
    [503, 'UNAVAILABLE', 'upstream_unavailable', true],
  ] as const)('maps %i %s to %s (retryable %s)', async (status, name, expected, retryable) => {
    server.enqueue({ status, body: googleError(status, `status ${status}`, name) });
    const error = await failure(() => driver.doGenerate(call));
    expect(error).toMatchObject({ code: expected, status, isRetryable: retryable });
    expect(error.message).toBe(`gemini returned ${status}: status ${status}`);
  });

  it('429 RESOURCE_EXHAUSTED is retryable, waiting retry-after (or RetryInfo) before succeeding', async () => {
    server.enqueue(
      { status: 429, headers: { 'retry-after': '2' }, body: googleError(429, 'slow down', 'RESOURCE_EXHAUSTED') },
      { status: 429, body: googleError(429, 'quota', 'RESOURCE_EXHAUSTED', [{ '@type': 'type.googleapis.com/google.rpc.RetryInfo', retryDelay: '1.5s' }]) },
    );
    const delays: number[] = [];
    const result = await withRetry(() => driver.doGenerate(call), { maxRetries: 3, sleep: async (ms) => void delays.push(ms) });
    expect(result.content).toBe('Hello mock world');
    expect(delays).toEqual([2000, 1500]);
    expect(server.stats.requests).toBe(3);
  });

  it('an unknown model is model_not_found (404)', async () => {
    server.configure({ strictModels: true });
    const error = await failure(() => driver.doGenerate({ ...call, modelId: 'gemini-0-nope' }));
    expect(error).toMatchObject({ code: 'model_not_found', status: 404, isRetryable: false });
    expect(error.message).toContain('models/gemini-0-nope is not found');
  });

  it('a wrong key (Google answers 400 API_KEY_INVALID) is authentication_failed and never shown', async () => {
    const wrongKey = 'AIza-wrong-key-9876543210';
    const other = createGeminiDriver({ baseURL: server.url, apiKey: wrongKey });
    try {
      const error = await failure(() => other.doGenerate(call));
      expect(error).toMatchObject({ code: 'authentication_failed', status: 400, isRetryable: false });
      expect(JSON.stringify({ message: error.message, stack: error.stack })).not.toContain(wrongKey);
    } finally {
      await other.close();
    }
  });

  it('reads the key at request time from GEMINI_API_KEY; no key at all fails before any request', async () => {
    const fromEnv = createGeminiDriver({ baseURL: server.url, env: { GEMINI_API_KEY: API_KEY } });
    const missing = createGeminiDriver({ baseURL: server.url, env: {} });
    try {
      await expect(fromEnv.doGenerate(call)).resolves.toMatchObject({ content: 'Hello mock world' });
      const before = server.stats.requests;
      const error = await failure(() => missing.doGenerate(call));
      expect(error).toMatchObject({ code: 'authentication_failed', provider: 'gemini' });
      expect(error.message).toContain('GEMINI_API_KEY');
      expect(server.stats.requests).toBe(before);
    } finally {
      await fromEnv.close();
      await missing.close();
    }
  });

  it('without a key header the mock answers 403, mapped to permission_denied', async () => {
    const keyless = createGeminiDriver({ baseURL: server.url, requireApiKey: false, env: {} });
    try {
      await expect(keyless.doGenerate(call)).rejects.toMatchObject({ code: 'permission_denied', status: 403 });
    } finally {
      await keyless.close();
    }
  });

  it('rejects a bad baseURL at creation', () => {
    expect(() => createGeminiDriver({ baseURL: 'generativelanguage.googleapis.com' })).toThrow(/baseURL must be an http\(s\) URL/);
  });
});

describe('Gemini driver: models and embeddings', () => {
  it('lists every model across pages', async () => {
    server.configure({ modelsPageSize: 3, models: ['gemini-2.5-flash', 'gemini-2.5-pro', 'gemini-2.5-flash-lite', 'gemini-embedding-001', 'gemini-3-pro-preview'] });
    try {
      const models = await driver.listModels();
      expect(models.map((model) => model.modelId)).toEqual(['gemini-2.5-flash', 'gemini-2.5-pro', 'gemini-2.5-flash-lite', 'gemini-embedding-001', 'gemini-3-pro-preview']);
      expect(models[0]).toEqual({ modelId: 'gemini-2.5-flash', name: 'Gemini 2.5 Flash', ownedBy: 'google', contextLength: 1_048_576 });
      expect(server.stats.requests).toBe(2);
      expect(server.lastRequest()).toMatchObject({ method: 'GET', path: '/v1beta/models', query: { pageSize: '1000', pageToken: 'page-3' } });
    } finally {
      server.configure({ models: undefined });
    }
  });

  it('embeds inputs in order with batchEmbedContents, deterministically', async () => {
    const first = await driver.doEmbed({ modelId: 'gemini-embedding-001', input: ['alpha', 'beta'], dimensions: 4 });
    const again = await driver.doEmbed({ modelId: 'gemini-embedding-001', input: ['beta'], dimensions: 4 });
    expect(first.embeddings).toHaveLength(2);
    expect(first.embeddings[0]).toHaveLength(4);
    expect(again.embeddings[0]).toEqual(first.embeddings[1]);
    expect(server.lastRequest()).toMatchObject({
      path: '/v1beta/models/gemini-embedding-001:batchEmbedContents',
      body: { requests: [{ model: 'models/gemini-embedding-001', content: { parts: [{ text: 'beta' }] }, outputDimensionality: 4 }] },
    });
  });

  it('splits more than 100 inputs into batches of 100, keeping order', async () => {
    const input = Array.from({ length: 150 }, (_, index) => `text ${index}`);
    const result = await driver.doEmbed({ modelId: 'gemini-embedding-001', input, dimensions: 3 });
    const last = await driver.doEmbed({ modelId: 'gemini-embedding-001', input: ['text 149'], dimensions: 3 });
    expect(result.embeddings).toHaveLength(150);
    expect(result.embeddings[149]).toEqual(last.embeddings[0]);
    expect(server.stats.requests).toBe(3);
  });

  it('reports pool stats and reuses one connection', async () => {
    const fresh = createGeminiDriver({ baseURL: server.url, apiKey: API_KEY });
    expect(fresh.poolStats().connected).toBe(0);
    await fresh.doGenerate(call);
    await collect(fresh.doStream(call));
    await fresh.doGenerate(call);
    expect(fresh.poolStats()).toMatchObject({ connected: 1, free: 1 });
    expect(server.stats.connectionsOpened).toBe(1);
    await fresh.close();
    expect(fresh.poolStats().connected).toBe(0);
    expect(fresh).toMatchObject({ specificationVersion: 'v1', provider: 'gemini' });
  });
});

