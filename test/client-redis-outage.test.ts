import type { ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startOpenAIMockServer, type OpenAIMockServer } from '../src/mock-upstream/openai-server.js';
import { createTestClient, fakeOpenAIProvider } from './support/client.js';
import { sparePort, startRedis, stopRedis } from './support/redis-server.js';

let upstream: OpenAIMockServer;
let redis: ChildProcess | undefined;

beforeAll(async () => {
  upstream = await startOpenAIMockServer();
});
afterAll(async () => {
  if (redis?.signalCode === null) redis.kill('SIGCONT');
  if (redis) await stopRedis(redis);
  await upstream.close();
});

/** Sums `switchyard_cache_errors_total{layer="redis"}`. */
async function redisErrors(metricsText: Promise<string>): Promise<number> {
  const line = (await metricsText).split('\n').find((text) => text.startsWith('switchyard_cache_errors_total{layer="redis"}'));
  return line ? Number(line.slice(line.lastIndexOf(' ') + 1)) : 0;
}

describe('the client while its Redis goes away', () => {
  it('keeps answering when Redis is killed, and when it stops answering without closing the connection', async () => {
    const port = await sparePort();
    redis = await startRedis(port);
    const ai = createTestClient({
      providers: { openai: fakeOpenAIProvider(upstream.url) },
      cache: { responses: true },
      redisUrl: `redis://127.0.0.1:${port}`,
      observability: { monitoring: true },
    });
    const ask = (content: string) => ai.chat({ model: 'openai/gpt-4o-mini', temperature: 0, messages: [{ role: 'user', content }] });
    const run = randomUUID();

    expect((await ask(`before ${run}`)).cache).toBe('miss');
    expect(await redisErrors(ai.observability.metricsText())).toBe(0);

    // Frozen: the connection stays open but nothing answers. Calls must not hang on it.
    redis.kill('SIGSTOP');
    const frozen = await ask(`frozen ${run}`);
    expect(frozen.content).toBe(`frozen ${run}`);
    expect(frozen.cache).toBe('miss');
    expect((await ask(`before ${run}`)).cache).toBe('hit-memory');
    expect(await redisErrors(ai.observability.metricsText())).toBeGreaterThan(0);
    redis.kill('SIGCONT');

    // Killed: the connection is refused; calls go on from memory, SQL and the upstream.
    await stopRedis(redis);
    redis = undefined;
    const errorsBefore = await redisErrors(ai.observability.metricsText());
    await new Promise((resolve) => setTimeout(resolve, 1_100)); // past the layer's cool-down, so Redis is tried again
    const afterKill = await ask(`killed ${run}`);
    expect(afterKill.content).toBe(`killed ${run}`);
    expect(await redisErrors(ai.observability.metricsText())).toBeGreaterThan(errorsBefore);
    await ai.close();
  }, 30_000);
});
