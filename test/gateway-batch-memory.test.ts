import { createReadStream, createWriteStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { once } from 'node:events';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeFile } from 'node:fs/promises';
import { Readable } from 'node:stream';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { multipartBody } from '../src/core/http-body.js';
import { startOpenAIMockServer, type OpenAIMockServer } from '../src/mock-upstream/openai-server.js';
import { readJsonLines } from '../src/core/json-lines.js';
import { cleanEnvironment, startCli } from './support/cli.js';
import type { ChildProcess } from 'node:child_process';

/*
 * A 200 MiB batch input uploaded to a `switchyard serve` process, run, and
 * its 200 MiB output downloaded: the gateway's heap (its own /metrics,
 * sampled through the run) stays under 100 MiB. The input is generated on
 * the fly into a temp dir; the response cache is off (its memory layer is a
 * separate, configured bound). The gateway runs with its old space capped
 * at 88 MiB (and 4 MiB semi-spaces): a live set above that would end it with
 * an out-of-memory error, so the bound holds whatever the GC's timing.
 */
const LINES = 800;
const CONTENT_BYTES = 265 * 1024;
const HEAP_LIMIT = 100 * 1024 * 1024;
let directory: string;
let gateway: ChildProcess;
let upstream: OpenAIMockServer;
let url: string;
let peakHeap = 0;
let sampling: NodeJS.Timeout;

async function heapUsed(): Promise<number> {
  const response = await request(`${url}/metrics`);
  const text = await response.body.text();
  const match = /switchyard_process_memory_bytes\{type="heap_used"\} (\d+(?:\.\d+)?(?:e\+\d+)?)/.exec(text);
  return match ? Number(match[1]) : 0;
}

beforeAll(async () => {
  directory = await mkdtemp(join(tmpdir(), 'switchyard-batch-memory-'));
  const config = join(directory, 'config.json');
  // An OpenAI-compatible upstream (no batch API): every line runs through the gateway's own worker.
  upstream = await startOpenAIMockServer();
  const providers = { local: { type: 'openai-compatible', baseURL: upstream.url, apiKey: 'unused' } };
  await writeFile(config, JSON.stringify({ providers, cache: { responses: false }, batch: { pollSeconds: 0.2 } }));
  const started = await startCli(['serve', '--port', '0', '--config', config], cleanEnvironment({ SWITCHYARD_ENV: 'production', SWITCHYARD_DATABASE_URL: join(directory, 'gateway.db'), NODE_OPTIONS: '--max-old-space-size=88 --max-semi-space-size=4' }), /listening on (http:\/\/\S+)/);
  gateway = started.child;
  url = started.match[1];
  sampling = setInterval(() => {
    heapUsed().then((heap) => (peakHeap = Math.max(peakHeap, heap)), () => undefined);
  }, 100);
});
afterAll(async () => {
  clearInterval(sampling);
  gateway?.kill('SIGKILL');
  await upstream?.close();
  await rm(directory, { recursive: true, force: true });
});

describe('gateway batch memory', () => {
  it('serves a 200 MiB batch input and its output with the heap under 100 MiB', async () => {
    const input = join(directory, 'big.jsonl');
    const writer = createWriteStream(input);
    // Words, as prompts are: one 265 KB run of a single letter would be a pathological case for the token estimator.
    const filler = 'the quick brown fox jumps over the lazy dog '.repeat(Math.ceil(CONTENT_BYTES / 44));
    for (let index = 0; index < LINES; index++) {
      const line = JSON.stringify({ custom_id: `big-${index}`, method: 'POST', url: '/v1/chat/completions', body: { model: 'local/gpt-4o-mini', messages: [{ role: 'user', content: `${index} ${filler}` }] } });
      if (!writer.write(`${line}\n`)) await once(writer, 'drain');
    }
    writer.end();
    await once(writer, 'finish');

    const upload = multipartBody({ purpose: 'batch' }, { field: 'file', filename: 'big.jsonl', contentType: 'application/jsonl', stream: createReadStream(input) });
    const uploaded = await request(`${url}/v1/files`, { method: 'POST', headers: { 'content-type': upload.contentType }, body: Readable.from(upload.body) });
    const file = (await uploaded.body.json()) as { id: string; bytes: number };
    expect(uploaded.statusCode).toBe(200);
    expect(file.bytes).toBeGreaterThan(200 * 1024 * 1024);

    const created = await request(`${url}/v1/batches`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ input_file_id: file.id, endpoint: '/v1/chat/completions', completion_window: '24h' }) });
    const batch = (await created.body.json()) as { id: string };
    let status: { status: string; output_file_id: string | null; request_counts: { completed: number } } | undefined;
    const deadline = Date.now() + 240_000; // a hang guard, generous for a loaded machine
    while (Date.now() < deadline) {
      const polled = await request(`${url}/v1/batches/${batch.id}`);
      status = (await polled.body.json()) as typeof status;
      if (status!.status === 'completed') break;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    expect(status).toMatchObject({ status: 'completed', request_counts: { completed: LINES } });

    const download = await request(`${url}/v1/files/${status!.output_file_id}/content`);
    expect(download.statusCode).toBe(200);
    const ids = new Set<string>();
    let bytes = 0;
    for await (const text of readJsonLines(download.body)) {
      bytes += Buffer.byteLength(text) + 1;
      const record = JSON.parse(text) as { custom_id: string; response: { body: { choices: Array<{ message: { content: string } }> } } };
      expect(record.response.body.choices[0].message.content.length).toBeGreaterThan(CONTENT_BYTES);
      ids.add(record.custom_id);
    }
    expect(ids.size).toBe(LINES);
    expect(bytes).toBeGreaterThan(200 * 1024 * 1024);
    peakHeap = Math.max(peakHeap, await heapUsed());
    expect(peakHeap).toBeGreaterThan(0);
    expect(peakHeap, `peak heap ${Math.round(peakHeap / 1048576)} MiB`).toBeLessThan(HEAP_LIMIT);
  }, 300_000);
});
