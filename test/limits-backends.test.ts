import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRedisClient } from '../src/cache/redis-client.js';
import type { RedisPubSubLike } from '../src/cache/redis-like.js';
import type { LimitBackend, LimitSubject, WindowShape } from '../src/limits/limit-types.js';
import { createMemoryLimitBackend } from '../src/limits/memory-limiter.js';
import { createRateLimiter } from '../src/limits/rate-limiter.js';
import { createRedisLimitBackend, type RedisScriptClient } from '../src/limits/redis-limiter.js';
import { REDIS_URL, uniqueName } from './store-support.js';

// One contract for both places limits are counted: the Redis script and the in-process fallback.
const SHAPE: WindowShape = { windowMs: 10_000, slotMs: 1_000, leaseTtlMs: 30_000 };
const T0 = 1_800_000_000_000; // on a slot boundary
let redis: RedisPubSubLike;

beforeAll(async () => {
  redis = createRedisClient(REDIS_URL);
  await redis.connect();
});

afterAll(async () => {
  await redis?.close();
});

const BACKENDS: Array<[string, () => LimitBackend]> = [
  ['memory', () => createMemoryLimitBackend(SHAPE)],
  ['redis', () => createRedisLimitBackend(redis as unknown as RedisScriptClient, SHAPE)],
];

function subject(limits: LimitSubject['limits'], budget?: LimitSubject['budget']): LimitSubject {
  return { base: `switchyard:test:{${uniqueName('tag')}}:key:k`, limits, ...(budget ? { budget } : {}) };
}

describe.each(BACKENDS)('%s limit backend', (_name, create) => {
  it('admits rpm requests per sliding window, with an exact retry and the header figures', async () => {
    const backend = create();
    const key = subject({ rpm: 3 });
    for (const offset of [0, 1_500, 2_500]) expect((await backend.admit([key], 0, `l${offset}`, T0 + offset)).allowed).toBe(true);
    const refused = await backend.admit([key], 0, 'l4', T0 + 3_000);
    expect(refused).toMatchObject({ allowed: false, reason: 'rpm', retryAfterMs: 7_000, requests: { limit: 3, remaining: 0 } });
    // The first request's slot leaves the window 10 s after it: one request fits again, not two.
    expect((await backend.admit([key], 0, 'l5', T0 + 10_000)).allowed).toBe(true);
    const again = await backend.admit([key], 0, 'l6', T0 + 10_100);
    expect(again).toMatchObject({ allowed: false, reason: 'rpm', retryAfterMs: 900 });
    expect((await backend.admit([key], 0, 'l7', T0 + 11_000)).requests).toEqual({ limit: 3, remaining: 0, resetMs: 10_000 });
  });

  it('reserves tokens up front and settles them with the real usage', async () => {
    const backend = create();
    const key = subject({ tpm: 100 });
    const first = await backend.admit([key], 40, 'a', T0);
    expect(first).toMatchObject({ allowed: true, tokens: { limit: 100, remaining: 60 } });
    expect((await backend.admit([key], 40, 'b', T0)).allowed).toBe(true);
    expect(await backend.admit([key], 40, 'c', T0 + 10)).toMatchObject({ allowed: false, reason: 'tpm', retryAfterMs: 9_990 });
    await backend.settle([key], { slot: first.slot, tokenDelta: -30, costUsd: 0, leaseId: 'a' }, T0 + 20);
    expect(await backend.admit([key], 40, 'c', T0 + 30)).toMatchObject({ allowed: true, tokens: { remaining: 10 } });
    // A request larger than the whole limit can never pass: the retry is a full window.
    expect(await backend.admit([key], 101, 'd', T0 + 40)).toMatchObject({ allowed: false, reason: 'tpm', retryAfterMs: 10_000 });
  });

  it('holds concurrency leases until settled, or until they expire', async () => {
    const backend = create();
    const key = subject({ concurrency: 2 });
    const first = await backend.admit([key], 0, 'one', T0);
    expect((await backend.admit([key], 0, 'two', T0)).allowed).toBe(true);
    expect(await backend.admit([key], 0, 'three', T0)).toMatchObject({ allowed: false, reason: 'concurrency', retryAfterMs: 1_000 });
    await backend.settle([key], { slot: first.slot, tokenDelta: 0, costUsd: 0, leaseId: 'one' }, T0 + 5);
    expect((await backend.admit([key], 0, 'three', T0 + 10)).allowed).toBe(true);
    expect((await backend.admit([key], 0, 'four', T0 + 20)).allowed).toBe(false);
    // Leases of a crashed instance expire.
    expect((await backend.admit([key], 0, 'five', T0 + SHAPE.leaseTtlMs + 20)).allowed).toBe(true);
  });

  it('refuses once the budget of the period is spent, counting from the seed, until the next period', async () => {
    const backend = create();
    const budget = { usd: 1, periodId: 'day:2027-01-15', seedUsd: 0.5, remainingMs: 3_600_000 };
    const key = subject({}, budget);
    const first = await backend.admit([key], 0, 'a', T0);
    expect(first.allowed).toBe(true);
    await backend.settle([key], { slot: first.slot, tokenDelta: 0, costUsd: 0.49, leaseId: 'a' }, T0);
    const second = await backend.admit([key], 0, 'b', T0); // 0.99 spent: let through
    expect(second.allowed).toBe(true);
    await backend.settle([key], { slot: second.slot, tokenDelta: 0, costUsd: 0.02, leaseId: 'b' }, T0);
    const refused = await backend.admit([key], 0, 'c', T0);
    expect(refused).toMatchObject({ allowed: false, reason: 'budget' });
    expect(refused.retryAfterMs).toBeGreaterThan(3_500_000);
    const nextDay = { ...key, budget: { ...budget, periodId: 'day:2027-01-16', seedUsd: 0 } };
    expect((await backend.admit([nextDay], 0, 'd', T0)).allowed).toBe(true);
  });

  it('admits against key and tenant at once: a refusal by either counts nothing against the other', async () => {
    const backend = create();
    const tag = uniqueName('tenant');
    const key = { base: `switchyard:test:{${tag}}:key:k`, limits: { rpm: 10, concurrency: 10 } };
    const tenant = { base: `switchyard:test:{${tag}}:tenant`, limits: { rpm: 1 } };
    expect((await backend.admit([key, tenant], 0, 'a', T0)).allowed).toBe(true);
    const refused = await backend.admit([key, tenant], 0, 'b', T0);
    expect(refused).toMatchObject({ allowed: false, reason: 'rpm', requests: { limit: 1, remaining: 0 } });
    // The key alone still has 9 requests and all but one lease: nothing was written for the refused request.
    expect((await backend.admit([key], 0, 'c', T0)).requests).toMatchObject({ limit: 10, remaining: 8 });
  });
});

