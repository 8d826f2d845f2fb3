import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestGateway, type TestGateway } from './gateway-support.js';

/*
 * A string over server.requestLimits.maxStringLength is refused as soon as it
 * has arrived past the limit, not after the whole body: the gateway answers
 * 400 naming the field while the client is still sending. So a 5 MB string
 * costs the gateway about the limit, not the body three times over.
 */

const LIMIT = 1024 * 1024;
let gateway: TestGateway;

beforeAll(async () => {
  gateway = await startTestGateway({});
});
afterAll(async () => {
  await gateway?.stop();
});

/** Sends `head` and `part` of a request on a raw socket, never the rest, and returns what the gateway answers (or '' when it closes first). */
function sendPart(head: string, part: Buffer | string): Promise<string> {
  return new Promise((resolve) => {
    const socket = connect(gateway.port, '127.0.0.1');
    let answer = '';
    socket.on('connect', () => {
      socket.write(head);
      socket.write(part);
    });
    socket.on('data', (chunk: Buffer) => {
      answer += chunk.toString('latin1');
      const headEnd = answer.indexOf('\r\n\r\n');
      const length = Number(/content-length: (\d+)/i.exec(answer)?.[1] ?? NaN);
      if (headEnd >= 0 && Buffer.byteLength(answer, 'latin1') >= headEnd + 4 + length) {
        socket.destroy();
        resolve(answer);
      }
    });
    socket.on('error', () => undefined);
    socket.on('close', () => resolve(answer));
  });
}

function errorOf(answer: string): { message: string; param: string | null } {
  return (JSON.parse(answer.slice(answer.indexOf('\r\n\r\n') + 4)) as { error: { message: string; param: string | null } }).error;
}

const PREFIX = '{"model":"mock/echo","messages":[{"role":"user","content":"';

describe('an over-long string, refused while it arrives', () => {
  it('answers 400 naming the field before the client has sent the rest of a 5 MB body', async () => {
    const body = `${PREFIX}${'z'.repeat(5 * 1024 * 1024)}"}]}`;
    const head = `POST /v1/chat/completions HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\n\r\n`;
    // Two of the five megabytes: without the cut the gateway would wait for the rest (until the body-rate guard's 408).
    const answer = await sendPart(head, body.slice(0, 2 * 1024 * 1024));
    expect(answer).toMatch(/^HTTP\/1\.1 400 /);
    expect(errorOf(answer)).toMatchObject({ param: 'messages.0.content' });
    expect(errorOf(answer).message).toMatch(/messages\.0\.content: longer than 1048576 characters \(server\.requestLimits\.maxStringLength\)/);
  }, 20_000);

  it('names a nested field, in the Anthropic shape on /v1/messages', async () => {
    const body = `{"model":"mock/echo","max_tokens":5,"messages":[{"role":"user","content":[{"type":"text","text":"${'y'.repeat(3 * 1024 * 1024)}"}]}]}`;
    const head = `POST /v1/messages HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\n\r\n`;
    const answer = await sendPart(head, body.slice(0, 2 * 1024 * 1024));
    expect(answer).toMatch(/^HTTP\/1\.1 400 /);
    expect(JSON.parse(answer.slice(answer.indexOf('\r\n\r\n') + 4))).toMatchObject({ type: 'error', error: { message: expect.stringMatching(/messages\.0\.content\.0\.text: longer than/) } });
  }, 20_000);

  it('counts a string as decoded: escapes are one character, a 4-byte UTF-8 character two', async () => {
    // 600,000 escaped newlines: 1.2 MB of body, 600,000 characters once decoded: under the limit.
    const escaped = await fetch(`${gateway.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'mock/echo', max_tokens: 5, messages: [{ role: 'user', content: '\n'.repeat(600_000) }] }),
    });
    expect(escaped.status).toBe(200);
    await escaped.text();
    // 300,000 emoji (4 UTF-8 bytes, 2 UTF-16 units each): 600,000 characters, 1.2 MB of body: admitted. 600,000 of them are over.
    for (const [count, status] of [
      [300_000, 200],
      [LIMIT / 2 + 1, 400],
    ] as const) {
      const response = await fetch(`${gateway.url}/v1/chat/completions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ model: 'mock/echo', max_tokens: 5, messages: [{ role: 'user', content: '🤖'.repeat(count) }] }),
      });
      expect(response.status, `${count} emoji`).toBe(status);
      await response.text();
    }
  }, 30_000);

  it('admits a string of exactly the limit and refuses one character more', async () => {
    for (const [length, status] of [
      [LIMIT, 200],
      [LIMIT + 1, 400],
    ] as const) {
      const response = await fetch(`${gateway.url}/v1/chat/completions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ model: 'mock/echo', max_tokens: 5, messages: [{ role: 'user', content: 'a'.repeat(length) }] }),
      });
      expect(response.status, `${length} characters`).toBe(status);
      await response.text();
    }
  }, 30_000);

  it('still answers ordinary requests afterwards', async () => {
    const response = await fetch(`${gateway.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'mock/echo', messages: [{ role: 'user', content: 'still here' }] }),
    });
    expect(response.status).toBe(200);
    expect(((await response.json()) as { choices: Array<{ message: { content: string } }> }).choices[0].message.content).toBe('still here');
  });
});
