import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import OpenAI, { toFile } from 'openai';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestGateway, type TestGateway } from './gateway-support.js';
import { BIN, cleanEnvironment } from './support/cli.js';
import { POSTGRES_URL, uniqueName } from './store-support.js';

/*
 * Three `switchyard worker` processes share one 5,000-line gateway batch
 * through pg-boss on PostgreSQL; one is killed with SIGKILL mid-run. Its
 * jobs expire (job timeout 4 s in this test) and are retried by the others;
 * the batch completes with every line exactly once.
 */
const schema = uniqueName('sy_workers');
const queueSchema = `${schema}_queue`;
const databaseUrl = `${POSTGRES_URL}${POSTGRES_URL.includes('?') ? '&' : '?'}options=${encodeURIComponent(`-c search_path=${schema}`)}`;
let admin: pg.Client;
let directory: string;
let gateway: TestGateway;
const workers: ChildProcess[] = [];

const batchSettings = { queueSchema, jobTimeoutSeconds: 4, pollSeconds: 1 };

beforeAll(async () => {
  admin = new pg.Client({ connectionString: POSTGRES_URL });
  await admin.connect();
  await admin.query(`create schema ${schema}`);
  directory = await mkdtemp(join(tmpdir(), 'switchyard-workers-'));
  await writeFile(join(directory, 'worker.json'), JSON.stringify({ databaseUrl, mock: { latencyMs: 15 }, batch: batchSettings }));
  gateway = await startTestGateway({ databaseUrl, batch: { ...batchSettings, inProcessWorker: false } });
});
afterAll(async () => {
  for (const worker of workers) if (worker.exitCode === null && worker.signalCode === null) worker.kill('SIGKILL');
  await gateway?.stop();
  await admin.query(`drop schema if exists ${schema} cascade`);
  await admin.query(`drop schema if exists ${queueSchema} cascade`);
  await admin.end();
  await rm(directory, { recursive: true, force: true });
});

function startWorker(): Promise<ChildProcess> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, 'worker', '--concurrency', '16', '--config', join(directory, 'worker.json')], { env: cleanEnvironment(), stdio: ['ignore', 'pipe', 'pipe'] });
    workers.push(child);
    let stderr = '';
    child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk));
    child.stdout!.on('data', (chunk: Buffer) => {
      if (String(chunk).includes('switchyard worker running')) resolve(child);
    });
    child.on('exit', (code) => reject(new Error(`worker exited with ${code}: ${stderr}`)));
  });
}

async function resultCount(batchId: string): Promise<number> {
  const { rows } = await admin.query(`select count(*)::int as count from ${schema}.gateway_batch_results where batch_id = $1`, [batchId]);
  return rows[0].count as number;
}

describe('switchyard worker on pg-boss', () => {
  it('three workers share a 5,000-line batch; one killed with SIGKILL loses nothing and duplicates nothing', async () => {
    const lines = 5_000;
    const text = Array.from({ length: lines }, (_, index) =>
      JSON.stringify({ custom_id: `w-${index}`, method: 'POST', url: '/v1/chat/completions', body: { model: 'mock/echo', messages: [{ role: 'user', content: `work ${index}` }] } }),
    ).join('\n');
    const client = new OpenAI({ baseURL: `${gateway.url}/v1`, apiKey: 'unused', maxRetries: 0 });
    const file = await client.files.create({ file: await toFile(Buffer.from(text), 'work.jsonl'), purpose: 'batch' });
    const [first] = await Promise.all([startWorker(), startWorker(), startWorker()]);
    const batch = await client.batches.create({ input_file_id: file.id, endpoint: '/v1/chat/completions', completion_window: '24h' });

    // Kill one worker once a fifth of the lines are written: it holds running jobs then.
    const killDeadline = Date.now() + 30_000;
    while ((await resultCount(batch.id)) < lines / 5 && Date.now() < killDeadline) await new Promise((resolve) => setTimeout(resolve, 25));
    const atKill = await resultCount(batch.id);
    first.kill('SIGKILL');
    expect(atKill).toBeLessThan(lines);

    let done: OpenAI.Batch | undefined;
    const deadline = Date.now() + 60_000;
    while (Date.now() < deadline) {
      done = await client.batches.retrieve(batch.id);
      if (done.status === 'completed') break;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    expect(done?.status).toBe('completed');
    expect(done?.request_counts).toEqual({ total: lines, completed: lines, failed: 0 });
    const output = (await (await client.files.content(done!.output_file_id!)).text()).trim().split('\n').map((line) => JSON.parse(line) as { custom_id: string; response: { body: { choices: Array<{ message: { content: string } }> } } });
    expect(output).toHaveLength(lines);
    expect(new Set(output.map((record) => record.custom_id)).size).toBe(lines);
    // In input order, whichever worker wrote each line.
    expect(output.map((record) => record.custom_id)).toEqual(Array.from({ length: lines }, (_, index) => `w-${index}`));
    for (const record of output) expect(record.response.body.choices[0].message.content).toBe(`work ${record.custom_id.slice(2)}`);
  }, 90_000);
});
