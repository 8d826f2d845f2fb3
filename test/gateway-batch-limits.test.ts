import OpenAI, { toFile } from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createKey } from '../src/access/key-store.js';
import { costOf, pricingFor } from '../src/catalog/cost.js';
import { startGeminiMockServer, type GeminiMockServer } from '../src/mock-upstream/gemini-server.js';
import { startTestGateway, waitFor, type TestGateway } from './gateway-support.js';
import { spendTotals } from './support/spend-totals.js';

/*
 * Gateway batch lines run by Switchyard's own workers go through the batch
 * owner's key as its requests would: a full rate limit makes lines wait and
 * run later, a model the key may not use and a spent budget give error lines
 * in the OpenAI batch shape, the response cache answers repeats (counted as
 * savings), and the spend table holds what the lines cost. Gemini has no
 * batch API, so every line runs through the worker; one request at a time
 * makes the budget's stopping point exact.
 */
const KEY = 'sk-upstream';
const MODEL = 'gemini/gemini-2.5-flash';
const PRICE = pricingFor('gemini', 'gemini-2.5-flash')!;
let gemini: GeminiMockServer;
let gateway: TestGateway;

beforeAll(async () => {
  gemini = await startGeminiMockServer({ apiKey: KEY });
  gateway = await startTestGateway({
    providers: { gemini: { type: 'gemini', baseURL: gemini.url, apiKey: KEY } },
    cache: { responses: true },
    batch: { pollSeconds: 0.2, workerConcurrency: 1 },
    limits: { windowSeconds: 2, spendFlushMs: 50 },
  });
});
afterAll(async () => {
  await gateway?.stop();
  await gemini?.close();
});

async function newKey(input: Omit<Parameters<typeof createKey>[1], 'tenant'>): Promise<{ id: string; client: OpenAI }> {
  const { db } = await gateway.ai.services.database();
  const { record, key } = await createKey(db, { tenant: 'batchers', ...input });
  return { id: record.id, client: new OpenAI({ baseURL: `${gateway.url}/v1`, apiKey: key, maxRetries: 0 }) };
}

const line = (customId: string, model: string, content: string) =>
  JSON.stringify({ custom_id: customId, method: 'POST', url: '/v1/chat/completions', body: { model, temperature: 0, max_tokens: 20, messages: [{ role: 'user', content }] } });

interface OutputLine {
  custom_id: string;
  response: { status_code: number; body: any } | null;
  error: { code: string; message: string } | null;
}

/** Uploads the lines, runs the batch to its end, and reads both result files. */
async function runBatch(client: OpenAI, lines: string[]) {
  const file = await client.files.create({ file: await toFile(Buffer.from(lines.join('\n')), 'limited.jsonl'), purpose: 'batch' });
  let batch = await client.batches.create({ input_file_id: file.id, endpoint: '/v1/chat/completions', completion_window: '24h' });
  expect(await waitFor(async () => (batch = await client.batches.retrieve(batch.id)).status === 'completed', 60_000, 50)).toBe(true);
  const read = async (id: string | null | undefined): Promise<OutputLine[]> =>
    id ? (await (await client.files.content(id)).text()).trim().split('\n').map((text) => JSON.parse(text) as OutputLine) : [];
  return { batch, output: await read(batch.output_file_id), errors: await read(batch.error_file_id) };
}

async function spendOf(keyId: string) {
  const { db } = await gateway.ai.services.database();
  return spendTotals(db, keyId);
}

const costOfLine = (record: OutputLine) => {
  const usage = record.response!.body.usage as { prompt_tokens: number; completion_tokens: number; total_tokens: number };
  return costOf({ inputTokens: usage.prompt_tokens, outputTokens: usage.completion_tokens, totalTokens: usage.total_tokens }, PRICE)!;
};

