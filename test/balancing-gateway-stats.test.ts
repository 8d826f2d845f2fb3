import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { GatewayStats } from '../src/gateway/gateway-monitor.js';
import { startOpenAIMockServer, type OpenAIMockServer } from '../src/mock-upstream/openai-server.js';
import { startTestGateway, type TestGateway } from './gateway-support.js';
import { parseExposition, sum } from './support/prometheus.js';

let healthy: OpenAIMockServer;
let broken: OpenAIMockServer;
let gateway: TestGateway;

beforeAll(async () => {
  healthy = await startOpenAIMockServer({ latencyMs: 5, reply: 'ok' });
  broken = await startOpenAIMockServer({ onRequest: () => ({ status: 500, body: { error: { message: 'down', type: 'server_error', code: null, param: null } } }) });
  gateway = await startTestGateway({
    cache: { responses: false },
    providers: {
      healthy: { type: 'openai-compatible', baseURL: healthy.url, apiKey: 'k', retries: 0 },
      broken: { type: 'openai-compatible', baseURL: broken.url, apiKey: 'k', retries: 0 },
    },
    routes: { pair: { strategy: 'weighted', deployments: [{ model: 'healthy/llama' }, { model: 'broken/llama' }], cooldown: { failures: 2, seconds: 60 } } },
  });
});

afterAll(async () => {
  await gateway?.stop();
  await Promise.all([healthy?.close(), broken?.close()]);
});

describe('deployments on the dashboard JSON and /metrics', () => {
  it("shows each deployment's breaker state, traffic share and latency", async () => {
    for (let index = 0; index < 12; index += 1) {
      const response = await fetch(`${gateway.url}/v1/chat/completions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ model: 'pair', messages: [{ role: 'user', content: `hello ${index}` }] }),
      });
      expect(response.status).toBe(200);
      await response.arrayBuffer();
    }

    const stats = (await (await fetch(`${gateway.url}/api/stats`)).json()) as GatewayStats;
    const [good, bad] = stats.deployments;
    expect(good).toMatchObject({ route: 'pair', deployment: 'healthy/llama', state: 'closed', failures: 0 });
    expect(good.successes).toBeGreaterThanOrEqual(12);
    expect(good.latencyMs).toBeGreaterThan(0);
    expect(bad).toMatchObject({ route: 'pair', deployment: 'broken/llama', state: 'open', successes: 0, latencyMs: null });
    expect(bad.failures).toBe(2);
    expect(good.share + bad.share).toBeCloseTo(1, 10);
    expect(good.share).toBeCloseTo(good.requests / (good.requests + bad.requests), 10);

    const metrics = parseExposition(await (await fetch(`${gateway.url}/metrics`)).text());
    expect(metrics.families.get('switchyard_deployment_state')?.type).toBe('gauge');
    expect(sum(metrics, 'switchyard_deployment_state', { deployment: 'broken/llama', state: 'open' })).toBe(1);
    expect(sum(metrics, 'switchyard_deployment_state', { deployment: 'broken/llama', state: 'closed' })).toBe(0);
    expect(sum(metrics, 'switchyard_deployment_state', { deployment: 'healthy/llama', state: 'closed' })).toBe(1);
    expect(sum(metrics, 'switchyard_deployment_calls_total', { deployment: 'broken/llama', outcome: 'failure' })).toBe(2);
    expect(sum(metrics, 'switchyard_deployment_calls_total', { deployment: 'healthy/llama', outcome: 'success' })).toBe(good.successes);
    expect(sum(metrics, 'switchyard_deployment_traffic_share', { route: 'pair' })).toBeCloseTo(1, 10);
    expect(sum(metrics, 'switchyard_deployment_latency_seconds', { deployment: 'healthy/llama' })).toBeCloseTo(good.latencyMs! / 1000, 3);
  });
});
