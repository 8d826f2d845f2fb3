import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startOpenAIMockServer, type OpenAIMockServer } from '../src/mock-upstream/openai-server.js';
import { startTestGateway, waitFor, type TestGateway } from './gateway-support.js';

// Graceful shutdown: in-flight requests finish, new connections are refused, stalled ones are cut at the deadline.
let upstream: OpenAIMockServer;

beforeAll(async () => {
  upstream = await startOpenAIMockServer({ latencyMs: 400 });
});

afterAll(async () => {
  await upstream?.close();
});

function chat(gateway: TestGateway, content: string): Promise<Response> {
  return fetch(`${gateway.url}/v1/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ model: 'openai/gpt-4o-mini', messages: [{ role: 'user', content }] }),
  });
}

describe('gateway graceful shutdown', () => {
  it('lets an in-flight request complete while close() runs, then refuses connections', async () => {
    upstream.configure({ hang: undefined, latencyMs: 400 });
    upstream.reset();
    const gateway = await startTestGateway({ providers: { openai: { baseURL: upstream.url, apiKey: 'sk-shutdown-test', retries: 0 } } });
    const inFlight = chat(gateway, 'finish me before closing');
    expect(await waitFor(() => upstream.stats.requests === 1)).toBe(true);

    let closed = false;
    const closing = gateway.stop().then(() => {
      closed = true;
    });
    const response = await inFlight;
    expect(closed).toBe(false);
    expect(response.status).toBe(200);
    const body = (await response.json()) as { choices: Array<{ message: { content: string } }> };
    expect(body.choices[0].message.content).toBe('finish me before closing');
    await closing;

    const refused = await chat(gateway, 'too late').catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(TypeError);
    expect(((refused as TypeError).cause as NodeJS.ErrnoException).code).toBe('ECONNREFUSED');
  });

  it('cuts a stalled request at shutdownTimeoutMs and cancels its upstream call', async () => {
    upstream.configure({ hang: 'headers', latencyMs: 0 });
    upstream.reset();
    const gateway = await startTestGateway({
      server: { shutdownTimeoutMs: 300 },
      providers: { openai: { baseURL: upstream.url, apiKey: 'sk-shutdown-test', retries: 0, timeoutMs: 60_000 } },
    });
    const stalled = chat(gateway, 'never answered').catch((error: unknown) => error);
    expect(await waitFor(() => upstream.stats.requests === 1)).toBe(true);
    await gateway.stop();
    expect(await stalled).toBeInstanceOf(TypeError);
    expect(await waitFor(() => upstream.stats.activeConnections === 0)).toBe(true);
  });
});
