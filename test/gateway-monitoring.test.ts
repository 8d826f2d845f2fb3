import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { GatewayStats } from '../src/gateway/gateway-monitor.js';
import { startOpenAIMockServer, type OpenAIMockServer } from '../src/mock-upstream/openai-server.js';
import { startTestGateway, waitFor, type TestGateway } from './gateway-support.js';
import { parseExposition, sum } from './support/prometheus.js';

// With monitoring on in the client's config, the gateway shares ai.observability: one record per request, cache layers included.
let gateway: TestGateway;
let upstream: OpenAIMockServer;
const UPSTREAM_LATENCY_MS = 600;

beforeAll(async () => {
  upstream = await startOpenAIMockServer({ latencyMs: UPSTREAM_LATENCY_MS });
  gateway = await startTestGateway({
    observability: { monitoring: true, logLevel: 'error' },
    cache: { responses: true },
    providers: { openai: { baseURL: upstream.url, apiKey: 'sk-monitoring-upstream', retries: 0 } },
  });
});

afterAll(async () => {
  await gateway?.stop();
  await upstream?.close();
});

async function chat(content: string, model = 'mock/echo'): Promise<Response> {
  return fetch(`${gateway.url}/v1/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ model, temperature: 0, messages: [{ role: 'user', content }] }),
  });
}

describe('gateway monitoring through ai.observability', () => {
  it('uses the client observability and counts each request once', async () => {
    expect(gateway.ai.observability.monitoring).toBe(true);
    expect((await chat('shared figures')).headers.get('x-switchyard-cache')).toBe('miss');
    expect((await chat('shared figures')).headers.get('x-switchyard-cache')).toBe('hit-memory');

    expect(await waitFor(async () => ((await (await fetch(`${gateway.url}/api/stats`)).json()) as GatewayStats).lifetime.requests === 2)).toBe(true);
    const stats = (await (await fetch(`${gateway.url}/api/stats`)).json()) as GatewayStats;
    expect(stats.cache.byStatus).toMatchObject({ miss: 1, 'hit-memory': 1 });
    expect(stats.cache.byLayer.memory.hits).toBe(1);
    expect(stats.topModels).toEqual([expect.objectContaining({ model: 'mock/echo', requests: 2 })]);

    const metrics = await (await fetch(`${gateway.url}/metrics`)).text();
    expect(metrics).toMatch(/switchyard_http_requests_total\{route="\/v1\/chat\/completions",method="POST",status_code="200"\} 2/);
    expect(metrics).toMatch(/switchyard_requests_total\{provider="mock",model="mock\/echo",status="ok",cache="miss"\} 1/);
  });

  it('serves /metrics that parse strictly and count exactly what was sent: 10 requests, 3 of them cache hits', async () => {
    const before = parseExposition(await (await fetch(`${gateway.url}/metrics`)).text());
    const requestsBefore = sum(before, 'switchyard_requests_total');
    const hitsBefore = sum(before, 'switchyard_requests_total', { cache: 'hit-memory' });
    for (let index = 0; index < 7; index++) expect((await chat(`counted ${index}`)).status).toBe(200);
    for (let index = 0; index < 3; index++) expect((await chat(`counted ${index}`)).headers.get('x-switchyard-cache')).toBe('hit-memory');
    const after = parseExposition(await (await fetch(`${gateway.url}/metrics`)).text());
    expect(sum(after, 'switchyard_requests_total') - requestsBefore).toBe(10);
    expect(sum(after, 'switchyard_requests_total', { cache: 'hit-memory' }) - hitsBefore).toBe(3);
  });

  it('leaves the upstream wait out of x-switchyard-overhead-ms', async () => {
    const response = await chat('overhead check', 'openai/gpt-4o-mini');
    expect(response.status).toBe(200);
    expect(response.headers.get('x-switchyard-cache')).toBe('miss');
    const overhead = Number(response.headers.get('x-switchyard-overhead-ms'));
    // The upstream alone sleeps UPSTREAM_LATENCY_MS: an overhead that included it could not be below it.
    expect(overhead).toBeGreaterThanOrEqual(0);
    expect(overhead).toBeLessThan(UPSTREAM_LATENCY_MS);
  });
});