describe.each(BACKENDS)('%s limit backend, calls that end together', (_name, create) => {
  it('settles every call of one turn, across tenants and beyond one script call, each exactly once', async () => {
    const backend = create();
    // Two tenants (two hash tags, so two script calls on Redis) and 70 calls of one of them (more than one call carries).
    const budget = { usd: 100, periodId: 'day:2027-01-15', seedUsd: 0, remainingMs: 3_600_000 };
    const crowded = subject({ concurrency: 70, tpm: 7_000 }, budget);
    const other = subject({ concurrency: 1, tpm: 100 }, budget);
    const admitted = [];
    for (let index = 0; index < 70; index++) admitted.push(await backend.admit([crowded], 100, `c${index}`, T0));
    const otherAdmitted = await backend.admit([other], 100, 'o', T0);
    expect(admitted.every((decision) => decision.allowed) && otherAdmitted.allowed).toBe(true);
    expect((await backend.admit([crowded], 0, 'full', T0)).reason).toBe('concurrency');
    // Every call ends in the same turn: each used 40 of its 100 reserved tokens and cost 1 cent.
    await Promise.all([
      ...admitted.map((decision, index) => backend.settle([crowded], { slot: decision.slot, tokenDelta: -60, costUsd: 0.01, leaseId: `c${index}` }, T0 + 10)),
      backend.settle([other], { slot: otherAdmitted.slot, tokenDelta: -60, costUsd: 0.01, leaseId: 'o' }, T0 + 10),
    ]);
    // Every lease is back and 70 x 40 tokens remain counted: 70 more calls of 60 tokens fit the window exactly.
    for (let index = 0; index < 70; index++) expect((await backend.admit([crowded], 60, `d${index}`, T0 + 20)).allowed).toBe(true);
    expect(await backend.admit([crowded], 1, 'over-tokens', T0 + 20)).toMatchObject({ allowed: false, reason: 'tpm', tokens: { remaining: 0 } });
    expect(await backend.admit([crowded], 0, 'over-leases', T0 + 20)).toMatchObject({ allowed: false, reason: 'concurrency' });
    expect(await backend.admit([other], 60, 'o2', T0 + 20)).toMatchObject({ allowed: true, tokens: { limit: 100, remaining: 0 } });
    // 70 cents of the crowded budget spent: a budget of 0.70 is now exhausted, 0.71 is not.
    const spentCheck = (usd: number) => backend.admit([{ ...crowded, limits: {}, budget: { ...budget, usd } }], 0, `b${usd}`, T0 + 30);
    expect((await spentCheck(0.7 + 1e-9)).allowed).toBe(true);
    expect(await spentCheck(0.7 - 1e-6)).toMatchObject({ allowed: false, reason: 'budget' });
  });
});

