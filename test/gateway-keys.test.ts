import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashKey } from '../src/access/key-secret.js';
import { startTestGateway, type TestGateway } from './gateway-support.js';

// Keys as data, in one gateway over SQLite: admin key, key creation shown once, model access, revocation, in-process limits.
const ADMIN = 'admin-key-for-tests-0001';
const STATIC = 'static-tenant-key-0001';
let gateway: TestGateway;

beforeAll(async () => {
  gateway = await startTestGateway({
    server: { apiKeys: [`legacy:${STATIC}`], adminKey: ADMIN },
    limits: { windowSeconds: 2 },
  });
});

afterAll(async () => {
  await gateway?.stop();
});

function call(path: string, init: { method?: string; key?: string; body?: unknown; headers?: Record<string, string> } = {}) {
  return fetch(`${gateway.url}${path}`, {
    method: init.method ?? (init.body === undefined ? 'GET' : 'POST'),
    headers: { ...(init.body !== undefined ? { 'content-type': 'application/json' } : {}), ...(init.key ? { authorization: `Bearer ${init.key}` } : {}), ...init.headers },
    ...(init.body !== undefined ? { body: JSON.stringify(init.body) } : {}),
  });
}

const chat = (key: string, model = 'mock/echo', content = 'hello') => call('/v1/chat/completions', { key, body: { model, messages: [{ role: 'user', content }] } });

async function createKey(body: Record<string, unknown>): Promise<{ id: string; key: string; tenant: string; name: string }> {
  const response = await call('/admin/keys', { key: ADMIN, body });
  expect(response.status).toBe(201);
  return (await response.json()) as { id: string; key: string; tenant: string; name: string };
}

