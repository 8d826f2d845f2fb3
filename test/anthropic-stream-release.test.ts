import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { withRetry, type RetryOptions } from '../src/core/retry.js';
import { startAnthropicMockServer, type AnthropicMockServer } from '../src/mock-upstream/anthropic-server.js';
import { createAnthropicDriver, type AnthropicDriver } from '../src/providers/anthropic/anthropic-driver.js';
import type { DriverCallOptions } from '../src/spec/driver.js';
import { expectAbortWhileWaitingReleasesUpstream, expectBreakReleasesUpstream, waitFor, contentParts } from './support/driver.js';

/*
 * The Anthropic driver over the mock server through the real transport:
 * releasing the upstream when a stream ends early, and retries with withRetry.
 */
const longReply = Array.from({ length: 400 }, (_, index) => `word${index}`).join(' ');
const call: DriverCallOptions = { modelId: 'claude-haiku-4-5', messages: [{ role: 'user', content: 'tell me a long story' }] };
const anthropicError = (type: string, message: string) => ({ type: 'error', error: { type, message } });

let server: AnthropicMockServer;
let driver: AnthropicDriver;

beforeAll(async () => {
  server = await startAnthropicMockServer({ reply: longReply, streamChunkDelayMs: 20 });
  driver = createAnthropicDriver({ baseURL: server.url, apiKey: 'sk-ant-test' });
});
afterEach(() => {
  server.configure({ streamChunkDelayMs: 20, hugeStreamBytes: undefined });
  server.reset();
});
afterAll(async () => {
  await driver.close();
  await server.close();
});

describe('Anthropic stream release', () => {
  it('break out of a stream closes the upstream request within a second', async () => {
    await expectBreakReleasesUpstream(driver, server, call);
  });

  it('an AbortSignal mid-stream ends the iteration with aborted and closes the upstream', async () => {
    server.configure({ streamChunkDelayMs: 300 });
    await expectAbortWhileWaitingReleasesUpstream(driver, server, call, 'word0 ');
  });

  it('a paused consumer holds the upstream back (backpressure), and return() releases it', async () => {
    server.configure({ hugeStreamBytes: 64 * 1024 * 1024, streamChunkDelayMs: 0 });
    const iterator = contentParts(driver.doStream(call));
    expect((await iterator.next()).value).toMatchObject({ type: 'text-delta' });
    await waitFor(() => server.stats.waitingForDrain === 1, 5000);
    expect(server.stats.bytesWritten).toBeLessThan(16 * 1024 * 1024);
    await iterator.return?.();
    await waitFor(() => server.stats.closedRequests === 1, 1000);
  });
});

describe('withRetry over the Anthropic driver', () => {
  /** Retry options whose waits are recorded instead of slept. */
  function recorded(): RetryOptions & { delays: number[] } {
    const delays: number[] = [];
    return { maxRetries: 3, random: () => 0.5, baseDelayMs: 400, delays, sleep: async (ms: number) => void delays.push(ms) };
  }

  it('429 with retry-after then 529 overloaded: waits as advised, backs off, then succeeds', async () => {
    server.configure({ streamChunkDelayMs: 0 });
    server.enqueue(
      { status: 429, headers: { 'retry-after': '2' }, body: anthropicError('rate_limit_error', 'rate limited') },
      { status: 529, body: anthropicError('overloaded_error', 'Overloaded') },
    );
    const options = recorded();
    const result = await withRetry(() => driver.doGenerate(call), options);
    expect(result.finishReason).toBe('stop');
    expect(options.delays).toEqual([2000, 400]);
    expect(server.stats.requests).toBe(3);
  });

  it('400 invalid_request_error is not retried', async () => {
    server.enqueue({ status: 400, body: anthropicError('invalid_request_error', 'messages: bad') });
    const options = recorded();
    await expect(withRetry(() => driver.doGenerate(call), options)).rejects.toMatchObject({ code: 'invalid_request', isRetryable: false });
    expect(options.delays).toEqual([]);
    expect(server.stats.requests).toBe(1);
  });
});

