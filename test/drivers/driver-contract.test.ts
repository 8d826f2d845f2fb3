import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startAnthropicMockServer } from '../../src/mock-upstream/anthropic-server.js';
import { startGeminiMockServer } from '../../src/mock-upstream/gemini-server.js';
import type { MockServerStats } from '../../src/mock-upstream/mock-http.js';
import { startOllamaMockServer } from '../../src/mock-upstream/ollama-server.js';
import { startOpenAIMockServer } from '../../src/mock-upstream/openai-server.js';
import { createAnthropicDriver } from '../../src/providers/anthropic/anthropic-driver.js';
import { createGeminiDriver } from '../../src/providers/gemini/gemini-driver.js';
import { createOllamaDriver } from '../../src/providers/ollama/ollama-driver.js';
import { createOpenAIDriver } from '../../src/providers/openai/openai-driver.js';
import type { DriverCallOptions, DriverV1 } from '../../src/spec/driver.js';
import type { StreamPart } from '../../src/spec/stream.js';
import { collect, expectBreakReleasesUpstream, failure } from '../support/driver.js';

/*
 * The driver contract, run over every HTTP driver against its fake upstream
 * (as Kysely runs each test over all DIALECTS). What the skeleton in
 * src/core/chat-codec.ts promises holds for each codec alike: the same
 * headers, one finish part last, status errors mapped before any part,
 * in-stream error events mapped, a cut-off stream a retryable
 * invalid_response, and a stream left early releasing its socket.
 */

interface ScriptableServer {
  url: string;
  stats: MockServerStats;
  lastRequest(): { headers: Record<string, string | string[] | undefined> } | undefined;
  enqueue(...scripts: Array<{ status?: number; headers?: Record<string, string>; body?: unknown }>): void;
  configure(options: { reply?: string; streamChunkDelayMs?: number }): void;
  reset(): void;
  close(): Promise<void>;
}

interface DriverCase {
  name: string;
  modelId: string;
  start(): Promise<{ server: ScriptableServer; driver: DriverV1 & { close(): Promise<void> } }>;
  /** A 2xx stream body in the provider's framing that stops before its closing event. */
  truncatedStream: string;
  /** A 2xx stream body whose first event is the provider's in-stream error. */
  errorEventStream: string;
  contentType: string;
}

const KEY = 'sk-contract-key-0123456789';
const SSE = 'text/event-stream';

const DRIVERS: DriverCase[] = [
  {
    name: 'openai',
    modelId: 'gpt-4o-mini',
    async start() {
      const server = await startOpenAIMockServer({ apiKey: KEY });
      return { server, driver: createOpenAIDriver({ baseURL: server.url, apiKey: KEY, headers: { 'x-contract': 'yes' } }) };
    },
    truncatedStream: 'data: {"id":"c1","object":"chat.completion.chunk","choices":[{"index":0,"delta":{"content":"Hi"}}]}\n\n',
    errorEventStream: 'data: {"error":{"message":"overloaded","type":"server_error"}}\n\n',
    contentType: SSE,
  },
  {
    name: 'anthropic',
    modelId: 'claude-haiku-4-5',
    async start() {
      const server = await startAnthropicMockServer({ apiKey: KEY });
      return { server, driver: createAnthropicDriver({ baseURL: server.url, apiKey: KEY, headers: { 'x-contract': 'yes' } }) };
    },
    truncatedStream:
      'event: message_start\ndata: {"type":"message_start","message":{"id":"msg_1","usage":{"input_tokens":3,"output_tokens":0}}}\n\n' +
      'event: content_block_delta\ndata: {"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"Hi"}}\n\n',
    errorEventStream: 'event: error\ndata: {"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}\n\n',
    contentType: SSE,
  },
  {
    name: 'gemini',
    modelId: 'gemini-2.5-flash',
    async start() {
      const server = await startGeminiMockServer({ apiKey: KEY });
      return { server, driver: createGeminiDriver({ baseURL: server.url, apiKey: KEY, headers: { 'x-contract': 'yes' } }) };
    },
    truncatedStream: 'data: {"candidates":[{"content":{"role":"model","parts":[{"text":"Hi"}]},"index":0}]}\n\n',
    errorEventStream: 'data: {"error":{"code":503,"message":"overloaded","status":"UNAVAILABLE"}}\n\n',
    contentType: SSE,
  },
  {
    name: 'ollama',
    modelId: 'llama3.2',
    async start() {
      const server = await startOllamaMockServer();
      return { server, driver: createOllamaDriver({ baseURL: server.url, headers: { 'x-contract': 'yes' } }) };
    },
    truncatedStream: '{"model":"llama3.2","message":{"role":"assistant","content":"Hi"},"done":false}\n',
    errorEventStream: '{"error":"the runner crashed"}\n',
    contentType: 'application/x-ndjson',
  },
];

