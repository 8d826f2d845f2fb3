import { connect, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestGateway, type TestGateway } from './gateway-support.js';

// Slow clients: slowloris headers and trickled bodies are cut off (with a 408 in the API's shape) while ordinary requests flow.
const HEADERS_TIMEOUT_MS = 1000;
/** How late Node may notice a header timeout: the gateway checks connections every 250 ms, plus scheduling on a busy machine. */
const CHECK_SLACK_MS = 750;
const SLOW_CONNECTIONS = 200;

let gateway: TestGateway;
let port: number;

beforeAll(async () => {
  gateway = await startTestGateway({ server: { headersTimeoutMs: HEADERS_TIMEOUT_MS, minBodyBytesPerSecond: 1000 } });
  port = gateway.port;
});

afterAll(async () => {
  await gateway?.stop();
});

/** A slowloris connection: a request line, then one more header line every 200 ms, never the blank line. */
function slowloris(): Promise<{ closedAfterMs: number; answer: string }> {
  return new Promise((resolve) => {
    const started = performance.now();
    const socket: Socket = connect(port, '127.0.0.1');
    let answer = '';
    let drip: NodeJS.Timeout | undefined;
    socket.on('connect', () => {
      socket.write('POST /v1/chat/completions HTTP/1.1\r\nhost: x\r\n');
      drip = setInterval(() => socket.writable && socket.write('x-slow: 1\r\n'), 200);
    });
    socket.on('data', (chunk: Buffer) => (answer += chunk.toString('latin1')));
    socket.on('error', () => undefined);
    socket.on('close', () => {
      clearInterval(drip);
      resolve({ closedAfterMs: performance.now() - started, answer });
    });
  });
}

/** A kept-alive connection: one whole GET /healthz, its answer read, then `next` is called with the socket (the answer so far is reset). */
function keptAlive(next: (socket: Socket) => void): Promise<{ closedAfterMs: number; answer: string; firstAnswer: string }> {
  return new Promise((resolve) => {
    const socket: Socket = connect(port, '127.0.0.1');
    let answer = '';
    let firstAnswer: string | undefined;
    let secondStarted = 0;
    socket.on('connect', () => socket.write('GET /healthz HTTP/1.1\r\nhost: x\r\n\r\n'));
    socket.on('data', (chunk: Buffer) => {
      answer += chunk.toString('latin1');
      const headEnd = answer.indexOf('\r\n\r\n');
      if (firstAnswer !== undefined || headEnd < 0) return;
      const length = Number(/content-length: (\d+)/i.exec(answer.slice(0, headEnd))?.[1] ?? 0);
      if (Buffer.byteLength(answer, 'latin1') < headEnd + 4 + length) return;
      firstAnswer = answer;
      answer = '';
      secondStarted = performance.now();
      next(socket);
    });
    socket.on('error', () => undefined);
    socket.on('close', () => resolve({ closedAfterMs: performance.now() - secondStarted, answer, firstAnswer: firstAnswer ?? '' }));
  });
}

