import { randomUUID } from 'node:crypto';
import { createRedisOpener, type RedisPubSubLike } from '../cache/redis-like.js';
import { parseJson } from '../core/safe-json.js';
import type { BreakerMessage, BreakerReply, BreakerSettings, BreakerStore } from './breaker-store.js';

// Each script touches one key, a hash per deployment: no operation spans slots on a cluster.
// The time is the server's (TIME), so instances with skewed clocks agree; replies carry durations, not instants.
const NOW = `local t = redis.call('TIME'); local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)`;

/** ARGV: threshold, cooldownMs, windowMs, probe (1/0). Reply: {state, number, opened}. */
const RECORD_FAILURE = `${NOW}
local openUntil = tonumber(redis.call('HGET', KEYS[1], 'openUntil') or '0')
if openUntil > now then return {'open', openUntil - now, 0} end
local failures = redis.call('HINCRBY', KEYS[1], 'failures', 1)
if ARGV[4] == '1' or failures >= tonumber(ARGV[1]) then
  redis.call('HSET', KEYS[1], 'failures', 0, 'openUntil', now + tonumber(ARGV[2]), 'probeUntil', 0)
  redis.call('PEXPIRE', KEYS[1], tonumber(ARGV[2]) + tonumber(ARGV[3]))
  return {'open', tonumber(ARGV[2]), 1}
end
if openUntil == 0 then redis.call('PEXPIRE', KEYS[1], tonumber(ARGV[3])) end
return {'closed', failures, 0}`;

/** ARGV: probeMs. */
const TRY_PROBE = `${NOW}
local state = redis.call('HMGET', KEYS[1], 'openUntil', 'probeUntil', 'failures')
local openUntil = tonumber(state[1] or '0')
local probeUntil = tonumber(state[2] or '0')
if openUntil == 0 then return {'closed', tonumber(state[3] or '0')} end
if openUntil > now then return {'open', openUntil - now} end
if probeUntil > now then return {'probing', probeUntil - now} end
redis.call('HSET', KEYS[1], 'probeUntil', now + tonumber(ARGV[1]))
return {'probe', 0}`;

const RESET_FAILURES = `if tonumber(redis.call('HGET', KEYS[1], 'openUntil') or '0') == 0 then redis.call('HDEL', KEYS[1], 'failures') end return 0`;

/** Options for {@link createRedisBreakerStore}. */
export interface RedisBreakerStoreOptions {
  /** The shared client (a node or a cluster), opened on first use. */
  client: () => Promise<RedisPubSubLike>;
  /** Prefix of the state keys. Default `switchyard:breaker:`. */
  prefix?: string;
  /** Default `switchyard:breaker:events` (a sharded channel on a cluster). */
  channel?: string;
}

function toReply(raw: unknown): BreakerReply {
  const [state, value, opened] = raw as [string, number, number?];
  if (state === 'closed') return { state, failures: Number(value) };
  if (state === 'open') return { state, remainingMs: Number(value), opened: Number(opened) === 1 };
  if (state === 'probing') return { state, remainingMs: Number(value) };
  return { state: 'probe' };
}

function parseMessage(text: string): { origin: string; message: BreakerMessage } | undefined {
  try {
    const value = parseJson(text, 'breaker message') as { origin?: unknown; message?: BreakerMessage };
    const message = value?.message;
    if (typeof value?.origin !== 'string' || typeof message?.key !== 'string') return undefined;
    if (message.state === 'closed' || (message.state === 'open' && typeof message.remainingMs === 'number')) return { origin: value.origin, message };
    return undefined;
  } catch {
    return undefined;
  }
}

/**
 * Breaker state shared by every instance through Redis (a node or a
 * cluster): one hash per deployment updated by Lua scripts, transitions
 * announced on a (sharded) pub/sub channel so the others stop sending at
 * once rather than on their own next failure.
 */
export function createRedisBreakerStore(options: RedisBreakerStoreOptions): BreakerStore {
  const prefix = options.prefix ?? 'switchyard:breaker:';
  const channel = options.channel ?? 'switchyard:breaker:events';
  const origin = randomUUID();
  let opener: (() => Promise<void>) | undefined;
  async function connected(): Promise<RedisPubSubLike> {
    const client = await options.client();
    opener ??= createRedisOpener(client);
    await opener();
    return client;
  }
  let subscriber: RedisPubSubLike | undefined;
  let subscribing: Promise<void> | undefined;

  async function run(script: string, key: string, args: (string | number)[]): Promise<unknown> {
    const client = await connected();
    return client.eval(script, { keys: [prefix + key], arguments: args.map(String) });
  }

  return {
    async recordFailure(key, settings: BreakerSettings, probe) {
      return toReply(await run(RECORD_FAILURE, key, [settings.failures, settings.cooldownMs, settings.windowMs, probe ? 1 : 0]));
    },
    async resetFailures(key) {
      await run(RESET_FAILURES, key, []);
    },
    async tryProbe(key, settings) {
      return toReply(await run(TRY_PROBE, key, [settings.probeMs]));
    },
    async close(key) {
      await (await connected()).del(prefix + key);
    },
    async announce(message) {
      await (await connected()).publish(channel, JSON.stringify({ origin, message }));
    },
    listen(handler) {
      subscribing ??= (async () => {
        subscriber = (await options.client()).duplicate();
        subscriber.on('error', () => {
          // Reconnects are node-redis's job; errors are seen on the main client.
        });
        await subscriber.connect();
        await subscriber.subscribe(channel, (text) => {
          const parsed = parseMessage(text);
          if (parsed !== undefined && parsed.origin !== origin) handler(parsed.message);
        });
      })().catch((error: unknown) => {
        subscribing = undefined;
        throw error;
      });
      return subscribing;
    },
    async stop() {
      if (subscriber?.isOpen === true) subscriber.destroy();
    },
  };
}
