import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestGateway, type TestGateway } from './gateway-support.js';

/*
 * The upstream fault table: a fake OpenAI-compatible upstream that misbehaves
 * as the model name says, behind a gateway with a 2 s deadline. Each fault
 * gives its documented error within the deadline, with memory bounded; through
 * a route with a fallback, every fault of a non-streamed call and every fault
 * of a stream before its first content is answered by the next model (no
 * client-visible failure). test/upstream-stream-faults.test.ts tries the
 * stream faults with the library and both SDK clients, over both wires.
 */

const TIMEOUT_MS = 2000;
/** Scheduling slack on a busy machine, on top of the deadline. */
const SLACK_MS = 1500;

let upstream: Server;
let gateway: TestGateway;
/** Bytes the fake upstream managed to write in the current case (the gateway stops reading at its cap). */
let bytesSent = 0;

function completion(content: string): string {
  return JSON.stringify({
    id: 'chatcmpl-fake',
    object: 'chat.completion',
    created: 1,
    model: 'fake',
    choices: [{ index: 0, message: { role: 'assistant', content }, finish_reason: 'stop' }],
    usage: { prompt_tokens: 1, completion_tokens: 1, total_tokens: 2 },
  });
}

function chunk(content: string): string {
  return `data: ${JSON.stringify({ id: 'c', object: 'chat.completion.chunk', created: 1, model: 'fake', choices: [{ index: 0, delta: { content }, finish_reason: null }] })}\n\n`;
}

/** Writes `total` bytes of a JSON string body lazily, with backpressure, until done or the client goes away. */
function writeHuge(response: ServerResponse, total: number, declared: boolean): void {
  response.writeHead(200, { 'content-type': 'application/json', ...(declared ? { 'content-length': String(total) } : {}) });
  const piece = Buffer.alloc(256 * 1024, 0x61);
  let written = 0;
  const more = (): void => {
    while (written < total && !response.destroyed) {
      const part = piece.subarray(0, Math.min(piece.length, total - written));
      written += part.length;
      bytesSent += part.length;
      if (!response.write(part)) {
        response.once('drain', more);
        return;
      }
    }
    if (!response.destroyed) response.end();
  };
  more();
}

function misbehave(model: string, stream: boolean, request: IncomingMessage, response: ServerResponse): void {
  switch (model) {
    case 'fault-429':
      response.writeHead(429, { 'content-type': 'application/json', 'retry-after': '3600' });
      response.end(JSON.stringify({ error: { message: 'slow down', type: 'rate_limit_error', code: 'rate_limit_exceeded' } }));
      return;
    case 'fault-500':
    case 'fault-503':
      response.writeHead(Number(model.slice(6)), { 'content-type': 'application/json' });
      response.end(JSON.stringify({ error: { message: 'upstream trouble', type: 'server_error' } }));
      return;
    case 'fault-garbage':
      response.writeHead(200, { 'content-type': stream ? 'text/event-stream' : 'application/json' });
      response.end(stream ? 'data: {not json\n\n' : '<html>definitely not json</html>');
      return;
    case 'fault-truncated': {
      const text = completion('cut short');
      response.writeHead(200, { 'content-type': 'application/json', 'content-length': String(text.length) });
      response.end(text.slice(0, 40));
      response.socket?.destroy();
      return;
    }
    case 'fault-truncated-json': {
      // A complete HTTP answer whose JSON stops half-way.
      const text = completion('cut short').slice(0, 40);
      response.writeHead(200, { 'content-type': 'application/json', 'content-length': String(text.length) });
      response.end(text);
      return;
    }
    case 'fault-cut-midway':
      response.writeHead(200, { 'content-type': 'text/event-stream' });
      response.write(chunk('the start '));
      response.write(chunk('and more '));
      setTimeout(() => response.socket?.destroy(), 50);
      return;
    case 'fault-cut-before-first':
      response.writeHead(200, { 'content-type': stream ? 'text/event-stream' : 'application/json' });
      response.flushHeaders();
      setTimeout(() => response.socket?.destroy(), 50);
      return;
    case 'fault-reset':
      request.socket.destroy();
      return;
    case 'fault-stall':
      response.writeHead(200, { 'content-type': stream ? 'text/event-stream' : 'application/json' });
      response.flushHeaders(); // and nothing more, ever
      return;
    case 'fault-drip': {
      response.writeHead(200, { 'content-type': stream ? 'text/event-stream' : 'application/json' });
      const text = stream ? ': keep-alive\n\n' : completion('x'.repeat(1000));
      let at = 0;
      const timer = setInterval(() => {
        if (response.destroyed || at >= text.length) return clearInterval(timer);
        response.write(text[at++]); // a byte every 100 ms: never idle long enough for a body timeout
      }, 100);
      return;
    }
    case 'fault-100mb':
      writeHuge(response, 100 * 1024 * 1024, true);
      return;
    case 'fault-600mb':
      writeHuge(response, 600 * 1024 * 1024, false);
      return;
    default:
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end(completion('fine'));
  }
}

