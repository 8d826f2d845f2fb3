// The gateway's own time (x-switchyard-overhead-ms) on POST /v1/responses beside POST /v1/chat/completions, both
// forwarded natively to the OpenAI fake and both served by the chat pipeline on the mock provider.
// Sequential requests, one connection, in one process: a relative figure, not a throughput benchmark.
// Run: npx tsx bench/responses-overhead.ts [requests per row, default 1000]
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startOpenAIMockServer } from '../src/mock-upstream/openai-server.js';
import { startGateway } from '../src/gateway/start-gateway.js';

const REQUESTS = Number(process.argv[2] ?? 1000);
const WARM_UP = 200;

const upstream = await startOpenAIMockServer({ apiKey: 'sk-bench' });
const directory = await mkdtemp(join(tmpdir(), 'switchyard-responses-bench-'));
const gateway = await startGateway({
  port: 0,
  host: '127.0.0.1',
  switchyard: {
    env: 'test',
    environment: {},
    configFile: '',
    databaseUrl: join(directory, 'bench.db'),
    observability: { logLevel: 'error' },
    providers: { openai: { baseURL: upstream.url, apiKey: 'sk-bench', retries: 0 } },
  },
});

interface Row {
  name: string;
  path: string;
  body: (index: number) => Record<string, unknown>;
}

const ROWS: Row[] = [
  { name: 'chat completions → openai (passthrough)', path: '/v1/chat/completions', body: (index) => ({ model: 'openai/gpt-4o-mini', messages: [{ role: 'user', content: `hello ${index}` }] }) },
  { name: 'responses → openai (native), store: false', path: '/v1/responses', body: (index) => ({ model: 'openai/gpt-4o-mini', input: `hello ${index}`, store: false }) },
  { name: 'responses → openai (native), stored', path: '/v1/responses', body: (index) => ({ model: 'openai/gpt-4o-mini', input: `hello ${index}` }) },
  { name: 'chat completions → mock', path: '/v1/chat/completions', body: (index) => ({ model: 'mock/echo', messages: [{ role: 'user', content: `hello ${index}` }] }) },
  { name: 'responses → mock (converted), store: false', path: '/v1/responses', body: (index) => ({ model: 'mock/echo', input: `hello ${index}`, store: false }) },
  { name: 'responses → mock (converted), stored', path: '/v1/responses', body: (index) => ({ model: 'mock/echo', input: `hello ${index}` }) },
];

function percentile(sorted: number[], fraction: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * fraction))];
}

async function measure(row: Row): Promise<{ overhead: number[]; latency: number[] }> {
  const overhead: number[] = [];
  const latency: number[] = [];
  for (let index = 0; index < WARM_UP + REQUESTS; index++) {
    const started = performance.now();
    const response = await fetch(`${gateway.url}${row.path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(row.body(index)) });
    await response.arrayBuffer();
    if (response.status !== 200) throw new Error(`${row.name}: HTTP ${response.status}`);
    if (index < WARM_UP) continue;
    latency.push(performance.now() - started);
    overhead.push(Number(response.headers.get('x-switchyard-overhead-ms')));
  }
  return { overhead: overhead.sort((a, b) => a - b), latency: latency.sort((a, b) => a - b) };
}

try {
  console.log(`| route (${REQUESTS} sequential requests) | overhead p50 ms | overhead p99 ms | latency p50 ms | latency p99 ms |`);
  console.log('|:--|--:|--:|--:|--:|');
  for (const row of ROWS) {
    const { overhead, latency } = await measure(row);
    const cells = [percentile(overhead, 0.5), percentile(overhead, 0.99), percentile(latency, 0.5), percentile(latency, 0.99)].map((value) => value.toFixed(2));
    console.log(`| ${row.name} | ${cells.join(' | ')} |`);
  }
} finally {
  await gateway.close();
  await upstream.close();
  await rm(directory, { recursive: true, force: true });
}
