import type { ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createWriteStream, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Switchyard } from '../src/client/types.js';
import { startOpenAIMockServer, type OpenAIMockServer } from '../src/mock-upstream/openai-server.js';
import { createRedisClusterClient } from '../src/cache/redis-cluster-client.js';
import { redisClusterNodesSchema } from '../src/config/scale-schema.js';
import { createDatabase } from '../src/store/database.js';
import { cleanEnvironment, startCli } from './support/cli.js';
import { burst } from './support/gateway-processes.js';
import { createTestClient } from './support/client.js';
import { startRedisCluster, type TestRedisCluster } from './support/redis-cluster.js';
import { POSTGRES_URL, uniqueName } from './store-support.js';

/** This file's private cluster: ports 17400-17405 (bus ports 27400-27405). */
const CLUSTER_BASE_PORT = 17400;

const ADMIN_KEY = 'scale-admin-key-0000000001';

let cluster: TestRedisCluster;
let upstream: OpenAIMockServer;
let chatCalls = 0;
let listCalls = 0;
let schema: string;
let databaseUrl: string;
let workdir: string;
const gateways: { child: ChildProcess; url: string }[] = [];

async function startGateway(): Promise<{ child: ChildProcess; url: string }> {
  const configFile = join(workdir, 'config.json');
  const { child, match } = await startCli(
    ['serve', '--port', '0', '--config', configFile],
    cleanEnvironment({ SWITCHYARD_REDIS_CLUSTER_NODES: cluster.seeds, SWITCHYARD_DATABASE_URL: databaseUrl }),
    /listening on (http:\/\/\S+)/,
  );
  // Kept for the failure message: a gateway that dies mid-test says why.
  const output = createWriteStream(join(workdir, `gateway-${child.pid}.log`));
  child.stdout?.pipe(output);
  child.stderr?.pipe(output);
  return { child, url: match[1] };
}

beforeAll(async () => {
  workdir = mkdtempSync(join(tmpdir(), 'switchyard-scale-'));
  // The "provider": slow enough that 300 requests overlap on every instance; counts chat and list calls.
  upstream = await startOpenAIMockServer({
    latencyMs: 300,
    models: ['model-a', 'model-b'],
    onRequest: (request) => {
      if (request.path === '/v1/chat/completions') chatCalls += 1;
      if (request.path === '/v1/models') listCalls += 1;
      return undefined;
    },
  });
  schema = uniqueName('sy_scale');
  // Migrated here, once: the gateways and clients then find every table in their search_path.
  const migrated = createDatabase(POSTGRES_URL, { schema });
  await migrated.migrate();
  await migrated.close();
  databaseUrl = `${POSTGRES_URL}?options=${encodeURIComponent(`-c search_path=${schema}`)}`;
  writeFileSync(
    join(workdir, 'config.json'),
    JSON.stringify({
      cache: { responses: true },
      providers: { up: { type: 'openai-compatible', baseURL: upstream.url, apiKey: 'test-key', retries: 0 } },
      // Long enough for a burst on a loaded machine to land inside one window.
      limits: { windowSeconds: 20 },
      server: { adminKey: ADMIN_KEY },
    }),
  );
  cluster = await startRedisCluster(CLUSTER_BASE_PORT);
  gateways.push(...(await Promise.all([startGateway(), startGateway(), startGateway()])));
}, 90_000);

afterAll(async () => {
  await Promise.all(
    gateways.map(async ({ child }) => {
      if (child.exitCode !== null) return;
      const exited = once(child, 'exit');
      child.kill('SIGTERM');
      await exited;
    }),
  );
  await cluster?.stop();
  await upstream?.close();
  const admin = createDatabase(POSTGRES_URL);
  await sql`drop schema if exists ${sql.id(schema)} cascade`.execute(admin.db);
  await admin.close();
  if (process.env.SWITCHYARD_KEEP_TEST_FILES === undefined) rmSync(workdir, { recursive: true, force: true });
}, 60_000);

const parseClusterNodes = (seeds: string) => redisClusterNodesSchema.parse(seeds);

