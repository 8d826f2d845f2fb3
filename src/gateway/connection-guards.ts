import type { Server, ServerResponse, IncomingMessage } from 'node:http';
import type { Socket } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { anthropicErrorBody, openAIErrorBody, type GatewayError } from '../wire/error-mapping.js';

/*
 * What the HTTP server does before a request reaches a route: framework-level
 * errors answered in the API's error shape (malformed HTTP, oversized
 * headers, a header timeout, an unknown `Expect`), a cap on connections per
 * client address, and a minimum body rate for slow uploads.
 */

/** Settings of the connection guards (from `server.*` in config). */
export interface ConnectionGuardOptions {
  /** Connections one client address may hold open; 0 for no cap. */
  maxConnectionsPerIp: number;
  /** Slowest accepted request body, in bytes per second, once `bodyGraceMs` has passed; 0 for no check. */
  minBodyBytesPerSecond: number;
  /** The header timeout: every request's headers must arrive within it; also how long a body may take before its rate is judged. */
  bodyGraceMs: number;
}

/** How often slow bodies are looked for. */
const BODY_RATE_CHECK_MS = 250;

/** The raw HTTP error response a guard writes on a socket no route owns. */
function rawErrorResponse(status: number, reason: string, error: GatewayError, anthropic: boolean): string {
  const body = JSON.stringify(anthropic ? anthropicErrorBody(error) : openAIErrorBody(error));
  return `HTTP/1.1 ${status} ${reason}\r\ncontent-type: application/json; charset=utf-8\r\ncontent-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`;
}

/** True when the raw bytes seen so far were a request for Anthropic's route. */
function looksAnthropic(rawPacket: unknown): boolean {
  return Buffer.isBuffer(rawPacket) && /^[A-Z]+ \/v1\/messages[\s?/]/.test(rawPacket.subarray(0, 64).toString('latin1'));
}

/**
 * Fastify's `clientErrorHandler`: a malformed request (400), oversized
 * headers (431) or a header timeout (408) is answered in the OpenAI error
 * shape (Anthropic's when the request line names /v1/messages), then the
 * socket is closed.
 */
export function answerClientError(error: NodeJS.ErrnoException & { rawPacket?: unknown }, socket: Socket): void {
  if (error.code === 'ECONNRESET' || socket.destroyed) return;
  let status = 400;
  let reason = 'Bad Request';
  let message = 'the request is not valid HTTP';
  if (error.code === 'ERR_HTTP_REQUEST_TIMEOUT') {
    status = 408;
    reason = 'Request Timeout';
    message = 'the request headers did not arrive within the header timeout (server.headersTimeoutMs)';
  } else if (error.code === 'HPE_HEADER_OVERFLOW') {
    status = 431;
    reason = 'Request Header Fields Too Large';
    message = 'the request headers are larger than the server accepts';
  }
  if (!socket.writable) {
    socket.destroy();
    return;
  }
  // The HTTP parser is done with this connection: nothing it reads any more should raise another clientError.
  socket.removeAllListeners('data');
  socket.end(rawErrorResponse(status, reason, { status, code: 'invalid_request', message, param: status === 408 ? null : 'headers' }, looksAnthropic(error.rawPacket)));
  lingerThenDestroy(socket);
}

/**
 * A lingering close: what the client still sends (the rest of an oversized
 * header) is read and discarded for up to LINGER_MS, then the socket is
 * destroyed. Closing at once, with unread data, makes the kernel reset the
 * connection, and the reset can destroy the answer before the client reads it.
 */
function lingerThenDestroy(socket: Socket): void {
  const timer = setTimeout(() => socket.destroy(), LINGER_MS);
  timer.unref();
  socket.once('close', () => clearTimeout(timer));
  socket.on('data', () => undefined);
  socket.resume();
}

/** Answers a request whose `Expect` header is not `100-continue` with 417 in the API's error shape. */
function answerExpectation(request: IncomingMessage, response: ServerResponse): void {
  const error: GatewayError = { status: 417, code: 'invalid_request', message: 'the Expect header may only be "100-continue"', param: 'expect' };
  const anthropic = /^\/v1\/messages(?:[?/]|$)/.test(request.url ?? '');
  const body = JSON.stringify(anthropic ? anthropicErrorBody(error) : openAIErrorBody(error));
  response.writeHead(417, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(body), connection: 'close' });
  response.end(body);
}

