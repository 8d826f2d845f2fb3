import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startOpenAIMockServer, type OpenAIMockServer } from '../src/mock-upstream/openai-server.js';
import { createOpenAIDriver, type OpenAIDriver } from '../src/providers/openai/openai-driver.js';
import type { DriverCallOptions } from '../src/spec/driver.js';
import { SwitchyardError } from '../src/spec/errors.js';
import { expectAbortWhileWaitingReleasesUpstream, expectBreakReleasesUpstream, waitFor, contentParts } from './support/driver.js';

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
    // The pool recovers: the next call works on a fresh connection.
    await expectBreakReleasesUpstream(driver, server, call);
  });

  it('an AbortSignal mid-stream ends the iteration with aborted and closes the upstream within a second', async () => {
    // Chunks 300 ms apart: the abort lands while next() waits for the upstream; a finished iterator stays finished.
    server.configure({ streamChunkDelayMs: 300 });
    await expectAbortWhileWaitingReleasesUpstream(driver, server, call, 'word0 ');
  });

  it('an abort between parts stops the next read with aborted', async () => {
    const controller = new AbortController();
    let caught: unknown;
    try {
      for await (const part of driver.doStream({ ...call, signal: controller.signal })) {
        if (part.type === 'stream-start') continue;
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
    const iterator = contentParts(driver.doStream(call));
    const first = await iterator.next();
    expect(first.value).toMatchObject({ type: 'text-delta' });

    // The consumer now pauses. The server fills the socket buffers and must wait for `drain`; the
    // client's own buffers may take a moment to fill, so wait until the server stays blocked.
    let blockedAt = -1;
    const deadline = Date.now() + 5000;
    while (blockedAt < 0 && Date.now() < deadline) {
      await waitFor(() => server.stats.waitingForDrain === 1, 5000);
      const before = server.stats.bytesWritten;
      await new Promise((resolve) => setTimeout(resolve, 100));
      if (server.stats.waitingForDrain === 1 && server.stats.bytesWritten === before) blockedAt = before;
    }
    expect(blockedAt).toBeGreaterThan(0);
    expect(blockedAt).toBeLessThan(total / 4);

    // Reading again lets the server continue.
    for (let index = 0; index < 2000; index += 1) await iterator.next();
    expect(server.stats.bytesWritten).toBeGreaterThan(blockedAt);
    await iterator.return?.();
    await waitFor(() => server.stats.closedRequests === 1, 1000);
  });
});

