/*
 * A separate process for test/cache-single-flight-processes.test.ts: a
 * memory + Redis tiered cache with the Redis lock. It prints `ready`, waits
 * for `go` on stdin, runs CALLS concurrent getOrCompute calls of one key
 * whose compute is an HTTP request to the test's upstream, then prints one
 * JSON line with the values and its stats.
 */
import { createInterface } from 'node:readline';
import { createMemoryLayer } from '../src/cache/memory-layer.js';
import { createRedisClient } from '../src/cache/redis-client.js';
import { createRedisLayer } from '../src/cache/redis-layer.js';
import { createRedisLock } from '../src/cache/redis-lock.js';
import { createTieredCache } from '../src/cache/tiered-cache.js';

const { REDIS_URL, PREFIX, KEY, UPSTREAM_URL, CALLS } = process.env as Record<string, string>;

const client = createRedisClient(REDIS_URL);
await client.connect();
const cache = createTieredCache({
  layers: [createMemoryLayer(), createRedisLayer({ client, prefix: `${PREFIX}cache:` })],
  lock: createRedisLock({ client, prefix: `${PREFIX}lock:` }),
});

const lines = createInterface({ input: process.stdin });
process.stdout.write('ready\n');
for await (const line of lines) {
  if (line.trim() === 'go') break;
}
lines.close();

const compute = async () => {
  const response = await fetch(UPSTREAM_URL);
  return response.text();
};
const results = await Promise.all(Array.from({ length: Number(CALLS) }, () => cache.getOrCompute(KEY, compute, 60_000)));
process.stdout.write(`${JSON.stringify({ values: results.map((result) => result.value), sources: results.map((result) => result.source), stats: cache.stats() })}\n`);
await cache.close();
await client.close();
