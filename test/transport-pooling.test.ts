import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createTransport } from '../src/core/transport.js';
import { startOpenAIMockServer, type OpenAIMockServer } from '../src/mock-upstream/openai-server.js';
import { createOpenAIDriver } from '../src/providers/openai/openai-driver.js';
import type { DriverCallOptions } from '../src/spec/driver.js';

const call: DriverCallOptions = { modelId: 'gpt-4o-mini', messages: [{ role: 'user', content: 'pool me' }] };
let server: OpenAIMockServer;

beforeAll(async () => {
  server = await startOpenAIMockServer();
});
afterEach(() => server.reset());
afterAll(() => server.close());

describe('transport pooling (real undici Agent against the OpenAI mock server)', () => {
  it('100 sequential calls use exactly one connection', async () => {
    const driver = createOpenAIDriver({ baseURL: server.url, apiKey: 'sk-test', transport: { maxConnections: 10 } });
    try {
      for (let index = 0; index < 100; index += 1) {
        const result = await driver.doGenerate(call);
        expect(result.content).toBe('pool me');
      }
      expect(server.stats.requests).toBe(100);
      expect(server.stats.connectionsOpened).toBe(1);
      expect(driver.poolStats()).toMatchObject({ connected: 1, running: 0, pending: 0 });
    } finally {
      await driver.close();
    }
  });

  it('sequential streams and non-stream calls share that one connection too', async () => {
    const driver = createOpenAIDriver({ baseURL: server.url, apiKey: 'sk-test' });
    try {
      for (let index = 0; index < 20; index += 1) {
        const parts = [];
        for await (const part of driver.doStream(call)) parts.push(part);
        expect(parts.at(-1)?.type).toBe('finish');
        await driver.doGenerate(call);
      }
      expect(server.stats.requests).toBe(40);
      expect(server.stats.connectionsOpened).toBe(1);
    } finally {
      await driver.close();
    }
  });

  it('200 concurrent calls with maxConnections 10 never open more than 10 connections', async () => {
    const transport = createTransport({ maxConnections: 10 });
    const driver = createOpenAIDriver({ baseURL: server.url, apiKey: 'sk-test', transport });
    server.configure({ latencyMs: 5 });
    try {
      let peakSize = 0;
      const sampler = setInterval(() => {
        peakSize = Math.max(peakSize, transport.stats().size);
      }, 1);
      const calls = Array.from({ length: 200 }, (_, index) =>
        driver.doGenerate({ ...call, messages: [{ role: 'user', content: `call ${index}` }] }),
      );
      const results = await Promise.all(calls).finally(() => clearInterval(sampler));
      expect(results.map((result) => result.content)).toEqual(Array.from({ length: 200 }, (_, index) => `call ${index}`));
      expect(server.stats.requests).toBe(200);
      expect(server.stats.maxConcurrentConnections).toBeLessThanOrEqual(10);
      expect(server.stats.connectionsOpened).toBeLessThanOrEqual(10);
      expect(server.stats.connectionsOpened).toBeGreaterThan(1);
      // More calls than connections were in the pool at once: the excess waited in its queue.
      expect(peakSize).toBeGreaterThan(10);
    } finally {
      server.configure({ latencyMs: 0 });
      await driver.close();
    }
  });

  it('close() drains the pool and a later call opens a new one', async () => {
    const transport = createTransport();
    const driver = createOpenAIDriver({ baseURL: server.url, apiKey: 'sk-test', transport });
    await driver.doGenerate(call);
    expect(transport.stats().connected).toBe(1);
    await driver.close();
    expect(transport.stats().connected).toBe(0);
    await waitFor(() => server.stats.activeConnections === 0);

    await driver.doGenerate(call);
    expect(server.stats.connectionsOpened).toBe(2);
    await driver.close();
  });

  it('close() lets an in-flight call finish', async () => {
    const driver = createOpenAIDriver({ baseURL: server.url, apiKey: 'sk-test' });
    server.configure({ latencyMs: 50 });
    try {
      const pending = driver.doGenerate(call);
      await waitFor(() => server.stats.requests === 1);
      await driver.close();
      await expect(pending).resolves.toMatchObject({ content: 'pool me' });
    } finally {
      server.configure({ latencyMs: 0 });
    }
  });
});

/** Polls a condition every 5 ms, failing after a deadline (a bound, not a timing assertion). */
async function waitFor(condition: () => boolean, deadlineMs = 2000): Promise<void> {
  const end = Date.now() + deadlineMs;
  while (!condition()) {
    if (Date.now() > end) throw new Error('condition not met before the deadline');
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}