/** GETs /healthz five times a second until stopped; counts answers that were not 200. */
function probeAtFivePerSecond(): { stop: () => Promise<{ sent: number; failed: number }> } {
  let running = true;
  let sent = 0;
  let failed = 0;
  const loop = (async () => {
    while (running) {
      sent++;
      try {
        const response = await fetch(`${gateway.url}/healthz`);
        await response.text();
        if (response.status !== 200) failed++;
      } catch {
        failed++;
      }
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  })();
  return {
    async stop() {
      running = false;
      await loop;
      return { sent, failed };
    },
  };
}

describe('slow clients', () => {
  it(`closes ${SLOW_CONNECTIONS} slowloris connections at the header timeout while a 5 req/s probe never fails`, async () => {
    const probe = probeAtFivePerSecond();
    const results = await Promise.all(Array.from({ length: SLOW_CONNECTIONS }, () => slowloris()));
    const probed = await probe.stop();

    const latest = Math.max(...results.map((result) => result.closedAfterMs));
    expect(latest).toBeLessThanOrEqual(HEADERS_TIMEOUT_MS + CHECK_SLACK_MS);
    for (const result of results) {
      expect(result.closedAfterMs).toBeGreaterThanOrEqual(HEADERS_TIMEOUT_MS - 50);
      expect(result.answer).toMatch(/^HTTP\/1\.1 408 /);
      const body = JSON.parse(result.answer.slice(result.answer.indexOf('\r\n\r\n') + 4)) as { error: { message: string; code: string } };
      expect(body.error).toMatchObject({ code: 'invalid_request' });
      expect(body.error.message).toMatch(/headersTimeoutMs/);
    }
    expect(probed.sent).toBeGreaterThanOrEqual(3);
    expect(probed.failed).toBe(0);
  }, 30_000);

  it("holds a kept-alive connection's later requests to the header timeout too", async () => {
    let drip: NodeJS.Timeout | undefined;
    const result = await keptAlive((socket) => {
      socket.write('POST /v1/chat/completions HTTP/1.1\r\nhost: x\r\n');
      drip = setInterval(() => socket.writable && socket.write('x-slow: 1\r\n'), 200);
    });
    clearInterval(drip);
    // Not asserted (a wall-clock figure): without this guard Node's own 60 s headersTimeout, checked every 30 s, would close it.
    console.log(`slow headers on a kept-alive connection's second request: closed after ${result.closedAfterMs.toFixed(0)} ms (headersTimeoutMs ${HEADERS_TIMEOUT_MS})`);
    expect(result.firstAnswer).toMatch(/^HTTP\/1\.1 200 /);
    expect(result.answer).toMatch(/^HTTP\/1\.1 408 /);
    const body = JSON.parse(result.answer.slice(result.answer.indexOf('\r\n\r\n') + 4)) as { error: { message: string; code: string } };
    expect(body.error).toMatchObject({ code: 'invalid_request' });
    expect(body.error.message).toMatch(/headersTimeoutMs/);
  }, 15_000);

  it('leaves a kept-alive connection that sends nothing to the keep-alive timeout, and answers its next request', async () => {
    const result = await keptAlive((socket) => {
      // Quiet for more than twice the header timeout, then a whole request, then the client closes.
      setTimeout(() => socket.write('GET /healthz HTTP/1.1\r\nhost: x\r\nconnection: close\r\n\r\n'), HEADERS_TIMEOUT_MS * 2.5);
    });
    expect(result.firstAnswer).toMatch(/^HTTP\/1\.1 200 /);
    expect(result.answer).toMatch(/^HTTP\/1\.1 200 /);
  }, 15_000);

  it('cuts a body trickling below minBodyBytesPerSecond with a 408, and answers the next request', async () => {
    const started = performance.now();
    const answer = await new Promise<string>((resolve) => {
      const socket = connect(port, '127.0.0.1');
      let text = '';
      let drip: NodeJS.Timeout | undefined;
      socket.on('connect', () => {
        socket.write('POST /v1/messages HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\ncontent-length: 100000\r\n\r\n{"model":');
        drip = setInterval(() => socket.writable && socket.write(' '), 100); // 10 bytes a second
      });
      socket.on('data', (chunk: Buffer) => (text += chunk.toString('latin1')));
      socket.on('error', () => undefined);
      socket.on('close', () => {
        clearInterval(drip);
        resolve(text);
      });
    });
    const elapsed = performance.now() - started;
    expect(answer).toMatch(/^HTTP\/1\.1 408 /);
    // Anthropic's shape on /v1/messages.
    expect(JSON.parse(answer.slice(answer.indexOf('\r\n\r\n') + 4))).toMatchObject({ type: 'error', error: { message: expect.stringMatching(/minBodyBytesPerSecond/) } });
    expect(elapsed).toBeLessThan(10_000);
    const normal = await fetch(`${gateway.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'mock/echo', messages: [{ role: 'user', content: 'still here' }] }),
    });
    expect(normal.status).toBe(200);
  }, 30_000);
});
