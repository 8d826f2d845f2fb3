import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { estimateTokens } from '../src/catalog/estimate-tokens.js';
import { promptText } from '../src/gateway/request-tokens.js';
import { runCli, cleanEnvironment } from './support/cli.js';
import { burst, postgresUrlInSchema, startGatewayProcess, type GatewayProcess } from './support/gateway-processes.js';
import { settleAt, startHeldUpstream, type HeldUpstream } from './support/held-upstream.js';
import { createTestPostgres, POSTGRES_URL, REDIS_URL, uniqueName, type TestDatabase } from './store-support.js';

// Three gateway processes sharing the test Redis and one PostgreSQL schema: limits hold across them.
const ADMIN = 'teams-admin-key-000000001';
// Long enough for a burst of 200 on a loaded machine to land inside one window.
const WINDOW_SECONDS = 15;
let upstream: HeldUpstream;
let database: TestDatabase;
let databaseUrl: string;
let gateways: GatewayProcess[] = [];
const issuedKeys: string[] = [];

beforeAll(async () => {
  upstream = await startHeldUpstream();
  database = await createTestPostgres();
  databaseUrl = postgresUrlInSchema(POSTGRES_URL, database.database.schema!);
  // A Redis that is down fails at once; the timeout only guards against one that hangs, and must not fire on a loaded machine.
  const config = { limits: { windowSeconds: WINDOW_SECONDS, redisTimeoutMs: 5000 }, server: { adminKey: ADMIN } };
  const env = {
    SWITCHYARD_DATABASE_URL: databaseUrl,
    SWITCHYARD_REDIS_URL: REDIS_URL,
    SWITCHYARD_LOG_LEVEL: 'debug',
    OPENAI_API_KEY: 'sk-upstream-test',
    OPENAI_BASE_URL: upstream.server.url,
  };
  gateways = await Promise.all([0, 1, 2].map(() => startGatewayProcess(config, env)));
}, 60_000);

afterAll(async () => {
  await Promise.all(gateways.map((gateway) => gateway.stop()));
  await database?.dispose();
  await upstream?.server.close();
});

const urls = () => gateways.map((gateway) => gateway.url);

