import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createKey } from '../src/access/key-store.js';
import { costOf, pricingFor } from '../src/catalog/cost.js';
import { startOpenAIMockServer, type OpenAIMockServer } from '../src/mock-upstream/openai-server.js';
import { startTestGateway, waitFor, type TestGateway } from './gateway-support.js';
import { spendTotals } from './support/spend-totals.js';

/*
 * Two edges of the key limits on one gateway (in-process limits, SQLite spend):
 * token counting uses none of a key's limits or budget, and a stream its
 * client leaves mid-way settles its spend for what was sent and gives its
 * concurrency slot back.
 */
const MODEL = 'openai/gpt-4o';
const PRICE = pricingFor('openai', 'gpt-4o')!;
const LONG_REPLY = Array.from({ length: 400 }, (_, index) => `word${index}`).join(' ');
let upstream: OpenAIMockServer;
let gateway: TestGateway;

beforeAll(async () => {
  upstream = await startOpenAIMockServer({ reply: LONG_REPLY, streamChunkDelayMs: 20 });
  gateway = await startTestGateway({
    providers: { openai: { type: 'openai', baseURL: upstream.url, apiKey: 'sk-upstream' } },
    cache: { responses: false },
    limits: { spendFlushMs: 50 },
  });
});
afterAll(async () => {
  await gateway?.stop();
  await upstream?.close();
});

async function newKey(input: Omit<Parameters<typeof createKey>[1], 'tenant'>): Promise<{ id: string; key: string }> {
  const { db } = await gateway.ai.services.database();
  const { record, key } = await createKey(db, { tenant: 'edges', ...input });
  return { id: record.id, key };
}

async function spendOf(keyId: string) {
  const { db } = await gateway.ai.services.database();
  return spendTotals(db, keyId);
}

function countTokens(key: string, model: string, content: string) {
  return fetch(`${gateway.url}/v1/messages/count_tokens`, {
    method: 'POST',
    headers: { 'x-api-key': key, 'anthropic-version': '2023-06-01', 'content-type': 'application/json' },
    body: JSON.stringify({ model, messages: [{ role: 'user', content }] }),
  });
}

function chat(key: string) {
  return fetch(`${gateway.url}/v1/chat/completions`, {
    method: 'POST',
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
    body: JSON.stringify({ model: MODEL, max_tokens: 5, messages: [{ role: 'user', content: 'hi' }] }),
  });
}

describe('POST /v1/messages/count_tokens and key limits', () => {
  it('counts against neither requests, tokens nor budget, and keeps the key to its models', async () => {
    const limited = await newKey({ rpm: 1, tpm: 40, models: ['openai/*'] });
    const prompt = 'a prompt of many more tokens than forty, '.repeat(20);
    for (let index = 0; index < 5; index++) {
      const counted = await countTokens(limited.key, MODEL, prompt);
      expect(counted.status).toBe(200);
      expect(((await counted.json()) as { input_tokens: number }).input_tokens).toBeGreaterThan(40);
      expect(counted.headers.get('anthropic-ratelimit-requests-remaining')).toBeNull();
    }
    // The one request of the window is still there for a model call; the next is refused, and counting still works.
    expect((await chat(limited.key)).status).toBe(200);
    expect((await chat(limited.key)).status).toBe(429);
    expect((await countTokens(limited.key, MODEL, prompt)).status).toBe(200);
    // The key's models still bound what it may count.
    const refused = await countTokens(limited.key, 'mock/echo', 'x');
    expect(refused.status).toBe(403);
    expect(await refused.json()).toMatchObject({ type: 'error', error: { type: 'permission_error' } });

    // A key with no budget left may still count.
    const spent = await newKey({ budgetUsd: 0, budgetPeriod: 'total' });
    expect((await countTokens(spent.key, MODEL, prompt)).status).toBe(200);
    const budget = await chat(spent.key);
    expect(budget.status).toBe(429);
    expect(await budget.json()).toMatchObject({ error: { code: 'budget_exceeded' } });

    // Spend holds the model calls only: one request, one rejection for the limited key; none of the counts.
    expect(await waitFor(async () => Number((await spendOf(limited.id)).rejections) === 1, 5_000)).toBe(true);
    expect(await spendOf(limited.id)).toMatchObject({ requests: 1, rejections: 1 });
    expect(await waitFor(async () => Number((await spendOf(spent.id)).rejections) === 1, 5_000)).toBe(true);
    expect(Number((await spendOf(spent.id)).requests)).toBe(0);
  });
});

describe('a stream its client leaves mid-way', () => {
  it('settles spend for what was sent and releases its concurrency slot', async () => {
    const { id, key } = await newKey({ concurrency: 1, tpm: 100_000, budgetUsd: 10, budgetPeriod: 'total' });
    const client = new OpenAI({ baseURL: `${gateway.url}/v1`, apiKey: key, maxRetries: 0 });
    const stream = await client.chat.completions.create({ model: MODEL, stream: true, messages: [{ role: 'user', content: 'tell me a long story' }] });
    let received = '';
    let pieces = 0;
    // Leaving the loop aborts the request: the client goes away mid-answer.
    for await (const chunk of stream) {
      const piece = chunk.choices[0]?.delta?.content ?? '';
      received += piece;
      if (piece !== '') pieces += 1;
      if (pieces >= 20) break;
    }
    expect(received.length).toBeLessThan(LONG_REPLY.length / 4);

    // Spend for what the gateway sent (estimated: a token per upstream event): at least what the client read, less than the whole answer (400 words).
    expect(await waitFor(async () => Number((await spendOf(id)).requests) === 1, 10_000)).toBe(true);
    const spend = await spendOf(id);
    const input = Number(spend.input);
    const output = Number(spend.output);
    expect(input).toBeGreaterThan(0);
    expect(output).toBeGreaterThanOrEqual(pieces);
    expect(output).toBeLessThan(400);
    expect(Number(spend.cost)).toBeGreaterThan(0);
    expect(Number(spend.cost)).toBeCloseTo(costOf({ inputTokens: input, outputTokens: output, totalTokens: input + output }, PRICE)!, 12);

    // The slot came back: with a concurrency of one, the next call is let through.
    const next = await chat(key);
    expect(next.status).toBe(200);
    await next.arrayBuffer();
  });
});
