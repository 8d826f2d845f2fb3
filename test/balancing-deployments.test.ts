import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Switchyard } from '../src/client/types.js';
import { startOpenAIMockServer, type OpenAIMockServer } from '../src/mock-upstream/openai-server.js';
import { createTestClient, fakeOpenAIProvider } from './support/client.js';
import { REDIS_URL, uniqueName } from './store-support.js';

/** A fake deployment: an OpenAI-compatible server with a fixed latency that counts chat calls and can be made to fail. */
interface FakeDeployment {
  server: OpenAIMockServer;
  calls: number;
  failed: number;
  failing: boolean;
  /** When set, answers carry OpenAI rate-limit headers with this many of 100 requests left. */
  remaining?: number;
}

async function startDeployment(latencyMs: number): Promise<FakeDeployment> {
  const deployment: FakeDeployment = { server: undefined as never, calls: 0, failed: 0, failing: false };
  deployment.server = await startOpenAIMockServer({
    latencyMs,
    reply: 'ok',
    onRequest: (request) => {
      if (request.path !== '/v1/chat/completions') return undefined;
      deployment.calls += 1;
      if (!deployment.failing && deployment.remaining !== undefined) {
        return {
          status: 200,
          headers: { 'x-ratelimit-limit-requests': '100', 'x-ratelimit-remaining-requests': String(deployment.remaining) },
          body: {
            id: `chatcmpl-${deployment.calls}`,
            object: 'chat.completion',
            created: 0,
            model: 'llama',
            choices: [{ index: 0, message: { role: 'assistant', content: 'ok' }, finish_reason: 'stop' }],
            usage: { prompt_tokens: 1, completion_tokens: 1, total_tokens: 2 },
          },
        };
      }
      if (!deployment.failing) return undefined;
      deployment.failed += 1;
      return { status: 500, body: { error: { message: 'deployment down', type: 'server_error', code: null, param: null } } };
    },
  });
  return deployment;
}

let fast: FakeDeployment;
let slow: FakeDeployment;

beforeAll(async () => {
  [fast, slow] = await Promise.all([startDeployment(10), startDeployment(100)]);
});

afterAll(async () => {
  await Promise.all([fast?.server.close(), slow?.server.close()]);
});

function reset(): void {
  for (const deployment of [fast, slow]) Object.assign(deployment, { calls: 0, failed: 0, failing: false, remaining: undefined });
}

/** A client whose route `name` balances over the two fakes; breaker state in the shared Redis (route names are unique per test). */
function createClient(name: string, route: Record<string, unknown>): Switchyard {
  return createTestClient({
    redisUrl: REDIS_URL,
    cache: { responses: false },
    providers: {
      fast: fakeOpenAIProvider(fast.server.url, { retries: 0 }),
      slow: fakeOpenAIProvider(slow.server.url, { retries: 0 }),
    },
    routes: { [name]: { deployments: [{ model: 'fast/llama' }, { model: 'slow/llama' }], ...route } },
  });
}

function ask(client: Switchyard, route: string, text: string) {
  return client.chat({ model: route, messages: [{ role: 'user', content: text }] });
}

