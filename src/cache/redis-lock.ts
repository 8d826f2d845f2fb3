import { randomUUID } from 'node:crypto';
import { createRedisOpener, type RedisLike } from './redis-like.js';

/** A lock shared by processes, used so only one of them computes a missing entry. */
export interface DistributedLock {
  /** Takes the lock for `ttlMs`; returns a token, or undefined when another holder has it. */
  acquire(key: string, ttlMs: number): Promise<string | undefined>;
  /** Releases the lock only if `token` still holds it. */
  release(key: string, token: string): Promise<void>;
  /** Whether anyone holds the lock now. */
  isLocked(key: string): Promise<boolean>;
}

/** Options for {@link createRedisLock}. */
export interface RedisLockOptions {
  client: RedisLike;
  /** Prefix of lock keys. Default `switchyard:lock:`. */
  prefix?: string;
  connectWaitMs?: number;
}

// Compare-and-delete: a holder whose lock expired must not delete its successor's lock.
const RELEASE_SCRIPT = `if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end`;

/**
 * A Redis lock: `SET key token NX PX ttl` to take it, a compare-and-delete Lua
 * script to release it. A holder that dies is covered by the PX expiry.
 */
export function createRedisLock(options: RedisLockOptions): DistributedLock {
  const { client } = options;
  const prefix = options.prefix ?? 'switchyard:lock:';
  const open = createRedisOpener(client, options.connectWaitMs);
  return {
    async acquire(key, ttlMs) {
      await open();
      const token = randomUUID();
      const reply = await client.set(prefix + key, token, { condition: 'NX', expiration: { type: 'PX', value: Math.ceil(ttlMs) } });
      return reply === 'OK' ? token : undefined;
    },
    async release(key, token) {
      await open();
      await client.eval(RELEASE_SCRIPT, { keys: [prefix + key], arguments: [token] });
    },
    async isLocked(key) {
      await open();
      return typeof (await client.get(prefix + key)) === 'string';
    },
  };
}
