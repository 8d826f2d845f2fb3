import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { costOf, pricingFor } from '../src/catalog/cost.js';
import { startOpenAIMockServer, type OpenAIMockServer } from '../src/mock-upstream/openai-server.js';
import { cleanEnvironment, runCli } from './support/cli.js';
import { postgresUrlInSchema, startGatewayProcess, type GatewayProcess } from './support/gateway-processes.js';
import { createTestPostgres, POSTGRES_URL, REDIS_URL, uniqueName, type TestDatabase } from './store-support.js';
import { spendTotals } from './support/spend-totals.js';

// Spend across three gateway processes: costs from catalog prices, budgets, write-behind flushes at SIGTERM and at most one interval lost at kill -9.
const ADMIN = 'spend-admin-key-000000001';
const MODEL = 'openai/gpt-4o';
const PRICE = pricingFor('openai', 'gpt-4o')!;
const BUDGET_TENANT = uniqueName('budget_tenant');
/** The cost of `budget request N`: 9 input tokens (3 words plus the mock's framing) and 3 output tokens at gpt-4o's price. */
const UNIT = costOf({ inputTokens: 9, outputTokens: 3, totalTokens: 12 }, PRICE)!;
let upstream: OpenAIMockServer;
let database: TestDatabase;
let databaseUrl: string;
let gateways: GatewayProcess[] = [];
let config: object;
let env: Record<string, string>;

beforeAll(async () => {
  upstream = await startOpenAIMockServer();
  database = await createTestPostgres();
  databaseUrl = postgresUrlInSchema(POSTGRES_URL, database.database.schema!);
  config = { cache: { responses: true }, server: { adminKey: ADMIN }, limits: { tenants: { [BUDGET_TENANT]: { budgetUsd: 2.5 * UNIT, budgetPeriod: 'month' } } } };
  env = { SWITCHYARD_DATABASE_URL: databaseUrl, SWITCHYARD_REDIS_URL: REDIS_URL, OPENAI_API_KEY: 'sk-upstream-test', OPENAI_BASE_URL: upstream.url };
  gateways = await Promise.all([0, 1, 2].map(() => startGatewayProcess(config, env)));
}, 60_000);

afterAll(async () => {
  await Promise.all(gateways.map((gateway) => gateway.stop('SIGKILL')));
  await database?.dispose();
  await upstream?.close();
});

