import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createProviderBatchStore } from '../src/batch/provider-batch-store.js';
import { createProviderBatching } from '../src/batch/provider-batching.js';
import { runBatch } from '../src/batch/run-batch.js';
import { startAnthropicMockServer, type AnthropicMockServer } from '../src/mock-upstream/anthropic-server.js';
import { startOpenAIMockServer, type OpenAIMockServer } from '../src/mock-upstream/openai-server.js';
import { createAnthropicDriver } from '../src/providers/anthropic/anthropic-driver.js';
import { createOpenAIDriver } from '../src/providers/openai/openai-driver.js';
import { createTestClient } from './support/client.js';
import { DIALECTS } from './store-support.js';

/*
 * Provider batching in the library: a group larger than the provider's
 * request or byte limit is split into several batches, and the SQL state
 * (SQLite and PostgreSQL) ends with every batch collected.
 */
const KEY = 'sk-split';
let openai: OpenAIMockServer;
let anthropic: AnthropicMockServer;
let directory: string;
const bodies: Array<{ path: string; size: number }> = [];

beforeAll(async () => {
  directory = await mkdtemp(join(tmpdir(), 'switchyard-batch-split-'));
  const note = (request: { method: string; path: string; body: unknown; text?: string }) => {
    if (request.method === 'POST' && request.path === '/v1/messages/batches') bodies.push({ path: request.path, size: JSON.stringify(request.body).length });
    if (request.method === 'POST' && request.path === '/v1/batches') bodies.push({ path: request.path, size: 0 });
    return undefined;
  };
  [openai, anthropic] = await Promise.all([
    startOpenAIMockServer({ apiKey: KEY, batchDelayMs: 50, onRequest: note }),
    startAnthropicMockServer({ apiKey: KEY, batchDelayMs: 50, onRequest: note }),
  ]);
});
afterAll(async () => {
  await Promise.all([openai.close(), anthropic.close(), rm(directory, { recursive: true, force: true })]);
});

describe.each(DIALECTS)('provider batches split at the limits ($dialect)', ({ dialect, create }) => {
  it('splits 300 OpenAI lines by count and 300 Anthropic lines by bytes, and collects every batch', async () => {
    bodies.length = 0;
    const test = await create();
    const ai = createTestClient({
      providers: { openai: { type: 'openai', apiKey: KEY, baseURL: openai.url }, anthropic: { type: 'anthropic', apiKey: KEY, baseURL: anthropic.url } },
      drivers: {
        openai: createOpenAIDriver({ baseURL: openai.url, apiKey: KEY, batchLimits: { maxRequests: 100 } }),
        anthropic: createAnthropicDriver({ baseURL: anthropic.url, apiKey: KEY, batchLimits: { maxBytes: 12_000 } }),
      },
    });
    const input = join(directory, `${dialect}-in.jsonl`);
    const output = join(directory, `${dialect}-out.jsonl`);
    const models = ['openai/gpt-4o-mini', 'anthropic/claude-haiku-4-5'];
    const lines = Array.from({ length: 600 }, (_, index) =>
      JSON.stringify({ custom_id: `r${index}`, method: 'POST', url: '/v1/chat/completions', body: { model: models[index % 2], max_tokens: 20, messages: [{ role: 'user', content: `line ${index}` }] } }),
    );
    await writeFile(input, `${lines.join('\n')}\n`);
    const store = createProviderBatchStore(test.database.db);
    const providerBatching = createProviderBatching({ ai, store, jobKey: `test:${dialect}`, firstPollMs: 20 });
    try {
      const counts = await runBatch({ ai, input, output, providerBatching });
      expect(counts).toMatchObject({ succeeded: 600, failed: 0, inProviderBatches: 0, interrupted: false });
    } finally {
      await providerBatching.close();
      await ai.close();
    }
    const openaiBatches = bodies.filter((body) => body.path === '/v1/batches');
    const anthropicBatches = bodies.filter((body) => body.path === '/v1/messages/batches');
    expect(openaiBatches).toHaveLength(3);
    expect(anthropicBatches.length).toBeGreaterThan(1);
    for (const body of anthropicBatches) expect(body.size).toBeLessThanOrEqual(12_000 + 100);
    const rows = await test.database.db.selectFrom('provider_batches').select(['status', 'request_count', 'provider']).execute();
    expect(rows.every((row) => row.status === 'collected')).toBe(true);
    expect(rows.filter((row) => row.provider === 'openai').map((row) => row.request_count)).toEqual([100, 100, 100]);
    expect(rows.reduce((sum, row) => sum + row.request_count, 0)).toBe(600);
    expect(await store.pending(`test:${dialect}`)).toEqual([]);
    const written = (await readFile(output, 'utf8')).trim().split('\n').map((line) => JSON.parse(line).custom_id);
    expect(new Set(written).size).toBe(600);
    await test.dispose();
  });
});
