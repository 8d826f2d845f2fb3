import OpenAI, { NotFoundError, toFile } from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAnthropicMockServer, type AnthropicMockServer } from '../src/mock-upstream/anthropic-server.js';
import { startGeminiMockServer, type GeminiMockServer } from '../src/mock-upstream/gemini-server.js';
import { batchPricingFor, costOf, pricingFor } from '../src/catalog/cost.js';
import { startTestGateway, waitFor, type TestGateway } from './gateway-support.js';

/*
 * The OpenAI Batch API on the gateway, driven by the official openai SDK,
 * unmodified: a file mixing anthropic/..., gemini/... and mock/... models is
 * uploaded and batched; the Anthropic lines go to Anthropic's Message Batches
 * (one batch), the Gemini and mock lines run through the gateway's own worker.
 * Tenants see only their own files and batches.
 */
const KEY = 'sk-upstream';
let anthropic: AnthropicMockServer;
let gemini: GeminiMockServer;
let gateway: TestGateway;
let alpha: OpenAI;
let beta: OpenAI;
let anthropicBatches = 0;
let geminiCalls = 0;

beforeAll(async () => {
  anthropic = await startAnthropicMockServer({
    apiKey: KEY,
    batchDelayMs: 200,
    onRequest: (request) => {
      if (request.method === 'POST' && request.path === '/v1/messages/batches') anthropicBatches += 1;
      return undefined;
    },
  });
  gemini = await startGeminiMockServer({
    apiKey: KEY,
    onRequest: (request) => {
      if (request.method === 'POST') geminiCalls += 1;
      return undefined;
    },
  });
  gateway = await startTestGateway({
    providers: { anthropic: { type: 'anthropic', baseURL: anthropic.url, apiKey: KEY }, gemini: { type: 'gemini', baseURL: gemini.url, apiKey: KEY } },
    server: { apiKeys: ['alpha:key-alpha', 'beta:key-beta'] },
    batch: { pollSeconds: 0.2 },
    limits: { spendFlushMs: 50 },
  });
  alpha = new OpenAI({ baseURL: `${gateway.url}/v1`, apiKey: 'key-alpha', maxRetries: 0 });
  beta = new OpenAI({ baseURL: `${gateway.url}/v1`, apiKey: 'key-beta', maxRetries: 0 });
});
afterAll(async () => {
  await gateway?.stop();
  await Promise.all([anthropic?.close(), gemini?.close()]);
});

const MODELS = ['anthropic/claude-haiku-4-5', 'gemini/gemini-2.5-flash', 'mock/echo'];

function inputFile(count: number): string {
  return Array.from({ length: count }, (_, index) =>
    JSON.stringify({ custom_id: `req-${index}`, method: 'POST', url: '/v1/chat/completions', body: { model: MODELS[index % 3], max_tokens: 40, messages: [{ role: 'user', content: `echo number ${index}` }] } }),
  ).join('\n');
}