describe('the rate limiter over Redis', () => {
  it('settles the calls that end in one turn with one script call per tenant and per 64 calls', async () => {
    const direct = redis as unknown as RedisScriptClient;
    const settleCalls: number[] = [];
    const counting: RedisScriptClient = {
      evalSha: (sha, options) => {
        if (options.arguments.length > 3 && options.keys.length === Number(options.arguments[2]) * 3) settleCalls.push(Number(options.arguments[2]));
        return direct.evalSha(sha, options);
      },
      eval: (script, options) => direct.eval(script, options),
    };
    const backend = createRedisLimitBackend(counting, SHAPE);
    const crowded = subject({ concurrency: 100 });
    const other = subject({ concurrency: 100 });
    const settlement = (leaseId: string) => ({ slot: 0, tokenDelta: 0, costUsd: 0, leaseId });
    await Promise.all([
      ...Array.from({ length: 70 }, (_, index) => backend.settle([crowded], settlement(`c${index}`), T0)),
      backend.settle([other], settlement('o'), T0),
    ]);
    expect(settleCalls.sort((a, b) => a - b)).toEqual([1, 6, 64]);
  });

  it('never advises a wait longer than the window to a request stamped before another but run after it', async () => {
    // A 2 s window in 100 ms slots, one request per window.
    const shape: WindowShape = { windowMs: 2_000, slotMs: 100, leaseTtlMs: 30_000 };
    const direct = redis as unknown as RedisScriptClient;
    let delayNextMs = 0;
    const delayed = async <T>(call: () => Promise<T>): Promise<T> => {
      const delay = delayNextMs;
      delayNextMs = 0;
      if (delay > 0) await new Promise((resolve) => setTimeout(resolve, delay));
      return call();
    };
    // The same Redis behind a slow round trip for one call (a loaded instance, a slow network).
    const slowOnce: RedisScriptClient = {
      evalSha: (sha, options) => delayed(() => direct.evalSha(sha, options)),
      eval: (script, options) => delayed(() => direct.eval(script, options)),
    };
    const limiter = createRateLimiter({ memory: createMemoryLimitBackend(shape), redis: createRedisLimitBackend(slowOnce, shape), redisTimeoutMs: 10_000 });
    const key = subject({ rpm: 1 });

    delayNextMs = 1_000;
    const late = limiter.admit([key], 0, 'late');
    await new Promise((resolve) => setTimeout(resolve, 150));
    const early = await limiter.admit([key], 0, 'early');
    expect(early).toMatchObject({ allowed: true, store: 'redis' });
    const refused = await late;
    expect(refused).toMatchObject({ allowed: false, reason: 'rpm', store: 'redis' });
    // The early request leaves the window 2 s after it was counted, and the late one was refused after it: less than 2 s to wait.
    expect(refused.retryAfterMs).toBeGreaterThan(0);
    expect(refused.retryAfterMs).toBeLessThanOrEqual(shape.windowMs);
    expect(refused.requests).toMatchObject({ limit: 1, remaining: 0 });
    expect(refused.requests!.resetMs).toBeLessThanOrEqual(shape.windowMs);
  });
});
