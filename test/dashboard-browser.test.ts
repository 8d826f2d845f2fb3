import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startOpenAIMockServer, type OpenAIMockServer } from '../src/mock-upstream/openai-server.js';
import { startTestGateway, type TestGateway } from './gateway-support.js';

// The dashboard in a real headless Chromium: it loads, polls /api/stats, and its figures follow the traffic.
let gateway: TestGateway;
let browser: Browser;
let upstream: OpenAIMockServer;

beforeAll(async () => {
  upstream = await startOpenAIMockServer();
  gateway = await startTestGateway({ cache: { responses: true }, providers: { mock: { retries: 0 }, openai: { baseURL: upstream.url, apiKey: 'sk-dashboard-upstream', retries: 0 } } });
  // npm test installs it or says how (scripts/test-prerequisites.mjs); a bare vitest run gets one clear line, not a launch trace.
  if (!existsSync('/usr/bin/chromium')) throw new Error("the dashboard browser test needs Debian's Chromium at /usr/bin/chromium: run \"sudo apt-get install chromium\"");
  browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
});

afterAll(async () => {
  await browser?.close();
  await gateway?.stop();
  await upstream?.close();
});

async function send(count: number, prompt: string, model = 'mock/echo'): Promise<void> {
  for (let index = 0; index < count; index++) {
    const response = await fetch(`${gateway.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model, temperature: 0, messages: [{ role: 'user', content: `${prompt} ${index % 3}` }] }),
    });
    await response.arrayBuffer();
  }
}

describe('dashboard', () => {
  it('shows live figures that change as requests arrive', async () => {
    const page = await browser.newPage({ viewport: { width: 1440, height: 1000 } });
    const pageErrors: string[] = [];
    page.on('pageerror', (error) => pageErrors.push(error.message));
    await page.goto(gateway.url);
    await expect(page.title()).resolves.toBe('Switchyard gateway');
    await expect.poll(() => page.textContent('#total-requests'), { timeout: 5_000 }).toBe('0');

    await send(9, 'dashboard prompt');
    await send(3, 'lorem words', 'mock/lorem');
    await send(2, 'through the pool', 'openai/gpt-4o-mini');
    const failed = await fetch(`${gateway.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'mock/echo', messages: [{ role: 'user', content: 'fail [mock:429]' }] }),
    });
    expect(failed.status).toBe(429);

    await expect.poll(() => page.textContent('#total-requests'), { timeout: 10_000 }).toBe('15');
    expect(await page.textContent('#errors')).toBe('1');
    expect(await page.textContent('#models-body')).toContain('mock/echo');
    expect(await page.textContent('#errors-body')).toContain('rate_limited');
    expect(await page.textContent('#hit-ratio')).not.toBe('–');
    expect(await page.textContent('#pools-body')).toContain('openai');
    // Let the charts collect a few points before the picture.
    const chartPoints = async () => ((await page.getAttribute('#chart-rps polyline', 'points')) ?? '').split(' ').length;
    await expect.poll(chartPoints, { timeout: 10_000 }).toBeGreaterThanOrEqual(5);
    await mkdir('test-artifacts', { recursive: true });
    await page.screenshot({ path: 'test-artifacts/dashboard.png', fullPage: true });
    expect(pageErrors).toEqual([]);
    await page.close();
  });

  it('serves /api/stats as JSON with pools, memory and cache figures', async () => {
    const response = await fetch(`${gateway.url}/api/stats`);
    expect(response.headers.get('content-type')).toContain('application/json');
    const stats = (await response.json()) as Record<string, unknown> & { cache: { byStatus: Record<string, number> }; memory: { rssMb: number } };
    expect(stats).toHaveProperty('pools');
    expect(stats).toHaveProperty('latencyMs.p95');
    expect(stats).toHaveProperty('overheadMs.p50');
    expect(stats.memory.rssMb).toBeGreaterThan(0);
    expect(stats.cache.byStatus['hit-memory']).toBeGreaterThan(0);
  });

  it('serves Prometheus metrics that count the gateway requests', async () => {
    const response = await fetch(`${gateway.url}/metrics`);
    expect(response.headers.get('content-type')).toContain('text/plain');
    const text = await response.text();
    expect(text).toMatch(/switchyard_http_requests_total\{route="\/v1\/chat\/completions",method="POST",status_code="200"\} \d+/);
    expect(text).toMatch(/switchyard_requests_total\{provider="mock",model="mock\/echo",status="ok",cache="hit-memory"\} \d+/);
    expect(text).toContain('switchyard_process_memory_bytes');
  });

  it('reports liveness and readiness with dependency states', async () => {
    expect((await fetch(`${gateway.url}/healthz`)).status).toBe(200);
    const ready = await fetch(`${gateway.url}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({ status: 'ready', dependencies: { database: { status: 'up' } } });
  });
});
