import { randomUUID } from 'node:crypto';
import { parseJson } from '../core/safe-json.js';
import { createRedisOpener, type RedisPubSubLike } from './redis-like.js';

/** What one instance tells the others to drop from their in-process (L1) layer. */
export type InvalidationMessage = { type: 'delete'; key: string } | { type: 'clear'; namespace?: string };

/**
 * A broadcast between Switchyard processes so that a delete, a clear or a
 * replaced entry in one process also drops the stale copy other processes
 * keep in memory. Messages from this instance are not delivered back to it.
 */
export interface CacheInvalidation {
  publish(message: InvalidationMessage): Promise<void>;
  /** Starts listening (idempotent); `handler` gets other instances' messages. */
  subscribe(handler: (message: InvalidationMessage) => void): Promise<void>;
  close(): Promise<void>;
}

/** Options for {@link createRedisInvalidation}. */
export interface RedisInvalidationOptions {
  /** Publishes on this client; a duplicate of it subscribes (a subscribed connection can do nothing else). */
  client: RedisPubSubLike;
  /** Default `switchyard:cache:invalidate`. */
  channel?: string;
}

function parseMessage(text: string): { origin: string; message: InvalidationMessage } | undefined {
  try {
    const value = parseJson(text, 'cache invalidation message') as { origin?: unknown; message?: InvalidationMessage };
    const message = value?.message;
    if (typeof value?.origin !== 'string' || typeof message !== 'object' || message === null) return undefined;
    if (message.type === 'delete' && typeof message.key === 'string') return { origin: value.origin, message };
    if (message.type === 'clear' && (message.namespace === undefined || typeof message.namespace === 'string')) return { origin: value.origin, message };
    return undefined;
  } catch {
    return undefined;
  }
}

/**
 * Cache invalidation over Redis pub/sub. The subscriber connection is opened
 * on `subscribe()`, reconnects and resubscribes by itself (node-redis), and is
 * closed by `close()`. Publishing while Redis is down fails fast; the caller
 * (the tiered cache) counts it and goes on.
 */
export function createRedisInvalidation(options: RedisInvalidationOptions): CacheInvalidation {
  const channel = options.channel ?? 'switchyard:cache:invalidate';
  const origin = randomUUID();
  const open = createRedisOpener(options.client);
  let subscriber: RedisPubSubLike | undefined;
  let subscribing: Promise<void> | undefined;

  return {
    async publish(message) {
      await open();
      await options.client.publish(channel, JSON.stringify({ origin, message }));
    },
    subscribe(handler) {
      subscribing ??= (async () => {
        subscriber = options.client.duplicate();
        subscriber.on('error', () => {
          // Reconnects are node-redis's job; errors are seen on the main client.
        });
        await subscriber.connect();
        await subscriber.subscribe(channel, (text) => {
          const parsed = parseMessage(text);
          if (parsed !== undefined && parsed.origin !== origin) handler(parsed.message);
        });
      })().catch((error: unknown) => {
        subscribing = undefined; // try again on the next call
        throw error;
      });
      return subscribing;
    },
    async close() {
      if (subscriber?.isOpen === true) subscriber.destroy();
    },
  };
}
