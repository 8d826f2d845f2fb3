import type { ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createServer } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from './gateway-support.js';
import { burst, postgresUrlInSchema, startGatewayProcess, type GatewayProcess } from './support/gateway-processes.js';
import { startRedis, stopRedis } from './support/redis-server.js';
import { createTestPostgres, POSTGRES_URL, uniqueName, type TestDatabase } from './store-support.js';

// Three gateways on a private Redis that is killed mid-run and started again.
const ADMIN = 'outage-admin-key-00000001';
let redis: ChildProcess | undefined;
let redisPort: number;
let database: TestDatabase;
let gateways: GatewayProcess[] = [];

/** A free port in 17300-17399, the range this test may use for its own redis-server. */
async function freePortInRange(): Promise<number> {
  for (let port = 17300 + Math.floor(Math.random() * 100), tries = 0; tries < 100; tries += 1, port = 17300 + ((port - 17300 + 1) % 100)) {
    const server = createServer();
    const free = await new Promise<boolean>((resolve) => {
      server.once('error', () => resolve(false));
      server.listen(port, '127.0.0.1', () => resolve(true));
    });
    if (free) {
      server.close();
      await once(server, 'close');
      return port;
    }
  }
  throw new Error('no free port in 17300-17399');
}

beforeAll(async () => {
  redisPort = await freePortInRange();
  redis = await startRedis(redisPort);
  database = await createTestPostgres();
  const config = { mock: { latencyMs: 20 }, limits: { windowSeconds: 30, redisTimeoutMs: 5000 }, server: { adminKey: ADMIN } };
  const env = { SWITCHYARD_DATABASE_URL: postgresUrlInSchema(POSTGRES_URL, database.database.schema!), SWITCHYARD_REDIS_URL: `redis://127.0.0.1:${redisPort}` };
  gateways = await Promise.all([0, 1, 2].map(() => startGatewayProcess(config, env)));
}, 60_000);

afterAll(async () => {
  await Promise.all(gateways.map((gateway) => gateway.stop()));
  if (redis) await stopRedis(redis);
  await database?.dispose();
});

async function keyWithRpm(rpm: number): Promise<string> {
  const response = await fetch(`${gateways[0].url}/admin/keys`, {
    method: 'POST',
    headers: { authorization: `Bearer ${ADMIN}`, 'content-type': 'application/json' },
    body: JSON.stringify({ tenant: uniqueName('outage'), rpm }),
  });
  expect(response.status).toBe(201);
  return ((await response.json()) as { key: string }).key;
}

async function spread(key: string, count: number) {
  const results = await burst(
    gateways.map((gateway) => gateway.url),
    count,
    (index) => ({ path: '/v1/chat/completions', headers: { authorization: `Bearer ${key}` }, body: { model: 'mock/echo', messages: [{ role: 'user', content: `outage ${index}` }] } }),
  );
  expect(results.every((result) => result.status === 200 || result.status === 429)).toBe(true);
  return results;
}

async function fallbackCount(gateway: GatewayProcess): Promise<number> {
  const text = await (await fetch(`${gateway.url}/metrics`, { headers: { authorization: `Bearer ${ADMIN}` } })).text();
  return Number(/^switchyard_rate_limit_fallbacks_total (\d+)/m.exec(text)?.[1] ?? 0);
}

describe('rate limits when Redis goes away and comes back', () => {
  it('shares limits, falls back per process with a warning and a counter while Redis is down, and shares them again once it returns', { timeout: 90_000 }, async () => {
    // Shared: 30 of 90 across the three instances.
    const shared = await spread(await keyWithRpm(30), 90);
    expect(shared.filter((result) => result.status === 200)).toHaveLength(30);

    await stopRedis(redis!);
    redis = undefined;
    // Down: every request is still answered; each instance enforces the limit on its own (30 each of its 50).
    const alone = await spread(await keyWithRpm(30), 150);
    expect(alone.filter((result) => result.status === 200)).toHaveLength(90);
    for (const [index, gateway] of gateways.entries()) {
      expect(alone.filter((result) => result.instance === index && result.status === 200)).toHaveLength(30);
      expect(gateway.output()).toContain('rate limits: Redis is unreachable; limits are enforced per process until it returns');
      expect(await fallbackCount(gateway)).toBeGreaterThanOrEqual(50);
      expect(gateway.child.exitCode).toBeNull();
    }

    redis = await startRedis(redisPort);
    // Each instance reconnects by itself (readiness reports Redis again), and the next decisions are shared.
    for (const gateway of gateways) {
      const ready = await waitFor(async () => {
        const body = (await (await fetch(`${gateway.url}/readyz`)).json()) as { dependencies: Record<string, { status: string }> };
        return body.dependencies.redis?.status === 'up';
      }, 15_000, 100);
      expect(ready).toBe(true);
    }
    const before = await Promise.all(gateways.map(fallbackCount));
    const again = await spread(await keyWithRpm(30), 90);
    expect(again.filter((result) => result.status === 200)).toHaveLength(30);
    expect(await Promise.all(gateways.map(fallbackCount))).toEqual(before);
    for (const gateway of gateways) {
      expect(gateway.output()).toContain('rate limits: Redis is back; limits are shared again');
      expect(gateway.child.exitCode).toBeNull();
    }
  });
});
