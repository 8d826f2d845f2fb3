import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startOpenAIMockServer, type OpenAIMockServer } from '../src/mock-upstream/openai-server.js';
import { createOpenAIDriver, type OpenAIDriver } from '../src/providers/openai/openai-driver.js';
import type { DriverCallOptions } from '../src/spec/driver.js';
import { SwitchyardError } from '../src/spec/errors.js';

const longReply = Array.from({ length: 400 }, (_, index) => `word${index}`).join(' ');
const call: DriverCallOptions = { modelId: 'gpt-4o-mini', messages: [{ role: 'user', content: 'tell me a long story' }] };
let server: OpenAIMockServer;
let driver: OpenAIDriver;

beforeAll(async () => {
  server = await startOpenAIMockServer({ reply: longReply, streamChunkDelayMs: 20 });
  driver = createOpenAIDriver({ baseURL: server.url, apiKey: 'sk-test' });
});
afterEach(() => {
  server.configure({ hugeStreamBytes: undefined, streamChunkDelayMs: 20 });
  server.reset();
});
afterAll(async () => {
  await driver.close();
  await server.close();
});

describe('stream cancellation releases the upstream', () => {
  it('break out of a stream closes the upstream request within a second', async () => {
    let parts = 0;
    for await (const part of driver.doStream(call)) {
      expect(part.type).toBe('text-delta');
      parts += 1;
      if (parts === 2) break;
    }
    await waitFor(() => server.stats.closedRequests === 1, 1000);
    expect(server.stats.requests).toBe(1);
    // The pool recovers: the next call works on a fresh connection.
    await expect(driver.doGenerate(call)).resolves.toMatchObject({ finishReason: 'stop' });
  });

  it('an AbortSignal mid-stream ends the iteration with aborted and closes the upstream within a second', async () => {
    // Chunks 300 ms apart: the abort below lands while next() waits for the upstream.
    server.configure({ streamChunkDelayMs: 300 });
    const controller = new AbortController();
    const iterator = driver.doStream({ ...call, signal: controller.signal })[Symbol.asyncIterator]();
    const first = await iterator.next();
    expect(first.value).toMatchObject({ type: 'text-delta', text: 'word0 ' });

    const pending = iterator.next().then(
      () => undefined,
      (error: unknown) => error,
    );
    controller.abort();
    const error = await pending;
    expect(SwitchyardError.is(error) && error.code).toBe('aborted');
    await waitFor(() => server.stats.closedRequests === 1, 1000);
    // A finished iterator stays finished.
    expect(await iterator.next()).toEqual({ done: true, value: undefined });
  });

  it('an abort between parts stops the next read with aborted', async () => {
    const controller = new AbortController();
    let caught: unknown;
    try {
      for await (const part of driver.doStream({ ...call, signal: controller.signal })) {
        expect(part.type).toBe('text-delta');
        controller.abort();
      }
    } catch (error) {
      caught = error;
    }
    expect(SwitchyardError.is(caught) && caught.code).toBe('aborted');
    await waitFor(() => server.stats.closedRequests === 1, 1000);
  });
});

describe('stream backpressure', () => {
  it('a paused consumer stops the server: its writes block long before the body is sent', async () => {
    const total = 64 * 1024 * 1024;
    server.configure({ hugeStreamBytes: total, streamChunkDelayMs: 0 });
    const iterator = driver.doStream(call)[Symbol.asyncIterator]();
    const first = await iterator.next();
    expect(first.value).toMatchObject({ type: 'text-delta' });

    // The consumer now pauses. The server fills the socket buffers and must wait for `drain`.
    await waitFor(() => server.stats.waitingForDrain === 1, 5000);
    const blockedAt = server.stats.bytesWritten;
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(server.stats.waitingForDrain).toBe(1);
    expect(server.stats.bytesWritten).toBe(blockedAt);
    expect(blockedAt).toBeLessThan(total / 4);

    // Reading again lets the server continue.
    for (let index = 0; index < 2000; index += 1) await iterator.next();
    expect(server.stats.bytesWritten).toBeGreaterThan(blockedAt);
    await iterator.return?.();
    await waitFor(() => server.stats.closedRequests === 1, 1000);
  });
});

/** Polls a condition every 5 ms, failing after a deadline (a bound, not a timing assertion). */
async function waitFor(condition: () => boolean, deadlineMs: number): Promise<void> {
  const end = Date.now() + deadlineMs;
  while (!condition()) {
    if (Date.now() > end) throw new Error(`condition not met within ${deadlineMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}