/** Closes connections beyond `max` from one address as they arrive. */
function capConnectionsPerAddress(server: Server, max: number): void {
  if (max <= 0) return;
  const open = new Map<string, number>();
  server.on('connection', (socket: Socket) => {
    const address = socket.remoteAddress ?? 'unknown';
    const count = (open.get(address) ?? 0) + 1;
    if (count > max) {
      socket.destroy();
      return;
    }
    open.set(address, count);
    socket.once('close', () => {
      const left = (open.get(address) ?? 1) - 1;
      if (left <= 0) open.delete(address);
      else open.set(address, left);
    });
  });
}

interface BodyUnderWay {
  request: IncomingMessage;
  startedAt: number;
  startBytes: number;
}

/**
 * Drops requests whose body falls behind `minBytesPerSecond` once the grace
 * period is over (by then, `minBytesPerSecond` for every second past it must
 * have arrived, or the whole body): a 408 in the API's shape is written and
 * the socket closed. A short stall of a small body within the grace is
 * fine; a trickle is not. One shared, unref'd timer checks every body under way.
 */
function enforceBodyRate(app: FastifyInstance, minBytesPerSecond: number, graceMs: number): void {
  if (minBytesPerSecond <= 0) return;
  const underWay = new Set<BodyUnderWay>();
  let timer: NodeJS.Timeout | undefined;
  const check = (): void => {
    const now = performance.now();
    for (const entry of underWay) {
      const socket = entry.request.socket;
      const elapsedMs = now - entry.startedAt;
      if (entry.request.complete || socket.destroyed) {
        underWay.delete(entry);
        continue;
      }
      if (elapsedMs <= graceMs) continue;
      const received = socket.bytesRead - entry.startBytes;
      if (received >= (minBytesPerSecond * (elapsedMs - graceMs)) / 1000) continue;
      underWay.delete(entry);
      const message = `the request body arrived slower than ${minBytesPerSecond} bytes per second after ${graceMs} ms (server.minBodyBytesPerSecond)`;
      const anthropic = /^\/v1\/messages(?:[?/]|$)/.test(entry.request.url ?? '');
      if (socket.writable) socket.write(rawErrorResponse(408, 'Request Timeout', { status: 408, code: 'invalid_request', message, param: 'body' }, anthropic));
      socket.destroy();
    }
    if (underWay.size === 0 && timer) {
      clearInterval(timer);
      timer = undefined;
    }
  };
  // A callback hook: an async one costs every request a promise.
  app.addHook('onRequest', (request, _reply, done) => {
    const raw = request.raw;
    const hasBody = Number(raw.headers['content-length'] ?? 0) > 0 || raw.headers['transfer-encoding'] !== undefined;
    if (hasBody && !raw.complete) {
      underWay.add({ request: raw, startedAt: performance.now(), startBytes: raw.socket.bytesRead });
      if (!timer) {
        timer = setInterval(check, BODY_RATE_CHECK_MS);
        timer.unref();
      }
    }
    done();
  });
  app.addHook('onClose', async () => {
    if (timer) clearInterval(timer);
    underWay.clear();
  });
}

/** How long a refused body is read and discarded before the answer goes out. */
const LINGER_MS = 1000;

/**
 * Before an error goes out while the client is still sending its body (a
 * 413, a string over the limit that cut it short), reads and discards the
 * rest for up to a second: closing a socket with unread data makes the
 * kernel reset it, and the reset can destroy the answer before the client
 * reads it (nginx's "lingering close").
 */
export async function lingerOnRefusedBody(request: IncomingMessage): Promise<void> {
  if (request.complete || request.destroyed) return;
  request.unpipe(); // a body watcher (long-string-cut.ts) would pause it again
  request.resume();
  await new Promise<void>((resolve) => {
    const timer = setTimeout(done, LINGER_MS);
    timer.unref();
    request.once('end', done);
    request.once('close', done);
    function done(): void {
      clearTimeout(timer);
      request.off('end', done);
      request.off('close', done);
      resolve();
    }
  });
}

