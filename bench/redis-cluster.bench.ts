// Gateway CPU per request with a Redis Cluster (3 masters + 3 replicas) as L2 next to a single Redis node, side by side.
// Usage: npx tsx bench/redis-cluster.bench.ts [--requests=N] [--rounds=N] [--concurrency=N]
// Never run by `npm test`; nothing here asserts a time. Private Redis servers on ports 17450 and 17460-17465.
import { cpus, loadavg } from 'node:os';
import { Pool } from 'undici';
import { startRedisCluster } from '../test/support/redis-cluster.js';
import { startRedis, stopRedis } from '../test/support/redis-server.js';
import { renderTable } from './bench-harness.js';
import { startSwitchyardGatewayChild, startUpstreamChild, switchyardOptionsFor, type GatewayChild } from './bench-servers.js';
import { cpuSeconds } from './process-usage.js';

const argument = (name: string, fallback: number) => Number(process.argv.find((entry) => entry.startsWith(`--${name}=`))?.split('=')[1] ?? fallback);
const REQUESTS = argument('requests', 3000);
const ROUNDS = argument('rounds', 3);
const CONCURRENCY = argument('concurrency', 16);
const DISTINCT_PROMPTS = 200;
const NODE_PORT = 17450;
const CLUSTER_BASE_PORT = 17460;

type Workload = 'redis-hit' | 'miss';

function body(prompt: string): string {
  return JSON.stringify({ model: 'openai/gpt-4o-mini', temperature: 0, messages: [{ role: 'user', content: prompt }] });
}

/** Sends `prompts` through `pool`, `CONCURRENCY` at a time; returns the x-switchyard-cache values seen. */
async function drive(pool: Pool, prompts: string[]): Promise<Map<string, number>> {
  const seen = new Map<string, number>();
  let next = 0;
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < prompts.length) {
        const prompt = prompts[next++];
        const response = await pool.request({ method: 'POST', path: '/v1/chat/completions', headers: { 'content-type': 'application/json' }, body: body(prompt) });
        await response.body.text();
        const cache = response.statusCode === 200 ? String(response.headers['x-switchyard-cache']) : `status ${response.statusCode}`;
        seen.set(cache, (seen.get(cache) ?? 0) + 1);
      }
    }),
  );
  return seen;
}

interface Measured {
  cpuMsPerRequest: number;
  requestsPerSecond: number;
  cache: string;
}

async function measure(gateway: GatewayChild, pool: Pool, prompts: string[]): Promise<Measured> {
  const cpuBefore = (await cpuSeconds(gateway.child.process.pid))!;
  const started = performance.now();
  const seen = await drive(pool, prompts);
  const seconds = (performance.now() - started) / 1000;
  const cpu = (await cpuSeconds(gateway.child.process.pid))! - cpuBefore;
  return {
    cpuMsPerRequest: (cpu * 1000) / prompts.length,
    requestsPerSecond: prompts.length / seconds,
    cache: [...seen].map(([status, count]) => `${status} ${count}`).join(', '),
  };
}

function median(values: number[]): number {
  const sorted = [...values].sort((left, right) => left - right);
  return sorted[Math.floor(sorted.length / 2)];
}

console.log(`# Redis Cluster vs single node as L2: gateway CPU per request`);
console.log(`\n${new Date().toISOString()} | node ${process.version} | ${cpus().length} cores | load average ${loadavg().map((value) => value.toFixed(2)).join(' ')}`);
console.log(`${REQUESTS} requests per round, ${ROUNDS} interleaved rounds, concurrency ${CONCURRENCY}`);

const upstream = await startUpstreamChild({ latencyMs: 0 });
const node = await startRedis(NODE_PORT);
const cluster = await startRedisCluster(CLUSTER_BASE_PORT);
// The in-process layer is kept too small to hold an entry, so every hit is read from Redis (L2).
const base = { ...switchyardOptionsFor(upstream.url, { cache: true, monitoring: true }), cache: { responses: true, memoryMaxBytes: 1 } };
const gateways = {
  node: await startSwitchyardGatewayChild({ name: 'switchyard (single Redis node)', switchyard: { ...base, redisUrl: `redis://127.0.0.1:${NODE_PORT}` } }),
  cluster: await startSwitchyardGatewayChild({ name: 'switchyard (Redis Cluster)', switchyard: { ...base, redisClusterNodes: cluster.seeds } }),
};
const pools = { node: new Pool(gateways.node.url, { connections: CONCURRENCY }), cluster: new Pool(gateways.cluster.url, { connections: CONCURRENCY }) };
const results: Record<Workload, Record<'node' | 'cluster', Measured[]>> = { 'redis-hit': { node: [], cluster: [] }, miss: { node: [], cluster: [] } };

try {
  const warm = Array.from({ length: DISTINCT_PROMPTS }, (_, index) => `warm prompt ${index}`);
  for (const name of ['node', 'cluster'] as const) await drive(pools[name], warm);
  // One untimed round of each workload first: the JIT warms up on both sides before anything counts.
  for (const name of ['node', 'cluster'] as const) {
    await drive(pools[name], Array.from({ length: REQUESTS }, (_, index) => warm[index % DISTINCT_PROMPTS]));
    await drive(pools[name], Array.from({ length: REQUESTS }, (_, index) => `warm-up ${name} unique ${index}`));
  }
  for (let round = 0; round < ROUNDS; round += 1) {
    // Alternate which side goes first, so a change in the machine's load falls on both.
    const order = round % 2 === 0 ? (['node', 'cluster'] as const) : (['cluster', 'node'] as const);
    for (const name of order) {
      const hits = Array.from({ length: REQUESTS }, (_, index) => warm[index % DISTINCT_PROMPTS]);
      results['redis-hit'][name].push(await measure(gateways[name], pools[name], hits));
      const misses = Array.from({ length: REQUESTS }, (_, index) => `round ${round} ${name} unique ${index}`);
      results.miss[name].push(await measure(gateways[name], pools[name], misses));
    }
  }
} finally {
  await Promise.all([pools.node.close(), pools.cluster.close()]);
  await Promise.all([gateways.node.stop(), gateways.cluster.stop()]);
  await upstream.stop();
  await stopRedis(node);
  await cluster.stop();
}

for (const workload of ['redis-hit', 'miss'] as const) {
  const medians = (['node', 'cluster'] as const).map((name) => median(results[workload][name].map((round) => round.cpuMsPerRequest)));
  const rows = (['node', 'cluster'] as const).map((name, index) => {
    const rounds = results[workload][name];
    return [
      name === 'node' ? 'single Redis node' : 'Redis Cluster (3+3)',
      medians[index].toFixed(3),
      rounds.map((round) => round.cpuMsPerRequest.toFixed(3)).join(' / '),
      median(rounds.map((round) => round.requestsPerSecond)).toFixed(0),
      rounds.at(-1)!.cache,
    ];
  });
  const ratio = medians[1] / medians[0];
  console.log(`\n## ${workload === 'redis-hit' ? 'hits read from Redis (L1 too small to hold them)' : 'misses: lock, upstream call, write to every layer'}\n`);
  console.log(renderTable(['configuration', 'gateway CPU ms/request (median)', 'per round', 'req/s (median)', 'cache statuses (last round)'], rows, ['left', 'right', 'right', 'right', 'left']));
  console.log(`\ncluster / node CPU per request: ${ratio.toFixed(3)}`);
}
