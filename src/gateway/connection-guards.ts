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
  /** The header timeout: the first request's headers must arrive within it; also how long a body may take before its rate is judged. */
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
  if (socket.writable) {
    socket.write(rawErrorResponse(status, reason, { status, code: 'invalid_request', message, param: status === 408 ? null : 'headers' }, looksAnthropic(error.rawPacket)));
  }
  socket.destroy();
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
 * Before a 413 goes out while the client is still sending its body, reads
 * and discards the rest for up to a second: closing a socket with unread
 * data makes the kernel reset it, and the reset can destroy the 413 before
 * the client reads it (nginx's "lingering close").
 */
export async function lingerOnRefusedBody(request: IncomingMessage): Promise<void> {
  if (request.complete || request.destroyed) return;
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
 * Closes a new connection whose first request's headers have not all arrived
 * within `timeoutMs` (slowloris), with a 408 in the API's shape. Node's own
 * `headersTimeout` is checked on a 30 s interval; tightening that interval
 * also cut held keep-alive requests on busy servers, so the first request of
 * each connection gets its own unref'd timer instead. A kept-alive connection
 * waiting for its next request is left to the keep-alive timeout.
 */
function timeFirstHeaders(server: Server, timeoutMs: number): void {
  if (timeoutMs <= 0) return;
  const timers = new WeakMap<Socket, NodeJS.Timeout>();
  server.on('connection', (socket: Socket) => {
    const timer = setTimeout(() => {
      if (socket.destroyed) return;
      const message = 'the request headers did not arrive within the header timeout (server.headersTimeoutMs)';
      if (socket.writable) socket.write(rawErrorResponse(408, 'Request Timeout', { status: 408, code: 'invalid_request', message, param: null }, false));
      socket.destroy();
    }, timeoutMs);
    timer.unref();
    timers.set(socket, timer);
    socket.once('close', () => clearTimeout(timer));
  });
  server.on('request', (request: IncomingMessage) => {
    const timer = timers.get(request.socket);
    if (timer !== undefined) {
      clearTimeout(timer);
      timers.delete(request.socket);
    }
  });
}

/** Installs the guards on a gateway's server (call before it listens). */
export function installConnectionGuards(app: FastifyInstance, options: ConnectionGuardOptions): void {
  app.server.on('checkExpectation', answerExpectation);
  timeFirstHeaders(app.server, options.bodyGraceMs);
  capConnectionsPerAddress(app.server, options.maxConnectionsPerIp);
  enforceBodyRate(app, options.minBodyBytesPerSecond, options.bodyGraceMs);
}