/**
 * Closes a connection whose request headers have not all arrived within
 * `timeoutMs` (slowloris), with a 408 in the API's shape, for every request
 * on it. Node's own `headersTimeout` is checked on a 30 s interval;
 * tightening that interval also cut held keep-alive requests on busy servers,
 * so:
 * - a new connection's first request gets its own unref'd timer;
 * - on a kept-alive connection, once an answer has finished, the next
 *   request's first bytes are noticed by its byte count (read without
 *   taking the socket off Node's native parser), and its headers must be
 *   complete within `timeoutMs` of them. One shared, unref'd timer, running
 *   only while kept-alive connections wait, checks them every twentieth of
 *   the timeout (at most 500 ms): the bytes are seen at most one step after
 *   they came, so the cut comes between `timeoutMs` minus two steps and
 *   `timeoutMs` after the first byte (9 to 10 s at the defaults).
 * A kept-alive connection that sends nothing is left to the keep-alive timeout.
 */
function timeHeaders(server: Server, timeoutMs: number): void {
  if (timeoutMs <= 0) return;
  const firstTimers = new WeakMap<Socket, NodeJS.Timeout>();
  server.on('connection', (socket: Socket) => {
    const timer = setTimeout(() => closeForSlowHeaders(socket), timeoutMs);
    timer.unref();
    firstTimers.set(socket, timer);
    socket.once('close', () => clearTimeout(timer));
  });

  /** Kept-alive connections between two requests: bytes read when the last answer finished, and when more were first seen (-1: not yet). */
  const waiting = new Map<Socket, { bytes: number; seenAt: number }>();
  const stepMs = Math.max(5, Math.min(500, Math.floor(timeoutMs / 20)));
  let checker: NodeJS.Timeout | undefined;
  const check = (): void => {
    const now = performance.now();
    for (const [socket, entry] of waiting) {
      if (socket.destroyed) waiting.delete(socket);
      else if (entry.seenAt < 0) {
        if (socket.bytesRead > entry.bytes) entry.seenAt = now;
      } else if (now - entry.seenAt >= timeoutMs - 2 * stepMs) {
        waiting.delete(socket);
        closeForSlowHeaders(socket);
      }
    }
    if (waiting.size === 0 && checker !== undefined) {
      clearInterval(checker);
      checker = undefined;
    }
  };
  // `this` is the response: no closure per request.
  function onAnswered(this: ServerResponse): void {
    const request = this.req;
    const socket = request.socket;
    if (socket.destroyed || !request.complete) return;
    waiting.set(socket, { bytes: socket.bytesRead, seenAt: -1 });
    if (checker === undefined) {
      checker = setInterval(check, stepMs);
      checker.unref();
    }
  }
  server.on('request', (request: IncomingMessage, response: ServerResponse) => {
    const socket = request.socket;
    const timer = firstTimers.get(socket);
    if (timer !== undefined) {
      clearTimeout(timer);
      firstTimers.delete(socket);
    } else waiting.delete(socket);
    response.once('finish', onAnswered);
  });
  server.on('close', () => {
    if (checker !== undefined) clearInterval(checker);
    waiting.clear();
  });
}

function closeForSlowHeaders(socket: Socket): void {
  if (socket.destroyed) return;
  const message = 'the request headers did not arrive within the header timeout (server.headersTimeoutMs)';
  if (socket.writable) socket.write(rawErrorResponse(408, 'Request Timeout', { status: 408, code: 'invalid_request', message, param: null }, false));
  socket.destroy();
}

/** Installs the guards on a gateway's server (call before it listens). */
export function installConnectionGuards(app: FastifyInstance, options: ConnectionGuardOptions): void {
  app.server.on('checkExpectation', answerExpectation);
  timeHeaders(app.server, options.bodyGraceMs);
  capConnectionsPerAddress(app.server, options.maxConnectionsPerIp);
  enforceBodyRate(app, options.minBodyBytesPerSecond, options.bodyGraceMs);
}
