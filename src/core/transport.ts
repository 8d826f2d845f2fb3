import { Agent, errors, type buildConnector, type Dispatcher } from 'undici';
import type { PoolStats } from '../spec/driver.js';
import { SwitchyardError } from '../spec/errors.js';

/** Pool and timeout settings of one provider's upstream connections. */
export interface TransportOptions {
  /** Connections per origin: the bound on concurrent upstream requests (more wait in the pool queue). Default 128. */
  maxConnections?: number;
  /** How long an idle kept-alive socket stays open. Default 30000 (shortened to a server's `keep-alive: timeout`). */
  keepAliveTimeoutMs?: number;
  /** TCP (and TLS) connect timeout. Default 10000. */
  connectTimeoutMs?: number;
  /** Wait for the response headers after sending the request. Default 300000. */
  headersTimeoutMs?: number;
  /** Longest silence between two body chunks (idle body, not total). Default 300000. */
  bodyTimeoutMs?: number;
  /** A connection is closed (and replaced) after this many requests. Default 1000. */
  maxRequestsPerConnection?: number;
  /**
   * A custom socket connector (proxies, unix sockets, tests). `connectTimeoutMs`
   * still applies to it. Default: undici's own connector.
   */
  connector?: buildConnector.connector;
}

/** A provider's lazily created, shared connection pool. */
export interface Transport {
  /** The undici dispatcher to send requests with; created on first use and reused. */
  dispatcher(): Dispatcher;
  /** Pool figures summed over every origin; all zero before first use. */
  stats(): PoolStats;
  /** Lets in-flight requests finish, then closes every socket. A later `dispatcher()` opens a new pool. */
  close(): Promise<void>;
  /** Aborts in-flight requests and closes every socket at once (shutdown deadlines). A later `dispatcher()` opens a new pool. */
  destroy(): Promise<void>;
}

/** Resolved transport settings with defaults applied. */
export const TRANSPORT_DEFAULTS = {
  maxConnections: 128,
  keepAliveTimeoutMs: 30_000,
  connectTimeoutMs: 10_000,
  headersTimeoutMs: 300_000,
  bodyTimeoutMs: 300_000,
  maxRequestsPerConnection: 1000,
} as const;

/**
 * Creates a transport: one undici `Agent` (a pool per origin) made on the
 * first `dispatcher()` call and reused by every request until `close()`.
 * No sockets or timers exist before first use.
 */
export function createTransport(options: TransportOptions = {}): Transport {
  const { connector, ...timings } = options;
  const settings = { ...TRANSPORT_DEFAULTS, ...withoutUndefined(timings) };
  validate(settings);
  let agent: Agent | undefined;

  return {
    dispatcher() {
      agent ??= new Agent({
        connections: settings.maxConnections,
        keepAliveTimeout: settings.keepAliveTimeoutMs,
        keepAliveMaxTimeout: settings.keepAliveTimeoutMs,
        connectTimeout: settings.connectTimeoutMs,
        headersTimeout: settings.headersTimeoutMs,
        bodyTimeout: settings.bodyTimeoutMs,
        maxRequestsPerClient: settings.maxRequestsPerConnection,
        ...(connector ? { connect: withConnectTimeout(connector, settings.connectTimeoutMs) } : {}),
      });
      return agent;
    },
    stats() {
      return agent ? sumStats(agent) : emptyStats();
    },
    async close() {
      const closing = agent;
      agent = undefined;
      if (closing && !closing.closed && !closing.destroyed) await closing.close();
    },
    async destroy() {
      const destroying = agent;
      agent = undefined;
      if (destroying && !destroying.destroyed) await destroying.destroy();
    },
  };
}

function emptyStats(): PoolStats {
  return { connected: 0, free: 0, pending: 0, queued: 0, running: 0, size: 0 };
}

/** Sums undici's per-origin stats; an origin served by a single Client reports booleans/partial fields. */
function sumStats(agent: Agent): PoolStats {
  const total = emptyStats();
  for (const origin of Object.values(agent.stats)) {
    const stats = origin as Partial<Record<keyof PoolStats, number | boolean>>;
    const connected = Number(stats.connected ?? 0);
    const running = Number(stats.running ?? 0);
    total.connected += connected;
    total.free += stats.free !== undefined ? Number(stats.free) : Math.max(0, connected - running);
    total.pending += Number(stats.pending ?? 0);
    total.queued += Number(stats.queued ?? stats.pending ?? 0);
    total.running += running;
    total.size += Number(stats.size ?? 0);
  }
  return total;
}

/**
 * undici applies `connectTimeout` only inside its own connector; this wrapper
 * gives a custom connector the same limit and the same `UND_ERR_CONNECT_TIMEOUT` error.
 */
function withConnectTimeout(connector: buildConnector.connector, timeoutMs: number): buildConnector.connector {
  return (connectOptions, callback) => {
    let settled = false;
    const timer = setTimeout(() => {
      if (settled) return;
      settled = true;
      callback(new errors.ConnectTimeoutError(`Connect Timeout Error (attempted ${connectOptions.hostname}:${connectOptions.port}, timeout: ${timeoutMs}ms)`), null);
    }, timeoutMs);
    timer.unref();
    connector(connectOptions, (...args) => {
      clearTimeout(timer);
      if (settled) {
        const socket = args[1];
        socket?.destroy();
        return;
      }
      settled = true;
      callback(...args);
    });
  };
}

/** Timeouts may be 0 (undici: no limit) except keep-alive; maxConnections is a positive integer. */
function validate(settings: Required<Omit<TransportOptions, 'connector'>>): void {
  for (const [name, value] of Object.entries(settings)) {
    if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
      throw invalidOption(name, 'a non-negative number', value);
    }
  }
  if (settings.maxConnections < 1 || !Number.isInteger(settings.maxConnections)) {
    throw invalidOption('maxConnections', 'a positive integer', settings.maxConnections);
  }
  if (settings.keepAliveTimeoutMs <= 0) throw invalidOption('keepAliveTimeoutMs', 'a positive number', settings.keepAliveTimeoutMs);
}

function invalidOption(name: string, expected: string, value: unknown): SwitchyardError {
  return new SwitchyardError({
    code: 'invalid_config',
    message: `Transport option ${name} must be ${expected}, got ${String(value)}`,
    param: name,
  });
}

function withoutUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, entry]) => entry !== undefined)) as Partial<T>;
}
