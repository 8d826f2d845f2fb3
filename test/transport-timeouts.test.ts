import { createServer } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startOpenAIMockServer, type OpenAIMockServer } from '../src/mock-upstream/openai-server.js';
import { createOpenAIDriver } from '../src/providers/openai/openai-driver.js';
import type { DriverCallOptions } from '../src/spec/driver.js';
import { SwitchyardError } from '../src/spec/errors.js';

const call: DriverCallOptions = { modelId: 'gpt-4o-mini', messages: [{ role: 'user', content: 'wait for it' }] };
let server: OpenAIMockServer;

beforeAll(async () => {
  server = await startOpenAIMockServer();
});
afterEach(() => {
  server.configure({ hang: undefined });
  server.reset();
});
afterAll(() => server.close());

/** Runs a call and returns its SwitchyardError (failing if it succeeds or throws something else). */
async function failure(run: () => Promise<unknown>): Promise<SwitchyardError> {
  try {
    await run();
  } catch (error) {
    if (SwitchyardError.is(error)) return error;
    throw error;
  }
  throw new Error('expected the call to fail');
}

/** The first part after the stream-start (which arrives with the headers, before any body). */
async function firstPart(iterable: AsyncIterable<{ type: string }>): Promise<unknown> {
  const iterator = iterable[Symbol.asyncIterator]();
  try {
    let step = await iterator.next();
    while (!step.done && step.value.type === 'stream-start') step = await iterator.next();
    return step.value;
  } finally {
    await iterator.return?.();
  }
}

describe('transport timeouts and connection failures', () => {
  it('a connect that never completes is connect_timeout (retryable)', async () => {
    // There is no network to blackhole, so the socket connector never answers: undici's
    // connect timeout (applied by the transport to custom connectors too) must fire.
    const driver = createOpenAIDriver({
      baseURL: server.url,
      apiKey: 'sk-test',
      transport: { connectTimeoutMs: 100, connector: () => undefined },
    });
    try {
      const error = await failure(() => driver.doGenerate(call));
      expect(error.code).toBe('connect_timeout');
      expect(error.isRetryable).toBe(true);
      expect(error.provider).toBe('openai');
      expect(server.stats.requests).toBe(0);
    } finally {
      await driver.close();
    }
  });

  it('a server that never sends headers is headers_timeout, and the request is closed', async () => {
    server.configure({ hang: 'headers' });
    const driver = createOpenAIDriver({ baseURL: server.url, apiKey: 'sk-test', transport: { headersTimeoutMs: 150 } });
    try {
      const error = await failure(() => driver.doGenerate(call));
      expect(error.code).toBe('headers_timeout');
      expect(error.isRetryable).toBe(true);
      await waitFor(() => server.stats.closedRequests === 1);
    } finally {
      await driver.close();
    }
  });

  it('a body that stalls is body_timeout, for JSON calls and on the first stream read past the start', async () => {
    server.configure({ hang: 'body' });
    const driver = createOpenAIDriver({ baseURL: server.url, apiKey: 'sk-test', transport: { bodyTimeoutMs: 150 } });
    try {
      const plain = await failure(() => driver.doGenerate(call));
      expect(plain.code).toBe('body_timeout');
      expect(plain.isRetryable).toBe(true);

      const streamed = await failure(() => firstPart(driver.doStream(call)));
      expect(streamed.code).toBe('body_timeout');
      await waitFor(() => server.stats.closedRequests === 2);
    } finally {
      await driver.close();
    }
  });

  it('a refused connection is connection_failed (retryable)', async () => {
    const port = await freePort();
    const driver = createOpenAIDriver({ baseURL: `http://127.0.0.1:${port}/v1`, apiKey: 'sk-test' });
    try {
      const error = await failure(() => driver.doGenerate(call));
      expect(error.code).toBe('connection_failed');
      expect(error.isRetryable).toBe(true);
      expect(error.message).toContain('ECONNREFUSED');
    } finally {
      await driver.close();
    }
  });

  it('an abort while waiting for headers is aborted (not retryable) and closes the request', async () => {
    server.configure({ hang: 'headers' });
    const driver = createOpenAIDriver({ baseURL: server.url, apiKey: 'sk-test' });
    const controller = new AbortController();
    try {
      const pending = failure(() => driver.doGenerate({ ...call, signal: controller.signal }));
      await waitFor(() => server.stats.requests === 1);
      controller.abort();
      const error = await pending;
      expect(error.code).toBe('aborted');
      expect(error.isRetryable).toBe(false);
      await waitFor(() => server.stats.closedRequests === 1);
    } finally {
      await driver.close();
    }
  });

  it('an already aborted signal sends nothing', async () => {
    const driver = createOpenAIDriver({ baseURL: server.url, apiKey: 'sk-test' });
    try {
      const error = await failure(() => driver.doGenerate({ ...call, signal: AbortSignal.abort() }));
      expect(error.code).toBe('aborted');
      expect(server.stats.requests).toBe(0);
    } finally {
      await driver.close();
    }
  });
});

/** A port with nothing listening: bind one, then release it. */
async function freePort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const address = probe.address();
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  if (typeof address !== 'object' || address === null) throw new Error('no port');
  return address.port;
}

/** Polls a condition every 5 ms, failing after a deadline (a bound, not a timing assertion). */
async function waitFor(condition: () => boolean, deadlineMs = 2000): Promise<void> {
  const end = Date.now() + deadlineMs;
  while (!condition()) {
    if (Date.now() > end) throw new Error('condition not met before the deadline');
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}