const LONG_REPLY = Array.from({ length: 300 }, (_, index) => `word${index}`).join(' ');

describe.each(DRIVERS)('driver contract: $name', (entry) => {
  let server: ScriptableServer;
  let driver: DriverV1 & { close(): Promise<void> };
  const call = (): DriverCallOptions => ({ modelId: entry.modelId, messages: [{ role: 'user', content: 'Hello contract' }], requestId: 'req-contract' });

  beforeAll(async () => {
    ({ server, driver } = await entry.start());
  });
  afterEach(() => {
    server.configure({ reply: undefined, streamChunkDelayMs: 0 });
    server.reset();
  });
  afterAll(async () => {
    await driver.close();
    await server.close();
  });

  it('generate: the answer, consistent usage, and the same headers as every driver', async () => {
    const result = await driver.doGenerate(call());
    expect(result.content).toBe('Hello contract');
    expect(result.finishReason).toBe('stop');
    expect(result.usage.totalTokens).toBe(result.usage.inputTokens + result.usage.outputTokens);
    const headers = server.lastRequest()!.headers;
    expect(headers['x-client-request-id']).toBe('req-contract');
    expect(headers['x-contract']).toBe('yes');
  });

  it('stream: a stream-start part first, deltas that join to the answer, then exactly one finish part, last', async () => {
    const all: StreamPart[] = [];
    for await (const part of driver.doStream(call())) all.push(part);
    expect(all[0]).toEqual({ type: 'stream-start' });
    expect(all.filter((part) => part.type === 'stream-start')).toHaveLength(1);
    const parts = all.slice(1);
    const text = parts.flatMap((part) => (part.type === 'text-delta' ? [part.text] : [])).join('');
    expect(text).toBe('Hello contract');
    expect(parts.filter((part) => part.type === 'finish')).toHaveLength(1);
    expect(parts.at(-1)).toMatchObject({ type: 'finish', finishReason: 'stop' });
    expect(server.lastRequest()!.headers['x-client-request-id']).toBe('req-contract');
  });

  it('a 429 is rate_limited, retryable, with the advised wait, on generate and before any stream part', async () => {
    const limited = { status: 429, headers: { 'retry-after': '2' }, body: { error: { message: 'slow down', type: 'rate_limit_error' } } };
    server.enqueue(limited, limited);
    for (const run of [() => driver.doGenerate(call()), () => driver.doStream(call())[Symbol.asyncIterator]().next()]) {
      const error = await failure(run);
      expect(error).toMatchObject({ code: 'rate_limited', status: 429, provider: entry.name, isRetryable: true, retryAfterMs: 2000 });
    }
  });

  it('an in-stream error event is the provider error, not a parse failure', async () => {
    server.enqueue({ status: 200, headers: { 'content-type': entry.contentType }, body: entry.errorEventStream });
    const error = await failure(() => collect(driver.doStream(call())));
    expect(error.provider).toBe(entry.name);
    expect(error.code).not.toBe('invalid_response');
    expect(error.isRetryable).toBe(true);
  });

  it('a stream cut off before its closing event is a retryable invalid_response', async () => {
    server.enqueue({ status: 200, headers: { 'content-type': entry.contentType }, body: entry.truncatedStream });
    const error = await failure(() => collect(driver.doStream(call())));
    expect(error).toMatchObject({ code: 'invalid_response', provider: entry.name, isRetryable: true });
    expect(error.message).toContain('ended before');
  });

  it('leaving a stream early releases the upstream, and the pool serves the next call', async () => {
    server.configure({ reply: LONG_REPLY, streamChunkDelayMs: 10 });
    await expectBreakReleasesUpstream(driver, server, { modelId: entry.modelId, messages: [{ role: 'user', content: 'a long one' }] });
  });
});