const BODY_TIMEOUT_MS = 1500;

const FAULTS = ['fault-429', 'fault-500', 'fault-503', 'fault-garbage', 'fault-truncated', 'fault-truncated-json', 'fault-cut-before-first', 'fault-reset', 'fault-stall', 'fault-drip', 'fault-100mb', 'fault-600mb'];

beforeAll(async () => {
  upstream = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (data: Buffer) => chunks.push(data));
    request.on('end', () => {
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}') as { model?: string; stream?: boolean };
      misbehave(body.model ?? '', body.stream === true, request, response);
    });
  });
  await new Promise<void>((resolve) => upstream.listen(0, '127.0.0.1', resolve));
  const baseURL = `http://127.0.0.1:${(upstream.address() as AddressInfo).port}/v1`;
  gateway = await startTestGateway({
    providers: { faulty: { type: 'openai-compatible', baseURL, timeoutMs: TIMEOUT_MS, retries: 1, bodyTimeoutMs: BODY_TIMEOUT_MS } },
    routes: Object.fromEntries([...FAULTS, 'fault-cut-midway'].map((fault) => [`fallback-${fault}`, [`faulty/${fault}`, 'mock/echo']])),
  });
});

afterAll(async () => {
  await gateway?.stop();
  upstream?.closeAllConnections();
  await new Promise((resolve) => upstream?.close(resolve));
});

interface Outcome {
  status: number;
  body: string;
  headers: Headers;
  elapsedMs: number;
  peakRssGrowthMb: number;
}

