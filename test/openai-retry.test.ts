import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { withRetry, type RetryOptions } from '../src/core/retry.js';
import { startOpenAIMockServer, type OpenAIMockServer } from '../src/mock-upstream/openai-server.js';
import { createOpenAIDriver, type OpenAIDriver } from '../src/providers/openai/openai-driver.js';
import type { DriverCallOptions } from '../src/spec/driver.js';
import type { StreamPart } from '../src/spec/stream.js';

const call: DriverCallOptions = { modelId: 'gpt-4o-mini', messages: [{ role: 'user', content: 'try again' }] };
const errorBody = (message: string, type: string, code: string | null = null) => ({ error: { message, type, code, param: null } });

let server: OpenAIMockServer;
let driver: OpenAIDriver;

beforeAll(async () => {
  server = await startOpenAIMockServer();
  driver = createOpenAIDriver({ baseURL: server.url, apiKey: 'sk-test' });
});
afterEach(() => {
  server.configure({ errorRate: 0 });
  server.reset();
});
afterAll(async () => {
  await driver.close();
  await server.close();
});

/** Retry options whose waits are recorded instead of slept. */
function recorded(options: Partial<RetryOptions> = {}): RetryOptions & { delays: number[] } {
  const delays: number[] = [];
  return { maxRetries: 3, random: () => 0.5, ...options, delays, sleep: async (ms: number) => void delays.push(ms) };
}

describe('withRetry over the OpenAI driver and the mock server', () => {
  it('429 with retry-after: waits the advised delay, then succeeds on the same connection', async () => {
    server.enqueue({ status: 429, headers: { 'retry-after': '2' }, body: errorBody('Rate limit reached', 'requests', 'rate_limit_exceeded') });
    const options = recorded();
    const result = await withRetry(() => driver.doGenerate(call), options);
    expect(result.content).toBe('try again');
    expect(options.delays).toEqual([2000]);
    expect(server.stats.requests).toBe(2);
    expect(server.stats.connectionsOpened).toBe(1);
  });

  it('retry-after-ms wins over retry-after, and maxDelayMs caps it', async () => {
    server.enqueue(
      { status: 429, headers: { 'retry-after-ms': '150', 'retry-after': '1' }, body: errorBody('slow down', 'requests') },
      { status: 429, headers: { 'retry-after': '120' }, body: errorBody('slow down', 'requests') },
    );
    const options = recorded({ maxDelayMs: 5000 });
    await withRetry(() => driver.doGenerate(call), options);
    expect(options.delays).toEqual([150, 5000]);
    expect(server.stats.requests).toBe(3);
  });

  it('500 then success: one backoff wait with full jitter', async () => {
    server.enqueue({ status: 500, body: errorBody('The server had an error', 'server_error') });
    const attempts: number[] = [];
    const options = recorded({ baseDelayMs: 400, onRetry: (info) => attempts.push(info.attempt) });
    const result = await withRetry(() => driver.doGenerate(call), options);
    expect(result.finishReason).toBe('stop');
    expect(options.delays).toEqual([200]);
    expect(attempts).toEqual([1]);
    expect(server.stats.requests).toBe(2);
  });

  it('400 is never retried', async () => {
    server.enqueue({ status: 400, body: errorBody("Invalid value for 'messages'", 'invalid_request_error') });
    const options = recorded();
    await expect(withRetry(() => driver.doGenerate(call), options)).rejects.toMatchObject({ code: 'invalid_request', status: 400 });
    expect(options.delays).toEqual([]);
    expect(server.stats.requests).toBe(1);
  });

  it.each([401, 403, 404])('%i is never retried', async (status) => {
    server.enqueue({ status, body: errorBody('no', 'invalid_request_error') });
    const options = recorded();
    await expect(withRetry(() => driver.doGenerate(call), options)).rejects.toMatchObject({ status });
    expect(server.stats.requests).toBe(1);
  });

  it('maxRetries 2 against a failing server makes exactly 3 requests', async () => {
    const failing = { status: 503, body: errorBody('Service unavailable', 'server_error') };
    server.enqueue(failing, failing, failing, failing, failing);
    const options = recorded({ maxRetries: 2 });
    await expect(withRetry(() => driver.doGenerate(call), options)).rejects.toMatchObject({ code: 'upstream_unavailable' });
    expect(server.stats.requests).toBe(3);
    expect(options.delays).toHaveLength(2);
  });

  it('a stream that fails before its first part can be retried as a whole', async () => {
    server.enqueue({ status: 502, body: errorBody('Bad gateway', 'server_error') });
    const options = recorded();
    const parts = await withRetry(async () => {
      const collected: StreamPart[] = [];
      for await (const part of driver.doStream(call)) collected.push(part);
      return collected;
    }, options);
    expect(parts.at(-1)).toMatchObject({ type: 'finish', finishReason: 'stop' });
    expect(server.stats.requests).toBe(2);
  });

  it('a seeded error rate is absorbed by retries, deterministically', async () => {
    server.configure({ errorRate: 0.3, seed: 42 });
    const options = recorded({ maxRetries: 8 });
    for (let index = 0; index < 20; index += 1) {
      await expect(withRetry(() => driver.doGenerate(call), options)).resolves.toMatchObject({ content: 'try again' });
    }
    expect(server.stats.requests).toBe(20 + options.delays.length);
    expect(options.delays.length).toBeGreaterThan(0);
  });

  it('an abort during the advised wait stops at once, without another request', async () => {
    server.enqueue({ status: 429, headers: { 'retry-after': '60' }, body: errorBody('Rate limit reached', 'requests') });
    const controller = new AbortController();
    const pending = withRetry(() => driver.doGenerate({ ...call, signal: controller.signal }), {
      maxRetries: 3,
      maxDelayMs: 60_000,
      signal: controller.signal,
      onRetry: () => controller.abort(),
    });
    await expect(pending).rejects.toMatchObject({ code: 'aborted' });
    expect(server.stats.requests).toBe(1);
  });
});