describe('gateway batch lines under the owner key limits', () => {
  it('waits out a full rate limit, refuses models the key may not use, and records spend and cache savings', async () => {
    const { id, client } = await newKey({ rpm: 4, models: ['gemini/*'] });
    const lines = Array.from({ length: 10 }, (_, index) => line(`a-${index}`, MODEL, `rate limited line ${String(index).padStart(2, '0')}`));
    lines.splice(3, 0, line('mock-1', 'mock/echo', 'not for this key'));
    lines.push(line('repeat-0', MODEL, 'rate limited line 00'), line('mock-2', 'mock/echo', 'nor this'));
    const { batch, output, errors } = await runBatch(client, lines);

    // Every line once: 11 answered (ten, and the repeat from the cache), 2 refused.
    expect(batch.request_counts).toEqual({ total: 13, completed: 11, failed: 2 });
    expect(new Set([...output, ...errors].map((record) => record.custom_id)).size).toBe(13);
    expect(output.map((record) => record.custom_id).sort()).toEqual([...Array.from({ length: 10 }, (_, index) => `a-${index}`), 'repeat-0'].sort());
    for (const record of output) expect(record.response!.body.choices[0].message.content).toContain('rate limited line');
    expect(errors.map((record) => record.custom_id).sort()).toEqual(['mock-1', 'mock-2']);
    for (const record of errors) {
      expect(record.error).toMatchObject({ code: 'model_not_allowed' });
      expect(record.response).toMatchObject({ status_code: 403, body: { error: { code: 'model_not_allowed' } } });
    }

    // Spend: the ten lines' catalog cost, the repeat as savings; the rate limit refused some tries (retried later, none lost).
    const fresh = output.filter((record) => record.custom_id !== 'repeat-0');
    const expectedCost = fresh.reduce((sum, record) => sum + costOfLine(record), 0);
    expect(expectedCost).toBeGreaterThan(0);
    expect(await waitFor(async () => (await spendOf(id)).requests === 11, 5_000)).toBe(true);
    const spend = await spendOf(id);
    expect(spend.cost).toBeCloseTo(expectedCost, 12);
    expect(spend.hits).toBe(1);
    expect(spend.savings).toBeCloseTo(costOfLine(output.find((record) => record.custom_id === 'repeat-0')!), 12);
    expect(spend.rejections).toBeGreaterThan(0);
  });

  it('stops at the budget: the lines after it get budget_exceeded error lines, and spend is what ran', async () => {
    const probe = await newKey({});
    const { output: [sample] } = await runBatch(probe.client, [line('probe', MODEL, 'budget line 00')]);
    const unit = costOfLine(sample); // every line below has a prompt of the same length, so the same cost
    const { id, client } = await newKey({ budgetUsd: 3.5 * unit, budgetPeriod: 'total' });
    const lines = Array.from({ length: 8 }, (_, index) => line(`b-${index}`, MODEL, `budget line ${String(index + 10).padStart(2, '0')}`));
    const { batch, output, errors } = await runBatch(client, lines);

    // 0, 1, 2 and 3 units spent before lines 1 to 4: let through; 4 units before line 5: over the budget.
    expect(batch.request_counts).toEqual({ total: 8, completed: 4, failed: 4 });
    expect(output.map((record) => record.custom_id).sort()).toEqual(['b-0', 'b-1', 'b-2', 'b-3']);
    expect(errors.map((record) => record.custom_id).sort()).toEqual(['b-4', 'b-5', 'b-6', 'b-7']);
    for (const record of output) expect(costOfLine(record)).toBeCloseTo(unit, 12);
    for (const record of errors) {
      expect(record.error).toMatchObject({ code: 'budget_exceeded' });
      expect(record.response).toMatchObject({ status_code: 429, body: { error: { code: 'budget_exceeded' } } });
    }
    expect(await waitFor(async () => (await spendOf(id)).rejections === 4, 5_000)).toBe(true);
    const spend = await spendOf(id);
    expect(spend.requests).toBe(4);
    expect(spend.cost).toBeCloseTo(4 * unit, 12);
  });
});
