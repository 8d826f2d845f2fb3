import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';

/*
 * Shared plumbing of the fake provider servers: connection and request
 * counting, body reading, JSON replies, backpressure-aware writes, seeded
 * randomness. Wire formats live in each flavor's own file.
 */

/** Live counters of a mock server; the object is updated in place. */
export interface MockServerStats {
  /** Requests received. */
  requests: number;
  /** TCP connections accepted. */
  connectionsOpened: number;
  /** TCP connections open now. */
  activeConnections: number;
  /** The most connections open at once. */
  maxConcurrentConnections: number;
  /** Requests whose client went away before the response ended. */
  closedRequests: number;
  /** Response body bytes handed to sockets by streaming replies. */
  bytesWritten: number;
  /** Streaming replies blocked now, waiting for the client to read (`drain`). */
  waitingForDrain: number;
  /** Times any streaming write had to wait for `drain`. */
  drainWaits: number;
}

/** Fresh, zeroed stats. */
export function createMockServerStats(): MockServerStats {
  return {
    requests: 0,
    connectionsOpened: 0,
    activeConnections: 0,
    maxConcurrentConnections: 0,
    closedRequests: 0,
    bytesWritten: 0,
    waitingForDrain: 0,
    drainWaits: 0,
  };
}

/** Zeroes the counters except the live ones (open connections, blocked writers). */
export function resetMockServerStats(stats: MockServerStats): void {
  Object.assign(stats, {
    requests: 0,
    connectionsOpened: 0,
    maxConcurrentConnections: stats.activeConnections,
    closedRequests: 0,
    bytesWritten: 0,
    drainWaits: 0,
  });
}

/** Counts connections (via the server's `connection` event) and early-closed requests. */
export function trackMockServer(server: Server, stats: MockServerStats): void {
  server.on('connection', (socket: Socket) => {
    stats.connectionsOpened += 1;
    stats.activeConnections += 1;
    stats.maxConcurrentConnections = Math.max(stats.maxConcurrentConnections, stats.activeConnections);
    socket.once('close', () => {
      stats.activeConnections -= 1;
    });
  });
  server.on('request', (_request: IncomingMessage, response: ServerResponse) => {
    stats.requests += 1;
    response.once('close', () => {
      if (!response.writableFinished) stats.closedRequests += 1;
    });
  });
}

/** Reads a request body as UTF-8 text. */
export async function readRequestText(request: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/** Sends a JSON (or raw string) reply with a status and headers. */
export function sendJson(
  response: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  response.writeHead(status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(text),
    ...headers,
  });
  response.end(text);
}

/**
 * Writes one chunk, honouring backpressure: when the socket buffer is full it
 * waits for `drain` (counted in stats). Resolves false if the client went away.
 */
export async function writeChunk(response: ServerResponse, chunk: string, stats: MockServerStats): Promise<boolean> {
  if (response.destroyed || response.writableEnded) return false;
  stats.bytesWritten += Buffer.byteLength(chunk);
  if (response.write(chunk)) return true;
  stats.drainWaits += 1;
  stats.waitingForDrain += 1;
  try {
    return await new Promise<boolean>((resolve) => {
      const onDrain = (): void => finish(true);
      const onClose = (): void => finish(false);
      const finish = (open: boolean): void => {
        response.off('drain', onDrain);
        response.off('close', onClose);
        resolve(open);
      };
      response.on('drain', onDrain);
      response.on('close', onClose);
    });
  } finally {
    stats.waitingForDrain -= 1;
  }
}

/** The headers of a server-sent event stream as OpenAI and Anthropic send them. */
export const EVENT_STREAM_HEADERS: Readonly<Record<string, string>> = {
  'content-type': 'text/event-stream; charset=utf-8',
  'cache-control': 'no-cache',
  connection: 'keep-alive',
};

/** Sends 200 and {@link EVENT_STREAM_HEADERS} (plus `headers`), flushing them at once. */
export function startEventStream(response: ServerResponse, headers: Record<string, string> = {}): void {
  response.writeHead(200, { ...EVENT_STREAM_HEADERS, ...headers });
  response.flushHeaders();
}

/** Waits `ms`, ending early (false) if the response closes meanwhile. */
export function pause(ms: number, response: ServerResponse): Promise<boolean> {
  if (ms <= 0) return Promise.resolve(!response.destroyed);
  return new Promise((resolve) => {
    const onClose = (): void => {
      clearTimeout(timer);
      resolve(false);
    };
    const timer = setTimeout(() => {
      response.off('close', onClose);
      resolve(!response.destroyed);
    }, ms);
    timer.unref();
    response.once('close', onClose);
  });
}

export { createSeededRandom, hashString } from '../core/seeded-random.js';

/** Listens on `host:port` (port 0 picks a free one) and resolves the bound port. */
export function listen(server: Server, port: number, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      const address = server.address();
      resolve(typeof address === 'object' && address !== null ? address.port : port);
    });
  });
}

/** Closes a server, cutting open (kept-alive or hanging) connections first. */
export function closeServer(server: Server): Promise<void> {
  return new Promise((resolve, reject) => {
    server.close((error) => (error ? reject(error) : resolve()));
    server.closeAllConnections();
  });
}