/** One chat call through the gateway, watching this process's RSS meanwhile (gateway and upstream live here). */
async function call(model: string, stream: boolean): Promise<Outcome> {
  const before = process.memoryUsage().rss;
  let peak = before;
  const watch = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 20);
  const started = performance.now();
  try {
    const response = await fetch(`${gateway.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model, stream, messages: [{ role: 'user', content: 'hello' }] }),
    });
    const body = await response.text();
    return { status: response.status, body, headers: response.headers, elapsedMs: performance.now() - started, peakRssGrowthMb: (peak - before) / 1024 / 1024 };
  } finally {
    clearInterval(watch);
  }
}

/** The documented answer per fault, non-streamed: status and error code. */
const DOCUMENTED: Array<[fault: string, status: number, code: string]> = [
  ['fault-429', 429, 'rate_limited'],
  ['fault-500', 502, 'upstream_error'],
  ['fault-503', 502, 'upstream_unavailable'],
  ['fault-garbage', 502, 'invalid_response'],
  // The body ends before its content-length: the connection failed mid-answer.
  ['fault-truncated', 502, 'connection_failed'],
  ['fault-truncated-json', 502, 'invalid_response'],
  ['fault-cut-before-first', 502, 'connection_failed'],
  ['fault-reset', 502, 'connection_failed'],
  // The idle body timeout (1.5 s) or the deadline (2 s, after the retry the body timeout allows): both 504.
  ['fault-stall', 504, 'body_timeout|request_timeout'],
  ['fault-drip', 504, 'request_timeout'],
  ['fault-100mb', 502, 'response_too_large'],
  ['fault-600mb', 502, 'response_too_large'],
];

describe('the upstream fault table', () => {
  it.each(DOCUMENTED)('%s: %i %s within the deadline, memory bounded', async (fault, status, code) => {
    bytesSent = 0;
    const outcome = await call(`faulty/${fault}`, false);
    expect(outcome.status, outcome.body).toBe(status);
    expect((JSON.parse(outcome.body) as { error: { code: string } }).error.code).toMatch(new RegExp(`^(${code})$`));
    expect(outcome.elapsedMs).toBeLessThan(TIMEOUT_MS + SLACK_MS);
    // The gateway holds at most its 32 MiB cap of an answer (plus what the decoding costs), never the whole body.
    expect(outcome.peakRssGrowthMb).toBeLessThan(160);
    if (fault === 'fault-429') expect(outcome.headers.get('retry-after')).toBe('3600');
    if (fault === 'fault-600mb') expect(bytesSent).toBeLessThan(64 * 1024 * 1024);
  }, 20_000);

  it.each(FAULTS)('%s behind a route with a fallback, not streamed: answered by the next model', async (fault) => {
    const outcome = await call(`fallback-${fault}`, false);
    expect(outcome.status, outcome.body.slice(0, 300)).toBe(200);
    expect(JSON.parse(outcome.body)).toMatchObject({ choices: [{ message: { content: 'hello' } }] });
    expect(outcome.elapsedMs).toBeLessThan(TIMEOUT_MS + SLACK_MS);
  }, 30_000);

  // A stream commits to its upstream at its first content part, not at the 2xx: every fault before it falls back.
  it.each(FAULTS)('%s behind a route with a fallback, streamed: answered by the next model', async (fault) => {
    const outcome = await call(`fallback-${fault}`, true);
    expect(outcome.status, outcome.body.slice(0, 300)).toBe(200);
    expect(outcome.body).toContain('"content":"hello"');
    expect(outcome.body).not.toMatch(/"error"/);
    expect(outcome.body.trimEnd().endsWith('data: [DONE]')).toBe(true);
    expect(outcome.elapsedMs).toBeLessThan(TIMEOUT_MS + SLACK_MS);
  }, 30_000);

  // Without a route, a fault before any content is an HTTP error in the API's shape: nothing of the stream was sent yet.
  it.each(['fault-garbage', 'fault-cut-before-first', 'fault-stall', 'fault-drip'])('%s after the upstream answered 2xx, streamed, no route: an HTTP error', async (fault) => {
    const outcome = await call(`faulty/${fault}`, true);
    expect(outcome.status, outcome.body).toBeGreaterThanOrEqual(502);
    expect((JSON.parse(outcome.body) as { error: { code: string } }).error.code).toMatch(/^(invalid_response|connection_failed|body_timeout|request_timeout)$/);
    expect(outcome.elapsedMs).toBeLessThan(Math.max(TIMEOUT_MS, BODY_TIMEOUT_MS) + SLACK_MS);
  }, 30_000);

  it('a stream cut midway, after its first bytes reached the client, ends with an error event in the stream', async () => {
    const outcome = await call('fallback-fault-cut-midway', true);
    expect(outcome.status).toBe(200);
    expect(outcome.body).toContain('the start');
    expect(outcome.body).toMatch(/data: \{"error":\{"message":"[^"]*","type":"[a-z_]+","code":"(connection_failed|invalid_response)"/);
  });

  it('the same gateway answers a normal request after all of it', async () => {
    const outcome = await call('faulty/fine', false);
    expect(outcome.status).toBe(200);
    expect(JSON.parse(outcome.body)).toMatchObject({ choices: [{ message: { content: 'fine' } }] });
  });
});