async function createKey(body: Record<string, unknown>): Promise<{ id: string; key: string }> {
  const response = await fetch(`${gateways[0].url}/admin/keys`, { method: 'POST', headers: { authorization: `Bearer ${ADMIN}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
  expect(response.status).toBe(201);
  const created = (await response.json()) as { id: string; key: string };
  issuedKeys.push(created.key);
  return created;
}

const chatBody = (content: string, maxTokens?: number) => ({ model: 'openai/gpt-4o-mini', messages: [{ role: 'user', content }], ...(maxTokens ? { max_tokens: maxTokens } : {}) });

async function chatOnce(url: string, key: string, content = 'probe') {
  const response = await fetch(`${url}/v1/chat/completions`, { method: 'POST', headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' }, body: JSON.stringify(chatBody(content)) });
  await response.arrayBuffer();
  return response;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe.concurrent('limits across three gateway processes', () => {
  it('60 rpm: exactly 60 of 200 succeed, the rest get 429 with a retry-after that is right, and after it requests pass', { timeout: 90_000 }, async () => {
    const created = await runCli(['keys', 'create', '--tenant', uniqueName('rpm'), '--rpm', '60', '--json'], cleanEnvironment({ SWITCHYARD_DATABASE_URL: databaseUrl }));
    expect(created.code, created.stderr).toBe(0);
    const { key } = JSON.parse(created.stdout) as { key: string };
    issuedKeys.push(key);
    const results = await burst(urls(), 200, (index) => ({ path: '/v1/chat/completions', headers: { authorization: `Bearer ${key}` }, body: chatBody(`rpm ${index}`) }));
    const refused = results.filter((result) => result.status === 429);
    expect(results.filter((result) => result.status === 200)).toHaveLength(60);
    expect(refused).toHaveLength(140);
    for (const result of refused) {
      expect(result.body.error.code).toBe('rate_limit_exceeded');
      const retryMs = Number(result.headers.get('retry-after-ms'));
      expect(retryMs).toBeGreaterThan(0);
      expect(retryMs).toBeLessThanOrEqual(WINDOW_SECONDS * 1000);
      expect(Number(result.headers.get('retry-after'))).toBe(Math.ceil(retryMs / 1000));
      expect(result.headers.get('x-ratelimit-limit-requests')).toBe('60');
      expect(result.headers.get('x-ratelimit-remaining-requests')).toBe('0');
    }
    // Before the advised time a request is still refused; just after it, it passes.
    const probe = await chatOnce(gateways[1].url, key);
    expect(probe.status).toBe(429);
    const advisedMs = Number(probe.headers.get('retry-after-ms'));
    const started = Date.now();
    if (advisedMs > 600) {
      await sleep(advisedMs - 500);
      expect((await chatOnce(gateways[2].url, key)).status).toBe(429);
    }
    await sleep(Math.max(0, advisedMs - (Date.now() - started)) + 150);
    expect((await chatOnce(gateways[0].url, key)).status).toBe(200);
  });

  it('tokens per minute: reservations of the estimate plus max_tokens admit exactly what fits, then settle with the real usage', { timeout: 90_000 }, async () => {
    const { key } = await createKey({ tenant: uniqueName('tpm'), tpm: 2_000 });
    const name = uniqueName('tpm');
    const prompt = `count these tokens please [hold:${name}]`;
    // The gateway's own estimate: the prompt's text (roles included) through the existing estimator, plus max_tokens.
    const reservation = estimateTokens(promptText(chatBody(prompt, 150)), { provider: 'openai', modelId: 'gpt-4o-mini' }).tokens + 150;
    const admitted = Math.floor(2_000 / reservation);
    let refusedSoFar = 0;
    const pending = burst(urls(), 200, () => ({ path: '/v1/chat/completions', headers: { authorization: `Bearer ${key}` }, body: chatBody(prompt, 150) }), (status) => {
      if (status === 429) refusedSoFar += 1;
    });
    // Admitted requests wait at the upstream until every request was decided: nothing settles meanwhile.
    await settleAt(() => refusedSoFar + upstream.held(name), 200);
    expect(upstream.held(name)).toBe(admitted);
    upstream.release(name);
    const results = await pending;
    const passed = results.filter((result) => result.status === 200);
    expect(passed).toHaveLength(admitted);
    const refused = results.filter((result) => result.status === 429);
    expect(refused).toHaveLength(200 - passed.length);
    expect(refused.every((result) => result.body.error.code === 'rate_limit_exceeded' && Number(result.headers.get('retry-after')) >= 1)).toBe(true);
    // Settled: the window now holds the real usage of the answered requests, not their reservations.
    const used = passed.reduce((sum, result) => sum + result.body.usage.total_tokens, 0);
    const next = await fetch(`${gateways[2].url}/v1/chat/completions`, { method: 'POST', headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' }, body: JSON.stringify(chatBody(prompt, 150)) });
    expect(next.status).toBe(200);
    expect(Number(next.headers.get('x-ratelimit-remaining-tokens'))).toBe(2_000 - used - reservation);
  });

  it('concurrency: exactly 5 of 200 simultaneous requests run; once they end, the next ones pass', { timeout: 90_000 }, async () => {
    const { key } = await createKey({ tenant: uniqueName('concurrency'), concurrency: 5 });
    const name = uniqueName('concurrency');
    let refusedSoFar = 0;
    const pending = burst(urls(), 200, (index) => ({ path: '/v1/chat/completions', headers: { authorization: `Bearer ${key}` }, body: chatBody(`c ${index} [hold:${name}]`) }), (status) => {
      if (status === 429) refusedSoFar += 1;
    });
    // The admitted requests stay in flight (held upstream) until all 200 were decided.
    await settleAt(() => refusedSoFar + upstream.held(name), 200);
    expect(upstream.held(name)).toBe(5);
    upstream.release(name);
    const results = await pending;
    expect(results.filter((result) => result.status === 200)).toHaveLength(5);
    const refused = results.filter((result) => result.status === 429);
    expect(refused).toHaveLength(195);
    expect(refused.every((result) => result.body.error.code === 'rate_limit_exceeded' && result.headers.get('retry-after') === '1')).toBe(true);
    const again = await burst(urls(), 5, (index) => ({ path: '/v1/chat/completions', headers: { authorization: `Bearer ${key}` }, body: chatBody(`again ${index}`) }));
    expect(again.map((result) => result.status)).toEqual([200, 200, 200, 200, 200]);
  });

  it('concurrency 1: one caller sending one request after another, over every instance, is never refused', { timeout: 60_000 }, async () => {
    // Each answer goes out once its slot is free again in Redis, so the next request (on another instance) finds it free.
    const { key } = await createKey({ tenant: uniqueName('sequential'), concurrency: 1 });
    const statuses: number[] = [];
    for (let index = 0; index < 30; index++) statuses.push((await chatOnce(gateways[index % gateways.length].url, key, `one after another ${index}`)).status);
    expect(statuses.filter((status) => status !== 200)).toEqual([]);
  });
});

describe('keys across three gateway processes', () => {
  it('a key revoked by the CLI, or by the admin API of one instance, is refused by every instance within a second', async () => {
    const environment = cleanEnvironment({ SWITCHYARD_DATABASE_URL: databaseUrl });
    for (const revoke of ['cli', 'api'] as const) {
      const { id, key } = await createKey({ tenant: uniqueName('revoke') });
      // Every instance has the key in its cache.
      for (const gateway of gateways) expect((await chatOnce(gateway.url, key, 'warm')).status).toBe(200);
      let revokedAt: number;
      if (revoke === 'cli') {
        const result = await runCli(['keys', 'revoke', id], environment);
        expect(result.code, result.stderr).toBe(0);
        revokedAt = Date.now();
      } else {
        const response = await fetch(`${gateways[1].url}/admin/keys/${id}`, { method: 'DELETE', headers: { authorization: `Bearer ${ADMIN}` } });
        expect(response.status).toBe(200);
        revokedAt = Date.now();
      }
      const refusedAfter = await Promise.all(
        gateways.map(async (gateway) => {
          for (;;) {
            const response = await fetch(`${gateway.url}/v1/models`, { headers: { authorization: `Bearer ${key}` } });
            await response.arrayBuffer();
            if (response.status === 401) return Date.now() - revokedAt;
            if (Date.now() - revokedAt > 5_000) return Infinity;
            await sleep(20);
          }
        }),
      );
      for (const delay of refusedAfter) expect(delay, revoke).toBeLessThan(1_000);
    }
  });

  it('never logs, shows or stores a key in clear', async () => {
    const listed = await (await fetch(`${gateways[2].url}/admin/keys`, { headers: { authorization: `Bearer ${ADMIN}` } })).text();
    const stored = JSON.stringify(await database.database.db.selectFrom('gateway_keys').selectAll().execute());
    const cliList = await runCli(['keys', 'list', '--json'], cleanEnvironment({ SWITCHYARD_DATABASE_URL: databaseUrl }));
    expect(issuedKeys.length).toBeGreaterThanOrEqual(5);
    for (const key of issuedKeys) {
      expect(listed).not.toContain(key);
      expect(stored).not.toContain(key);
      expect(cliList.stdout).not.toContain(key);
      for (const gateway of gateways) expect(gateway.output()).not.toContain(key);
    }
    expect(gateways[0].output()).toMatch(/"level"/); // the processes did log (at debug level)
  });
});