async function chat(gateway: { url: string }, content: string): Promise<{ status: number; cache: string | null; content?: string }> {
  const response = await fetch(`${gateway.url}/v1/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ model: 'up/model-a', temperature: 0, messages: [{ role: 'user', content }] }),
  });
  const body = (await response.json()) as { choices?: Array<{ message: { content: string } }> };
  return { status: response.status, cache: response.headers.get('x-switchyard-cache'), content: body.choices?.[0]?.message.content };
}

describe('three gateway instances on a Redis Cluster (3 masters, 3 replicas) and PostgreSQL', () => {
  it('reports the cluster on /readyz', async () => {
    const response = await fetch(`${gateways[0].url}/readyz`);
    const body = (await response.json()) as { status: string; dependencies: Record<string, { status: string; cluster?: { state: string; size: number; slotsOk: number } }> };
    expect(response.status).toBe(200);
    expect(body.dependencies.redis.status).toBe('up');
    expect(body.dependencies.redisCluster).toMatchObject({ status: 'up', cluster: { state: 'ok', size: 3, slotsOk: 16384 } });
  });

  it('makes one upstream call for 300 concurrent identical requests spread over the instances', async () => {
    const before = chatCalls;
    const results = await Promise.all(Array.from({ length: 300 }, (_, index) => chat(gateways[index % 3], 'one answer for the whole fleet')));
    expect(results.every((result) => result.status === 200)).toBe(true);
    expect(new Set(results.map((result) => result.content)).size).toBe(1);
    expect(chatCalls - before).toBe(1);
  });

  it('runs one catalog refresh per provider at a time across the fleet', async () => {
    const before = listCalls;
    const lists = await Promise.all(gateways.map((gateway) => fetch(`${gateway.url}/v1/models`).then(async (response) => ({ status: response.status, body: (await response.json()) as { data: Array<{ id: string }> } }))));
    expect(lists.map((list) => list.status)).toEqual([200, 200, 200]);
    for (const list of lists) expect(list.body.data.map((model) => model.id)).toEqual(expect.arrayContaining(['up/model-a', 'up/model-b']));
    expect(listCalls - before).toBe(1);
  });

  it('invalidates the in-memory copies of every instance within 50 ms', async () => {
    // The writer keeps its SQL layer in memory, so the time measured from its delete is Redis and the message, not a PostgreSQL write.
    const instances: Switchyard[] = [':memory:', databaseUrl, databaseUrl].map((url) => createTestClient({ redisClusterNodes: cluster.seeds, databaseUrl: url }));
    try {
      const caches = await Promise.all(instances.map((instance) => instance.services.cache()));
      const keys = Array.from({ length: 10 }, (_, index) => `${uniqueName('invalidate')}:${index}`);
      for (const key of keys) {
        await caches[0].set(key, 'value');
        // The others read it through Redis, which leaves a copy in their memory.
        for (const cache of caches.slice(1)) expect((await cache.get(key))?.layer).toBe('redis');
        for (const cache of caches.slice(1)) expect((await cache.get(key))?.layer).toBe('memory');
      }
      for (const key of keys) {
        const received = caches.slice(1).map((cache) => cache.stats().invalidationsReceived);
        const started = performance.now();
        await caches[0].delete(key);
        // Each instance drops its memory copy as the message arrives (and counts it): the time from the delete until then.
        const elapsed = await Promise.all(
          caches.slice(1).map(async (cache, index) => {
            while (cache.stats().invalidationsReceived === received[index]) {
              if (performance.now() - started > 1000) return Infinity;
              await new Promise((resolve) => setImmediate(resolve));
            }
            return performance.now() - started;
          }),
        );
        for (const milliseconds of elapsed) expect(milliseconds).toBeLessThan(50);
        for (const cache of caches.slice(1)) expect(await cache.get(key)).toBeUndefined();
      }
    } finally {
      await Promise.all(instances.map((instance) => instance.close()));
    }
  });

  it('rides out MOVED and ASK while slots and their keys move between masters', async () => {
    const client = createRedisClusterClient(parseClusterNodes(cluster.seeds));
    await client.connect();
    try {
      const keys = Array.from({ length: 400 }, (_, index) => `${uniqueName('moving')}:${index}`);
      await Promise.all(keys.map((key) => client.set(key, key)));
      let running = true;
      const errors: string[] = [];
      let reads = 0;
      const load = (async () => {
        while (running) {
          await Promise.all(
            keys.map(async (key) => {
              try {
                const [value] = await Promise.all([client.get(key), client.pTTL(key), client.set(`${key}:written`, 'x')]);
                reads += 1;
                if (value !== key) errors.push(`${key}: read ${String(value)}`);
              } catch (error) {
                errors.push(`${key}: ${(error as Error).message}`);
              }
            }),
          );
        }
      })();
      try {
        // A third of the first master's slots go to the second one, keys and all.
        await cluster.reshard(cluster.nodes[0].port, cluster.nodes[1].port, 2000);
      } finally {
        running = false;
        await load;
      }
      expect(errors).toEqual([]);
      expect(reads).toBeGreaterThan(keys.length);
    } finally {
      await client.close();
    }
  }, 60_000);

  it('serves every request while a master is killed and replaced, and uses the cache again after the failover', async () => {
    const prompts = Array.from({ length: 30 }, (_, index) => `steady ${index}`);
    // Warm: each prompt cached once.
    await Promise.all(prompts.map((prompt, index) => chat(gateways[index % 3], prompt)));
    let running = true;
    const failures: string[] = [];
    let served = 0;
    const load = (async () => {
      for (let round = 0; running; round += 1) {
        const results = await Promise.all(
          prompts.slice(0, 9).map((prompt, index) => chat(gateways[(index + round) % 3], `${prompt} round ${round % 5}`).catch((error: unknown) => ({ status: 0, error: String(error) }))),
        );
        for (const result of results) {
          served += 1;
          if (result.status !== 200) failures.push(JSON.stringify(result));
        }
      }
    })();
    try {
      await cluster.killMasterAndWaitForFailover(cluster.nodes[0].port, 30_000);
      // Every instance finds the new topology (its /readyz says so) while the load goes on.
      for (const gateway of gateways) {
        await expect.poll(async () => (await fetch(`${gateway.url}/readyz`)).status, { timeout: 15_000, interval: 200 }).toBe(200);
      }
    } finally {
      running = false;
      await load;
    }
    expect(failures).toEqual([]);
    expect(served).toBeGreaterThan(0);

    // After the failover: a new answer stored by one instance is read from Redis by another (once its Redis layer,
    // skipped for a second after its last failure, is back), then on every shard.
    let probe = 0;
    await expect
      .poll(
        async () => {
          probe += 1;
          await chat(gateways[0], `probe after failover ${probe}`);
          return (await chat(gateways[1], `probe after failover ${probe}`)).cache;
        },
        { timeout: 15_000, interval: 100 },
      )
      .toBe('hit-redis');
    const fresh = Array.from({ length: 24 }, (_, index) => `after failover ${index}`);
    const first = await Promise.all(fresh.map((prompt) => chat(gateways[0], prompt)));
    expect(first.every((result) => result.status === 200 && result.cache === 'miss')).toBe(true);
    const second = await Promise.all(fresh.map((prompt, index) => chat(gateways[1 + (index % 2)], prompt)));
    expect(second.map((result) => result.cache)).toEqual(fresh.map(() => 'hit-redis'));
  }, 90_000);

  // Last: once a key exists, every request needs one.
  it('holds a key to its rate limit to the request across the instances (the limiter\'s Lua script on the cluster)', async () => {
    const created = await fetch(`${gateways[0].url}/admin/keys`, {
      method: 'POST',
      headers: { authorization: `Bearer ${ADMIN_KEY}`, 'content-type': 'application/json' },
      body: JSON.stringify({ tenant: uniqueName('scale'), rpm: 25 }),
    });
    expect(created.status).toBe(201);
    const { key } = (await created.json()) as { key: string };
    const results = await burst(
      gateways.map((gateway) => gateway.url),
      90,
      (index) => ({ path: '/v1/chat/completions', headers: { authorization: `Bearer ${key}` }, body: { model: 'up/model-a', messages: [{ role: 'user', content: `limited ${index}` }] } }),
    );
    expect(results.filter((result) => result.status === 200)).toHaveLength(25);
    expect(results.filter((result) => result.status === 429)).toHaveLength(65);
    // Every instance admitted some and refused some: the count is the cluster's, not each process's.
    for (const instance of [0, 1, 2]) {
      expect(results.some((result) => result.instance === instance && result.status === 429)).toBe(true);
    }
  }, 60_000);
});