describe('gateway keys', () => {
  it('guards the operator routes and the admin API with the admin key', async () => {
    for (const path of ['/', '/api/stats', '/metrics', '/admin/keys', '/admin/spend']) {
      const refused = await call(path);
      expect(refused.status, path).toBe(401);
      expect((await call(path, { key: STATIC })).status, path).toBe(401);
      expect((await call(path, { key: ADMIN })).status, path).toBe(200);
    }
    expect((await call('/')).headers.get('www-authenticate')).toContain('Basic');
    const basic = Buffer.from(`operator:${ADMIN}`).toString('base64');
    expect((await call('/api/stats', { headers: { authorization: `Basic ${basic}` } })).status).toBe(200);
    expect((await call('/healthz')).status).toBe(200);
  });

  it('shows a new key once, stores only its hash, and never lists it', async () => {
    const created = await createKey({ tenant: 'acme', name: 'web app', models: ['mock/*'] });
    expect(created.key).toMatch(/^sk-sy-[A-Za-z0-9_-]{43}$/);
    expect(created).toMatchObject({ tenant: 'acme', name: 'web app' });
    const listed = await (await call('/admin/keys?tenant=acme', { key: ADMIN })).text();
    expect(listed).toContain(created.id);
    expect(listed).not.toContain(created.key);
    expect(listed).not.toContain(hashKey(created.key));
    const { db } = await gateway.ai.services.database();
    const row = await db.selectFrom('gateway_keys').selectAll().where('id', '=', created.id).executeTakeFirstOrThrow();
    expect(row.key_hash).toBe(hashKey(created.key));
    expect(JSON.stringify(row)).not.toContain(created.key);
    expect((await chat(created.key)).status).toBe(200);
  });

  it('keeps static keys working and refuses unknown ones', async () => {
    expect((await chat(STATIC)).status).toBe(200);
    const refused = await chat('sk-sy-not-a-key');
    expect(refused.status).toBe(401);
    expect(((await refused.json()) as { error: { code: string } }).error.code).toBe('authentication_failed');
  });

  it('refuses models outside the key patterns with 403 model_not_allowed, and lists only the allowed ones', async () => {
    const created = await createKey({ tenant: 'acme', models: ['openai/*'] });
    const refused = await chat(created.key, 'mock/echo');
    expect(refused.status).toBe(403);
    expect(((await refused.json()) as { error: { code: string; type: string } }).error).toMatchObject({ code: 'model_not_allowed', type: 'permission_error' });
    const anthropic = await call('/v1/messages', { key: created.key, body: { model: 'mock/echo', max_tokens: 10, messages: [{ role: 'user', content: 'x' }] } });
    expect(anthropic.status).toBe(403);
    expect(await anthropic.json()).toMatchObject({ type: 'error', error: { type: 'permission_error' } });
    const models = (await (await call('/v1/models', { key: created.key })).json()) as { data: Array<{ id: string }> };
    expect(models.data.every((model) => model.id.startsWith('openai/'))).toBe(true);
    const everything = (await (await call('/v1/models', { key: STATIC })).json()) as { data: Array<{ id: string }> };
    expect(everything.data.some((model) => model.id === 'mock/echo')).toBe(true);
  });

  it('refuses a revoked key at once and 404s an unknown id', async () => {
    const created = await createKey({ tenant: 'acme' });
    expect((await chat(created.key)).status).toBe(200);
    const revoked = await call(`/admin/keys/${created.id}`, { method: 'DELETE', key: ADMIN });
    expect(revoked.status).toBe(200);
    expect(await revoked.json()).toMatchObject({ id: created.id, revoked: true });
    expect((await chat(created.key)).status).toBe(401);
    expect((await call('/admin/keys/key_missing', { method: 'DELETE', key: ADMIN })).status).toBe(404);
  });

  it('limits requests per window in process, with the rate-limit headers in both shapes', async () => {
    const created = await createKey({ tenant: 'limited', rpm: 3, tpm: 100_000 });
    const answers: Response[] = [];
    for (let index = 0; index < 4; index += 1) answers.push(await chat(created.key, 'mock/echo', `message ${index}`));
    expect(answers.map((answer) => answer.status)).toEqual([200, 200, 200, 429]);
    expect(answers[0].headers.get('x-ratelimit-limit-requests')).toBe('3');
    expect(answers[0].headers.get('x-ratelimit-remaining-requests')).toBe('2');
    expect(answers[0].headers.get('x-ratelimit-reset-requests')).toMatch(/^\d+(\.\d+)?m?s$/);
    expect(answers[0].headers.get('x-ratelimit-limit-tokens')).toBe('100000');
    const body = (await answers[3].json()) as { error: { code: string; type: string } };
    expect(body.error).toMatchObject({ code: 'rate_limit_exceeded', type: 'rate_limit_error' });
    const retryAfter = Number(answers[3].headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(2);
    expect(answers[3].headers.get('x-ratelimit-remaining-requests')).toBe('0');
    const anthropic = await call('/v1/messages', { key: created.key, body: { model: 'mock/echo', max_tokens: 10, messages: [{ role: 'user', content: 'x' }] } });
    expect(anthropic.status).toBe(429);
    expect(anthropic.headers.get('anthropic-ratelimit-requests-limit')).toBe('3');
    expect(anthropic.headers.get('anthropic-ratelimit-requests-reset')).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    expect(await anthropic.json()).toMatchObject({ type: 'error', error: { type: 'rate_limit_error' } });
    await new Promise((resolve) => setTimeout(resolve, Number(answers[3].headers.get('retry-after-ms')) + 50));
    expect((await chat(created.key)).status).toBe(200);
  });

  it('shows spend, savings and rejections by tenant and model on /admin/spend and the dashboard JSON', async () => {
    const report = (await (await call('/admin/spend?by=tenant', { key: ADMIN })).json()) as { by: string; data: Array<{ group: string; requests: number; rejections: number }> };
    expect(report.by).toBe('tenant');
    const acme = report.data.find((line) => line.group === 'acme');
    expect(acme?.requests).toBe(2);
    expect(acme?.rejections).toBe(2); // the two model_not_allowed answers
    expect(report.data.find((line) => line.group === 'limited')?.rejections).toBeGreaterThanOrEqual(2);
    const stats = (await (await call('/api/stats', { key: ADMIN })).json()) as { spend: { byTenant: Array<{ group: string }>; byModel: Array<{ group: string; costUsd: number }> } };
    expect(stats.spend.byTenant.map((line) => line.group)).toContain('acme');
    expect(stats.spend.byModel.find((line) => line.group === 'mock/echo')?.costUsd).toBe(0);
    expect((await call('/admin/spend?by=nonsense', { key: ADMIN })).status).toBe(400);
  });
});