async function completed(client: OpenAI, id: string): Promise<OpenAI.Batch> {
  for (let attempt = 0; attempt < 300; attempt++) {
    const batch = await client.batches.retrieve(id);
    if (!['validating', 'in_progress', 'finalizing', 'cancelling'].includes(batch.status)) return batch;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error('the batch never finished');
}

describe('the OpenAI Batch API on the gateway', () => {
  it('uploads, batches anthropic, gemini and mock lines, polls and downloads every result once', async () => {
    const lines = 60;
    const file = await alpha.files.create({ file: await toFile(Buffer.from(inputFile(lines)), 'mixed.jsonl'), purpose: 'batch' });
    expect(file).toMatchObject({ object: 'file', purpose: 'batch', filename: 'mixed.jsonl', bytes: Buffer.byteLength(inputFile(lines)) });
    expect((await alpha.files.retrieve(file.id)).id).toBe(file.id);
    expect(await (await alpha.files.content(file.id)).text()).toBe(`${inputFile(lines)}\n`);

    const created = await alpha.batches.create({ input_file_id: file.id, endpoint: '/v1/chat/completions', completion_window: '24h', metadata: { job: 'mixed' } });
    expect(created).toMatchObject({ object: 'batch', status: 'validating', input_file_id: file.id, metadata: { job: 'mixed' } });
    const batch = await completed(alpha, created.id);
    expect(batch).toMatchObject({ status: 'completed', request_counts: { total: lines, completed: lines, failed: 0 }, error_file_id: null });

    const output = (await (await alpha.files.content(batch.output_file_id!)).text()).trim().split('\n').map((line) => JSON.parse(line));
    expect(output).toHaveLength(lines);
    // In input order (req-0, req-1, ..., not req-0, req-1, req-10, ...), provider-batched lines in their places.
    expect(output.map((record) => record.custom_id)).toEqual(Array.from({ length: lines }, (_, index) => `req-${index}`));
    for (const record of output) {
      const index = Number(record.custom_id.slice('req-'.length));
      expect(record.error).toBeNull();
      expect(record.response.status_code).toBe(200);
      expect(record.response.body.choices[0].message.content).toBe(`echo number ${index}`);
      expect(record.response.body.model).toBe(MODELS[index % 3]);
    }
    expect(anthropicBatches).toBe(1);
    expect(geminiCalls).toBe(lines / 3);

    // Spend: the Anthropic lines at the batch price (their provider batch), the Gemini lines at the normal price (the worker's calls).
    const costs = new Map<string, number>();
    for (const record of output) {
      const model = record.response.body.model as string;
      const [provider, modelId] = [model.slice(0, model.indexOf('/')), model.slice(model.indexOf('/') + 1)];
      const { prompt_tokens: inputTokens, completion_tokens: outputTokens } = record.response.body.usage;
      const pricing = provider === 'anthropic' ? batchPricingFor(provider, modelId) : pricingFor(provider, modelId);
      costs.set(model, (costs.get(model) ?? 0) + (provider === 'mock' ? 0 : costOf({ inputTokens, outputTokens, totalTokens: inputTokens + outputTokens }, pricing)!));
    }
    const { db } = await gateway.ai.services.database();
    const spendOf = async (model: string) =>
      db.selectFrom('spend').select((builder) => [builder.fn.sum<number>('cost_usd').as('cost'), builder.fn.sum<number>('requests').as('requests')]).where('tenant', '=', 'alpha').where('model', '=', model).executeTakeFirstOrThrow();
    for (const model of MODELS) {
      expect(await waitFor(async () => Number((await spendOf(model)).requests) === lines / 3, 5_000)).toBe(true);
      expect(Number((await spendOf(model)).cost)).toBeCloseTo(costs.get(model)!, 12);
    }
    expect(costs.get('anthropic/claude-haiku-4-5')).toBeGreaterThan(0);
    expect(costs.get('gemini/gemini-2.5-flash')).toBeGreaterThan(0);

    const listed = [];
    for await (const item of alpha.batches.list()) listed.push(item.id);
    expect(listed).toContain(batch.id);
  });

  it('keeps tenants apart: another tenant cannot see, read, batch or cancel them', async () => {
    const file = await alpha.files.create({ file: await toFile(Buffer.from(inputFile(3)), 'private.jsonl'), purpose: 'batch' });
    const batch = await alpha.batches.create({ input_file_id: file.id, endpoint: '/v1/chat/completions', completion_window: '24h' });
    await expect(beta.files.retrieve(file.id)).rejects.toBeInstanceOf(NotFoundError);
    await expect(beta.files.content(file.id)).rejects.toBeInstanceOf(NotFoundError);
    await expect(beta.batches.retrieve(batch.id)).rejects.toBeInstanceOf(NotFoundError);
    await expect(beta.batches.cancel(batch.id)).rejects.toBeInstanceOf(NotFoundError);
    await expect(beta.batches.create({ input_file_id: file.id, endpoint: '/v1/chat/completions', completion_window: '24h' })).rejects.toMatchObject({ status: 400, param: 'input_file_id' });
    const betaBatches = [];
    for await (const item of beta.batches.list()) betaBatches.push(item.id);
    expect(betaBatches).toEqual([]);
    expect((await completed(alpha, batch.id)).status).toBe('completed');
  });

  it('refuses a file without purpose batch and a bad body, naming the field', async () => {
    await expect(alpha.files.create({ file: await toFile(Buffer.from('{}'), 'x.jsonl'), purpose: 'assistants' })).rejects.toMatchObject({ status: 400, param: 'purpose' });
    await expect(alpha.batches.create({ input_file_id: 'file-none', endpoint: '/v1/chat/completions', completion_window: '24h' })).rejects.toMatchObject({ status: 400, param: 'input_file_id' });
  });

  it('refuses a batch whose input repeats a custom_id, naming the id and both lines', async () => {
    const lines = inputFile(4).split('\n');
    // Line 5 repeats req-1 of line 2, its keys in another order (read whole, not by the leading custom_id).
    const { custom_id: repeated, ...rest } = JSON.parse(lines[1]) as Record<string, unknown>;
    lines.push(JSON.stringify({ ...rest, custom_id: repeated }));
    const file = await alpha.files.create({ file: await toFile(Buffer.from(lines.join('\n')), 'duplicates.jsonl'), purpose: 'batch' });
    const refused = alpha.batches.create({ input_file_id: file.id, endpoint: '/v1/chat/completions', completion_window: '24h' });
    await expect(refused).rejects.toMatchObject({ status: 400, param: 'input_file_id' });
    await expect(refused).rejects.toThrow(/line 5: custom_id "req-1" is a duplicate of line 2/);
    const listed = [];
    for await (const item of alpha.batches.list()) listed.push(item.input_file_id);
    expect(listed).not.toContain(file.id);
  });

  it('writes input errors to the error file and counts them failed', async () => {
    const text = [inputFile(2), '{"custom_id": "broken", "method": "POST"', JSON.stringify({ custom_id: 'no-model', method: 'POST', url: '/v1/chat/completions', body: { messages: [{ role: 'user', content: 'x' }] } })].join('\n');
    const file = await alpha.files.create({ file: await toFile(Buffer.from(text), 'errors.jsonl'), purpose: 'batch' });
    const batch = await completed(alpha, (await alpha.batches.create({ input_file_id: file.id, endpoint: '/v1/chat/completions', completion_window: '24h' })).id);
    expect(batch.request_counts).toEqual({ total: 4, completed: 2, failed: 2 });
    const errors = (await (await alpha.files.content(batch.error_file_id!)).text()).trim().split('\n').map((line) => JSON.parse(line));
    expect(errors.map((record) => record.error.param)).toEqual([null, 'body.model']);
  });
});
