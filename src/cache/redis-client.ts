import { createClient } from 'redis';
import type { RedisPubSubLike } from './redis-like.js';

/** Options for {@link createRedisClient}. */
export interface RedisClientOptions {
  /** Called with each connection error (node-redis emits one per failed reconnect). */
  onError?: (error: Error) => void;
  /** Longest pause between reconnect attempts. Default 2000 ms. */
  maxReconnectDelayMs?: number;
}

/**
 * A node-redis client set up for a cache in front of slow calls: not
 * connected until first use, commands fail at once while disconnected
 * (`disableOfflineQueue`) instead of queueing, reconnects forever with a
 * capped, jittered backoff, and an `error` listener so a lost connection never
 * crashes the process.
 */
export function createRedisClient(url: string, options: RedisClientOptions = {}): RedisPubSubLike {
  const maxDelay = options.maxReconnectDelayMs ?? 2_000;
  const client = createClient({
    url,
    disableOfflineQueue: true,
    socket: {
      connectTimeout: 2_000,
      reconnectStrategy: (retries: number) => Math.min(50 * 2 ** Math.min(retries, 10), maxDelay) + Math.floor(Math.random() * 50),
    },
  });
  client.on('error', (error: Error) => options.onError?.(error));
  return client;
}
