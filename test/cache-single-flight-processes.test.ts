import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CacheStats } from '../src/cache/cache-events.js';
import { createRedisClient } from '../src/cache/redis-client.js';
import type { RedisLike } from '../src/cache/redis-like.js';
import { REDIS_URL, uniqueName } from './store-support.js';

const WORKER = fileURLToPath(new URL('./cache-single-flight-worker.ts', import.meta.url));
const prefix = `${uniqueName('sy-flight')}:`;
let upstream: Server;
let upstreamUrl: string;
let upstreamRequests = 0;
let redis: RedisLike;

beforeAll(async () => {
  redis = createRedisClient(REDIS_URL);
  await redis.connect();
  // The "provider": counts every request and answers slowly enough that both processes are waiting on it.
  upstream = createServer((_request, response) => {
    upstreamRequests += 1;
    const answer = JSON.stringify({ answer: `computed #${upstreamRequests}` });
    setTimeout(() => response.end(answer), 500);
  });
  upstream.listen(0, '127.0.0.1');
  await once(upstream, 'listening');
  upstreamUrl = `http://127.0.0.1:${(upstream.address() as AddressInfo).port}/`;
});

afterAll(async () => {
  upstream?.close();
  for await (const keys of redis.scanIterator({ MATCH: `${prefix}*`, COUNT: 500 })) {
    if ((keys as string[]).length > 0) await redis.del(keys as string[]);
  }
  await redis?.close();
});

interface WorkerResult {
  values: string[];
  sources: string[];
  stats: CacheStats;
}

function startWorker(key: string): { child: ChildProcessWithoutNullStreams; ready: Promise<void>; result: Promise<WorkerResult> } {
  const child = spawn(process.execPath, ['--import', 'tsx', WORKER], {
    env: { ...process.env, REDIS_URL, PREFIX: prefix, KEY: key, UPSTREAM_URL: upstreamUrl, CALLS: '50' },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const lines = createInterface({ input: child.stdout });
  let onReady!: () => void;
  const ready = new Promise<void>((resolve) => (onReady = resolve));
  const result = new Promise<WorkerResult>((resolve, reject) => {
    lines.on('line', (line) => {
      if (line === 'ready') onReady();
      else if (line.startsWith('{')) resolve(JSON.parse(line) as WorkerResult);
    });
    child.on('exit', (code) => reject(new Error(`worker exited with ${code}: ${stderr}`)));
  });
  return { child, ready, result };
}

describe('getOrCompute across processes', () => {
  it('two processes sharing Redis, 50 concurrent calls each, compute once', async () => {
    const key = `response:${uniqueName('k')}`;
    const workers = [startWorker(key), startWorker(key)];
    await Promise.all(workers.map((worker) => worker.ready));
    for (const worker of workers) worker.child.stdin.write('go\n');
    const results = await Promise.all(workers.map((worker) => worker.result));

    expect(upstreamRequests).toBe(1);
    const values = results.flatMap((result) => result.values);
    expect(values).toHaveLength(100);
    expect(new Set(values)).toEqual(new Set([JSON.stringify({ answer: 'computed #1' })]));
    expect(results.map((result) => result.stats.computes).sort()).toEqual([0, 1]);
    // The process that did not compute waited on the lock and then read the value from Redis.
    const waiter = results.find((result) => result.stats.computes === 0)!;
    expect(waiter.stats.lockWaits).toBe(1);
    expect(waiter.sources).toEqual(Array.from({ length: 50 }, () => 'redis'));
    expect(await redis.get(`${prefix}lock:${key}`)).toBeNull();
  }, 60_000);
});
