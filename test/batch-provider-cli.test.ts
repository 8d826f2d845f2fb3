import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pricingFor } from '../src/catalog/cost.js';
import { startAnthropicMockServer, type AnthropicMockServer } from '../src/mock-upstream/anthropic-server.js';
import { startOpenAIMockServer, type OpenAIMockServer } from '../src/mock-upstream/openai-server.js';
import { BIN, cleanEnvironment, runCli } from './support/cli.js';

/*
 * `switchyard batch --provider-batch` through the built binary against the
 * OpenAI and Anthropic mocks: lines grouped by model into provider batches,
 * each submitted once, an interrupted run resumed without resubmitting,
 * every custom_id once in OUT, and the cost at half the list price.
 */
const KEY = 'sk-provider-batch';
const MODELS = ['openai/gpt-4o-mini', 'openai/gpt-4.1-nano', 'anthropic/claude-haiku-4-5', 'mock/echo'];
let workdir: string;
let openai: OpenAIMockServer;
let anthropic: AnthropicMockServer;
const created: string[] = [];

beforeAll(async () => {
  workdir = await mkdtemp(join(tmpdir(), 'switchyard-provider-batch-cli-'));
  const count = (request: { method: string; path: string; body: unknown }) => {
    if (request.method === 'POST' && (request.path === '/v1/batches' || request.path === '/v1/messages/batches')) created.push(request.path);
    return undefined;
  };
  [openai, anthropic] = await Promise.all([
    startOpenAIMockServer({ apiKey: KEY, batchDelayMs: 1500, onRequest: count }),
    startAnthropicMockServer({ apiKey: KEY, batchDelayMs: 1500, onRequest: count }),
  ]);
});
afterAll(async () => {
  await Promise.all([openai.close(), anthropic.close(), rm(workdir, { recursive: true, force: true })]);
});

function environment(database: string) {
  return cleanEnvironment({
    OPENAI_API_KEY: KEY,
    OPENAI_BASE_URL: openai.url,
    ANTHROPIC_API_KEY: KEY,
    ANTHROPIC_BASE_URL: anthropic.url,
    SWITCHYARD_DATABASE_URL: join(workdir, database),
  });
}

async function writeInput(name: string, count: number): Promise<void> {
  const lines = Array.from({ length: count }, (_, index) =>
    JSON.stringify({
      custom_id: `line-${index}`,
      method: 'POST',
      url: '/v1/chat/completions',
      body: { model: MODELS[index % MODELS.length], max_tokens: 50, messages: [{ role: 'user', content: `tell me about item ${index} please` }] },
    }),
  );
  await writeFile(join(workdir, name), `${lines.join('\n')}\n`);
}

interface OutputRecord {
  custom_id: string;
  response: { status_code: number; body: { model: string; usage: { prompt_tokens: number; completion_tokens: number } } } | null;
  error: unknown;
}

async function readRecords(name: string): Promise<OutputRecord[]> {
  const text = await readFile(join(workdir, name), 'utf8');
  return text
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line) as OutputRecord);
}

/** The list-price cost of the records' usage, for the models of `provider`. */
function listCost(records: OutputRecord[], provider: string, modelOf: (record: OutputRecord) => string): number {
  let total = 0;
  for (const record of records) {
    const model = modelOf(record);
    if (!model.startsWith(`${provider}/`)) continue;
    const pricing = pricingFor(provider, model.slice(provider.length + 1))!;
    const usage = record.response!.body.usage;
    total += (usage.prompt_tokens * pricing.inputPricePerMillion + usage.completion_tokens * pricing.outputPricePerMillion) / 1e6;
  }
  return total;
}

function reportedCost(stderr: string): number {
  const match = /cost \$([\d.]+)/.exec(stderr);
  expect(match, stderr).not.toBeNull();
  return Number(match![1]);
}

describe('switchyard batch --provider-batch', () => {
  it('groups 10,000 lines by model, submits each provider batch once, resumes after an interrupt, and writes every custom_id once', async () => {
    const lines = 10_000;
    await writeInput('big.jsonl', lines);
    const args = ['batch', 'big.jsonl', '--out', 'big-out.jsonl', '--provider-batch', '--concurrency', '32'];
    const child = spawn(process.execPath, [BIN, ...args], { env: environment('big.db'), cwd: workdir, stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk));
    const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
    // Interrupt once the three provider batches (two OpenAI models, one Anthropic) are submitted.
    const deadline = Date.now() + 30_000;
    while (created.length < 3 && child.exitCode === null && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
    child.kill('SIGINT');
    expect(await exited, stderr).toBe(130);
    expect(created.sort()).toEqual(['/v1/batches', '/v1/batches', '/v1/messages/batches']);
    expect(stderr).toMatch(/in provider batches.*\(interrupted\)/);

    const rerun = await runCli(args, environment('big.db'), workdir);
    expect(rerun.code, rerun.stderr).toBe(0);
    expect(created).toHaveLength(3);
    const records = await readRecords('big-out.jsonl');
    const ids = records.map((record) => record.custom_id);
    expect(new Set(ids).size).toBe(lines);
    expect(ids).toHaveLength(lines);
    expect(records.every((record) => record.error === null && record.response?.status_code === 200)).toBe(true);

    // The provider-batched lines cost half their list price; the mock's lines cost nothing.
    const byId = new Map(records.map((record) => [record.custom_id, record]));
    const modelOf = (record: OutputRecord) => MODELS[Number(record.custom_id.slice('line-'.length)) % MODELS.length];
    const batched = [...byId.values()];
    const listPrice = listCost(batched, 'openai', modelOf) + listCost(batched, 'anthropic', modelOf);
    expect(listPrice).toBeGreaterThan(0);
    expect(reportedCost(rerun.stderr)).toBeCloseTo(listPrice / 2, 5);
  });

  it('costs twice as much for the same lines run directly', async () => {
    await writeInput('small.jsonl', 40);
    const batched = await runCli(['batch', 'small.jsonl', '--out', 'small-batched.jsonl', '--provider-batch'], environment('small.db'), workdir);
    const direct = await runCli(['batch', 'small.jsonl', '--out', 'small-direct.jsonl'], environment('small.db'), workdir);
    expect(batched.code, batched.stderr).toBe(0);
    expect(direct.code, direct.stderr).toBe(0);
    expect(reportedCost(direct.stderr)).toBeCloseTo(2 * reportedCost(batched.stderr), 6);
  });
});
