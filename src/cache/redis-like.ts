/**
 * The part of a node-redis (v5/v6) client that Switchyard uses. Typing by
 * shape keeps the cache free of the client's generics and lets another
 * client fit.
 */
export interface RedisLike {
  readonly isOpen: boolean;
  readonly isReady: boolean;
  connect(): Promise<unknown>;
  get(key: string): Promise<string | null | {}>;
  set(
    key: string,
    value: string,
    options?: { expiration?: { type: 'PX'; value: number }; condition?: 'NX' },
  ): Promise<string | null | {}>;
  pTTL(key: string): Promise<number | {}>;
  del(keys: string | string[]): Promise<number | {}>;
  scanIterator(options: { MATCH: string; COUNT: number }): AsyncIterable<string[] | {}>;
  eval(script: string, options: { keys: string[]; arguments: string[] }): Promise<unknown>;
  /** Runs a script the server has cached by its SHA1 (NOSCRIPT when it has not). */
  evalSha(sha: string, options: { keys: string[]; arguments: string[] }): Promise<unknown>;
  on(event: 'error', listener: (error: Error) => void): unknown;
  close(): Promise<unknown>;
  destroy(): void;
}

/** The pub/sub part of a node-redis client, used for cross-process cache invalidation. */
export interface RedisPubSubLike extends RedisLike {
  publish(channel: string, message: string): Promise<unknown>;
  subscribe(channel: string, listener: (message: string, channel: string) => unknown): Promise<unknown>;
  duplicate(): RedisPubSubLike;
}

const guarded = new WeakSet<object>();

/**
 * Makes sure the client has an `error` listener: without one, node-redis
 * emitting a connection error would crash the process. Added once per client.
 */
export function ensureErrorListener(client: RedisLike): void {
  if (guarded.has(client)) return;
  guarded.add(client);
  client.on('error', () => {
    // Failures surface as rejected commands, counted by the tiered cache.
  });
}

/**
 * Opens the client on first use. The first caller waits for the connection at
 * most `waitMs` (one unref'd timer, off the hot path); later callers never
 * wait: with `disableOfflineQueue` a command while disconnected fails at once
 * and node-redis keeps reconnecting in the background.
 */
export function createRedisOpener(client: RedisLike, waitMs = 1_000): () => Promise<void> {
  let opening: Promise<void> | undefined;
  ensureErrorListener(client);
  return async () => {
    if (client.isReady) return;
    if (opening === undefined) {
      const connecting = client.isOpen ? Promise.resolve() : client.connect().then(() => undefined);
      connecting.catch(() => {});
      opening = new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, waitMs);
        timer.unref();
        connecting.then(
          () => {
            clearTimeout(timer);
            resolve();
          },
          () => {
            clearTimeout(timer);
            resolve();
          },
        );
      });
    }
    await opening;
  };
}

/**
 * Checks that Redis answers, for readiness probes: waits for the connection
 * at most `waitMs` (where a bare `connect()` would wait for as long as Redis
 * stays down), then runs one command. Throws when Redis is unreachable.
 */
export async function pingRedis(client: RedisLike, waitMs = 1_000): Promise<void> {
  await createRedisOpener(client, waitMs)();
  await client.get('switchyard:health');
}
