import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Agent } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requestJson } from '../src/core/http.js';
import { SwitchyardError } from '../src/spec/errors.js';

// The cap on non-streamed answers, against a real server: refused by content-length, or cut once the body grows past it.
let server: Server;
let base: string;
const agent = new Agent();
let sentBytes = 0;

beforeAll(async () => {
  server = createServer((request, response) => {
    const size = Number(new URL(request.url!, 'http://x').searchParams.get('bytes'));
    const declared = request.url!.includes('declared');
    response.writeHead(200, { 'content-type': 'application/json', ...(declared ? { 'content-length': String(size + 2) } : {}) });
    // Streamed in 64 KiB pieces with backpressure, as a large upstream answer would be.
    let written = 0;
    const piece = Buffer.alloc(64 * 1024, 0x61);
    response.write('"');
    const writeMore = (): void => {
      while (written < size) {
        const chunk = piece.subarray(0, Math.min(piece.length, size - written));
        written += chunk.length;
        sentBytes += chunk.length;
        if (!response.write(chunk)) {
          response.once('drain', writeMore);
          return;
        }
      }
      response.end('"');
    };
    writeMore();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
  await agent.close();
});

const call = (path: string, maxResponseBytes: number) =>
  requestJson({ dispatcher: agent, url: `${base}${path}`, provider: 'fake', context: 'chat completion', maxResponseBytes, mapError: () => new SwitchyardError({ code: 'upstream_error', message: 'x' }) });

describe('the response size cap', () => {
  it('reads an answer under the cap', async () => {
    const response = await call('/?bytes=1000', 4096);
    expect(response.value).toBe('a'.repeat(1000));
  });

  it('refuses a declared content-length over the cap before reading the body', async () => {
    sentBytes = 0;
    const error = await call('/declared?bytes=100000000', 1024 * 1024).catch((thrown: unknown) => thrown);
    expect(error).toMatchObject({ code: 'response_too_large', provider: 'fake', isRetryable: false });
    expect((error as Error).message).toMatch(/1048576-byte cap \(maxResponseBytes\): its content-length is 100000002 bytes/);
  });

  it('cuts a chunked answer once it grows past the cap, holding no more than the cap', async () => {
    sentBytes = 0;
    const error = await call('/?bytes=100000000', 1024 * 1024).catch((thrown: unknown) => thrown);
    expect(error).toMatchObject({ code: 'response_too_large' });
    expect((error as Error).message).toMatch(/it grew past that/);
    // The server was stopped well before it sent its 100 MB (socket buffers hold a few MB at most).
    expect(sentBytes).toBeLessThan(32 * 1024 * 1024);
  });
});