async function createKey(gateway: GatewayProcess, body: Record<string, unknown>): Promise<{ id: string; key: string }> {
  const response = await fetch(`${gateway.url}/admin/keys`, { method: 'POST', headers: { authorization: `Bearer ${ADMIN}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
  expect(response.status).toBe(201);
  return (await response.json()) as { id: string; key: string };
}

interface Seen {
  status: number;
  cost: number;
  savings: number;
  hit: boolean;
  body: any;
}

/** One chat call; the cost the client saw: its usage at the catalog price, 0 for a cache hit (whose price is saved). */
async function chat(gateway: GatewayProcess, key: string, content: string): Promise<Seen> {
  const response = await fetch(`${gateway.url}/v1/chat/completions`, {
    method: 'POST',
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
    body: JSON.stringify({ model: MODEL, temperature: 0, messages: [{ role: 'user', content }] }),
  });
  const body = (await response.json()) as any;
  if (response.status !== 200) return { status: response.status, cost: 0, savings: 0, hit: false, body };
  const price = costOf({ inputTokens: body.usage.prompt_tokens, outputTokens: body.usage.completion_tokens, totalTokens: body.usage.total_tokens }, PRICE)!;
  const hit = response.headers.get('x-switchyard-cache')!.startsWith('hit-');
  return { status: 200, cost: hit ? 0 : price, savings: hit ? price : 0, hit, body };
}

async function spendOf(keyId: string) {
  return spendTotals(database.database.db, keyId);
}

/** Deterministic prompts of 1 to 300 words. */
function prompt(index: number): string {
  const words = 1 + ((index * 7919) % 300);
  return Array.from({ length: words }, (_, word) => `w${index}x${word}`).join(' ');
}

describe('budgets and spend across three gateway processes', () => {
  it('stops a key at the request that crosses its budget, and a tenant at the one that crosses the tenant budget, in both error shapes', async () => {
    const probe = await createKey(gateways[0], { tenant: uniqueName('probe') });
    const unit = (await chat(gateways[0], probe.key, 'budget request 0')).cost;
    expect(unit).toBeCloseTo(UNIT, 12); // the config's tenant budget is 2.5 of these
    const limited = await createKey(gateways[1], { tenant: uniqueName('budget'), budgetUsd: 3.5 * unit, budgetPeriod: 'day' });
    const statuses: number[] = [];
    for (let index = 1; index <= 6; index += 1) statuses.push((await chat(gateways[index % 3], limited.key, `budget request ${index}`)).status);
    // Spent 3 units < 3.5: the 4th is let through; after it 4 units >= 3.5, so the 5th and later are refused.
    expect(statuses).toEqual([200, 200, 200, 200, 429, 429]);
    const refused = await chat(gateways[2], limited.key, 'budget request 7');
    expect(refused.body.error).toMatchObject({ code: 'budget_exceeded', type: 'rate_limit_error' });
    const anthropic = await fetch(`${gateways[0].url}/v1/messages`, {
      method: 'POST',
      headers: { 'x-api-key': limited.key, 'content-type': 'application/json', 'anthropic-version': '2023-06-01' },
      body: JSON.stringify({ model: MODEL, max_tokens: 20, messages: [{ role: 'user', content: 'budget request 8' }] }),
    });
    expect(anthropic.status).toBe(429);
    expect(Number(anthropic.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(await anthropic.json()).toMatchObject({ type: 'error', error: { type: 'rate_limit_error', message: expect.stringContaining('budget') } });

    const first = await createKey(gateways[0], { tenant: BUDGET_TENANT });
    const second = await createKey(gateways[1], { tenant: BUDGET_TENANT });
    const tenantStatuses: number[] = [];
    for (let index = 1; index <= 5; index += 1) tenantStatuses.push((await chat(gateways[index % 3], index % 2 ? first.key : second.key, `budget request ${index}`)).status);
    expect(tenantStatuses).toEqual([200, 200, 200, 429, 429]);
  });

  it('1,000 requests over three instances, then SIGTERM: the spend table holds exactly what the clients saw, savings for cache hits', { timeout: 120_000 }, async () => {
    const { id, key } = await createKey(gateways[0], { tenant: uniqueName('spend') });
    const seen: Seen[] = [];
    // 900 distinct prompts, then 100 of them again (cache hits, on any instance through Redis).
    const prompts = [...Array.from({ length: 900 }, (_, index) => prompt(index)), ...Array.from({ length: 100 }, (_, index) => prompt(index * 9))];
    let next = 0;
    await Promise.all(
      Array.from({ length: 24 }, async () => {
        while (next < 900) {
          const index = next++;
          seen.push(await chat(gateways[index % 3], key, prompts[index]));
        }
      }),
    );
    for (let index = 900; index < 1000; index += 10) {
      seen.push(...(await Promise.all(prompts.slice(index, index + 10).map((text, offset) => chat(gateways[(index + offset) % 3], key, text)))));
    }
    expect(seen.filter((answer) => answer.status === 200)).toHaveLength(1000);
    const hits = seen.filter((answer) => answer.hit).length;
    expect(hits).toBe(100);
    const cost = seen.reduce((sum, answer) => sum + answer.cost, 0);
    const savings = seen.reduce((sum, answer) => sum + answer.savings, 0);
    expect(cost).toBeGreaterThan(1);

    expect(await Promise.all(gateways.map((gateway) => gateway.stop('SIGTERM')))).toEqual([0, 0, 0]);
    const stored = await spendOf(id);
    expect(Math.round(Number(stored.cost) * 100)).toBe(Math.round(cost * 100)); // to the cent
    expect(Number(stored.cost)).toBeCloseTo(cost, 9);
    expect(Number(stored.savings)).toBeCloseTo(savings, 9);
    expect(Number(stored.requests)).toBe(1000);
    expect(Number(stored.hits)).toBe(100);

    const report = await runCli(['spend', '--by', 'key', '--json'], cleanEnvironment({ SWITCHYARD_DATABASE_URL: databaseUrl }));
    expect(report.code, report.stderr).toBe(0);
    const line = (JSON.parse(report.stdout) as { data: Array<{ group: string; costUsd: number; savingsUsd: number; requests: number }> }).data.find((entry) => entry.group === id);
    expect(line).toMatchObject({ requests: 1000 });
    expect(line!.costUsd).toBeCloseTo(cost, 9);
    expect(line!.savingsUsd).toBeCloseTo(savings, 9);
  });

  it('after kill -9, at most the last flush interval of spend is missing', { timeout: 60_000 }, async () => {
    const gateway = await startGatewayProcess(config, env);
    gateways = [gateway];
    const { id, key } = await createKey(gateway, { tenant: uniqueName('killed') });
    const completed: Array<{ at: number; cost: number }> = [];
    let killedAt = 0;
    const started = Date.now();
    await Promise.all(
      Array.from({ length: 4 }, async (_, worker) => {
        for (let index = worker; killedAt === 0; index += 4) {
          const answer = await chat(gateway, key, prompt(5000 + index)).catch(() => undefined);
          if (answer?.status === 200 && killedAt === 0) completed.push({ at: Date.now(), cost: answer.cost });
          if (killedAt === 0 && Date.now() - started > 3_500) {
            killedAt = Date.now();
            gateway.child.kill('SIGKILL');
          }
        }
      }),
    );
    await gateway.stop();
    const stored = Number((await spendOf(id)).cost);
    const total = completed.reduce((sum, answer) => sum + answer.cost, 0);
    // Everything answered more than one flush interval (1 s, plus the flush's own time) before the kill was written.
    const settledEarlier = completed.filter((answer) => answer.at < killedAt - 1_500).reduce((sum, answer) => sum + answer.cost, 0);
    expect(settledEarlier).toBeGreaterThan(0);
    expect(stored).toBeGreaterThanOrEqual(settledEarlier - 1e-9);
    expect(stored).toBeLessThanOrEqual(total + 1e-9);
  });
});
