// Lines per second of a gateway batch run by `switchyard worker` processes on pg-boss,
// mock provider at 50 ms latency, --concurrency 64 per worker, with 1 and with 3 workers.
// Usage: npx tsc -p tsconfig.build.json && npx tsx bench/batch-workers.ts [--lines=N]
// Needs PostgreSQL (SWITCHYARD_TEST_POSTGRES_URL, default postgres://postgres@127.0.0.1:5432/test). Never run by `npm test`.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { request } from 'undici';
import { startGateway } from '../src/gateway/start-gateway.js';

const POSTGRES_URL = process.env.SWITCHYARD_TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const BIN = fileURLToPath(new URL('../bin/switchyard.js', import.meta.url));
const LINES = Number(process.argv.find((argument) => argument.startsWith('--lines='))?.slice('--lines='.length) ?? 6000);

function startWorker(config: string): Promise<ChildProcess> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, 'worker', '--concurrency', '64', '--config', config], { env: { PATH: process.env.PATH, HOME: process.env.HOME }, stdio: ['ignore', 'pipe', 'inherit'] });
    child.stdout!.on('data', (chunk: Buffer) => String(chunk).includes('worker running') && resolve(child));
    child.on('exit', (code) => reject(new Error(`worker exited ${code}`)));
  });
}

async function run(workerCount: number): Promise<number> {
  const schema = `sy_bench_${randomBytes(4).toString('hex')}`;
  const queueSchema = `${schema}_queue`;
  const admin = new pg.Client({ connectionString: POSTGRES_URL });
  await admin.connect();
  await admin.query(`create schema ${schema}`);
  const directory = await mkdtemp(join(tmpdir(), 'switchyard-bench-batch-'));
  const databaseUrl = `${POSTGRES_URL}?options=${encodeURIComponent(`-c search_path=${schema}`)}`;
  const batch = { queueSchema, jobTimeoutSeconds: 120, pollSeconds: 1 };
  const config = join(directory, 'worker.json');
  await writeFile(config, JSON.stringify({ env: 'production', databaseUrl, mock: { latencyMs: 50 }, cache: { responses: false }, batch }));
  const gateway = await startGateway({ port: 0, host: '127.0.0.1', switchyard: { env: 'production', environment: {}, databaseUrl, observability: { logLevel: 'error' }, batch: { ...batch, inProcessWorker: false } } });
  const workers = await Promise.all(Array.from({ length: workerCount }, () => startWorker(config)));
  try {
    const text = Array.from({ length: LINES }, (_, index) => JSON.stringify({ custom_id: `b-${index}`, method: 'POST', url: '/v1/chat/completions', body: { model: 'mock/echo', messages: [{ role: 'user', content: `line ${index}` }] } })).join('\n');
    const form = new FormData();
    form.append('purpose', 'batch');
    form.append('file', new Blob([text]), 'bench.jsonl');
    const file = (await (await fetch(`${gateway.url}/v1/files`, { method: 'POST', body: form })).json()) as { id: string };
    const started = performance.now();
    const created = await request(`${gateway.url}/v1/batches`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ input_file_id: file.id, endpoint: '/v1/chat/completions', completion_window: '24h' }) });
    const { id } = (await created.body.json()) as { id: string };
    for (;;) {
      const polled = (await (await request(`${gateway.url}/v1/batches/${id}`)).body.json()) as { status: string; request_counts: { completed: number } };
      if (polled.status === 'completed') {
        if (polled.request_counts.completed !== LINES) throw new Error(`only ${polled.request_counts.completed} lines completed`);
        break;
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    return LINES / ((performance.now() - started) / 1000);
  } finally {
    for (const worker of workers) worker.kill('SIGTERM');
    await gateway.close();
    await admin.query(`drop schema if exists ${schema} cascade`);
    await admin.query(`drop schema if exists ${queueSchema} cascade`);
    await admin.end();
    await rm(directory, { recursive: true, force: true });
  }
}

console.log(`# batch workers: ${LINES} lines, mock at 50 ms, --concurrency 64 per worker`);
console.log(`${new Date().toISOString()} | node ${process.version} | ${cpus().length} cores | load average ${loadavg().map((value) => value.toFixed(2)).join(' ')}`);
const one = await run(1);
const three = await run(3);
console.log(`| workers | lines/s |\n|---|---|\n| 1 | ${one.toFixed(0)} |\n| 3 | ${three.toFixed(0)} |`);
console.log(`3 workers / 1 worker: ${(three / one).toFixed(2)}x (the mock's 50 ms bound alone allows ${(64 / 0.05).toFixed(0)} lines/s per worker)`);