describe('balancing over two deployments of one model (fakes at 10 ms and 100 ms)', () => {
  it('weighted 3:1 sends 75% ± 5% of 1,000 requests to the first', async () => {
    reset();
    const name = uniqueName('weighted');
    const client = createClient(name, { strategy: 'weighted', deployments: [{ model: 'fast/llama', weight: 3 }, { model: 'slow/llama', weight: 1 }] });
    try {
      const results = await client.chatMany(
        Array.from({ length: 1000 }, (_, index) => ({ model: name, messages: [{ role: 'user' as const, content: `question ${index}` }] })),
        { concurrency: 50 },
      );
      expect(results.every((result) => result.status === 'fulfilled')).toBe(true);
      expect(fast.calls + slow.calls).toBe(1000);
      expect(fast.calls / 1000).toBeGreaterThanOrEqual(0.7);
      expect(fast.calls / 1000).toBeLessThanOrEqual(0.8);
      const snapshot = client.deployments();
      expect(snapshot.map((entry) => [entry.deployment, entry.requests])).toEqual([
        ['fast/llama', fast.calls],
        ['slow/llama', slow.calls],
      ]);
    } finally {
      await client.close();
    }
  });

  it('least-latency sends at least 80% to the fast one', async () => {
    reset();
    const name = uniqueName('latency');
    const client = createClient(name, { strategy: 'least-latency' });
    try {
      const results = await client.chatMany(
        Array.from({ length: 300 }, (_, index) => ({ model: name, messages: [{ role: 'user' as const, content: `question ${index}` }] })),
        { concurrency: 10 },
      );
      expect(results.every((result) => result.status === 'fulfilled')).toBe(true);
      expect(fast.calls / (fast.calls + slow.calls)).toBeGreaterThanOrEqual(0.8);
      const [fastFigures, slowFigures] = client.deployments();
      expect(fastFigures.latencyMs!).toBeLessThan(slowFigures.latencyMs!);
    } finally {
      await client.close();
    }
  });

  it('most-headroom follows the rate-limit headers each deployment answers with', async () => {
    reset();
    fast.remaining = 5;
    slow.remaining = 80;
    const name = uniqueName('headroom');
    const client = createClient(name, { strategy: 'most-headroom' });
    try {
      for (let index = 0; index < 20; index += 1) expect((await ask(client, name, `question ${index}`)).content).toBe('ok');
      // Until both have reported, the order is random; after, every call goes to the one with more left.
      expect(slow.calls).toBeGreaterThanOrEqual(18);
    } finally {
      await client.close();
    }
  });

  it('a deployment answering 500 is cooled down on every instance within 5 failures, clients see no failure, and it is back within one cooldown', async () => {
    reset();
    const name = uniqueName('breaker');
    const cooldownMs = 2000;
    const instances = [0, 1, 2].map(() => createClient(name, { strategy: 'weighted', cooldown: { failures: 5, seconds: cooldownMs / 1000 } }));
    const fastState = (instance: Switchyard) => instance.deployments().find((entry) => entry.deployment === 'fast/llama')?.state;
    try {
      // Warm up: both deployments answer, on every instance.
      for (let index = 0; index < 12; index += 1) await ask(instances[index % 3], name, `warm ${index}`);
      expect(fast.calls).toBeGreaterThan(0);

      fast.failing = true;
      // One request at a time, round robin over the instances: every one is answered (by the slow deployment when the fast one fails).
      let sent = 0;
      while (!instances.some((instance) => fastState(instance) === 'open') && sent < 60) {
        const response = await ask(instances[sent % 3], name, `during ${sent}`);
        expect(response.content).toBe('ok');
        sent += 1;
      }
      expect(fast.failed).toBeGreaterThanOrEqual(1);
      expect(fast.failed).toBeLessThanOrEqual(5);
      await expect.poll(() => instances.map(fastState)).toEqual(['open', 'open', 'open']);
      // No instance sends to it while it cools down.
      const failedWhenOpened = fast.failed;
      for (let index = 0; index < 6; index += 1) expect((await ask(instances[index % 3], name, `cooling ${index}`)).content).toBe('ok');
      expect(fast.failed).toBe(failedWhenOpened);

      // Recovery: it is used again within one cooldown, and every instance sees it closed.
      fast.failing = false;
      const recoveredAt = Date.now();
      const callsBefore = fast.calls - fast.failed;
      let backAfterMs: number | undefined;
      for (let index = 0; backAfterMs === undefined && Date.now() - recoveredAt < 3 * cooldownMs; index += 1) {
        await ask(instances[index % 3], name, `after ${index}`);
        if (fast.calls - fast.failed > callsBefore) backAfterMs = Date.now() - recoveredAt;
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      expect(backAfterMs).toBeDefined();
      expect(backAfterMs!).toBeLessThanOrEqual(cooldownMs + 200);
      await expect.poll(() => instances.map(fastState)).toEqual(['closed', 'closed', 'closed']);
    } finally {
      await Promise.all(instances.map((instance) => instance.close()));
    }
  });
});
