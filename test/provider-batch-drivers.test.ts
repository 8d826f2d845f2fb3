import Anthropic from '@anthropic-ai/sdk';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import OpenAI, { toFile } from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAnthropicMockServer, type AnthropicMockServer } from '../src/mock-upstream/anthropic-server.js';
import { startOpenAIMockServer, type OpenAIMockServer } from '../src/mock-upstream/openai-server.js';
import { createAnthropicDriver } from '../src/providers/anthropic/anthropic-driver.js';
import { createOpenAIDriver } from '../src/providers/openai/openai-driver.js';
import type { DriverBatchApi, ProviderBatchResult } from '../src/spec/batch.js';

/*
 * The mock upstreams' batch APIs, judged by the official SDKs (openai files and
 * batches; @anthropic-ai/sdk messages.batches), and the drivers' doBatch
 * against them: submit a file, poll to the end, stream the results.
 */
const KEY = 'sk-batch-test';
let openaiServer: OpenAIMockServer;
let anthropicServer: AnthropicMockServer;
let directory: string;

beforeAll(async () => {
  [openaiServer, anthropicServer] = await Promise.all([
    startOpenAIMockServer({ apiKey: KEY, batchDelayMs: 150 }),
    startAnthropicMockServer({ apiKey: KEY, batchDelayMs: 150 }),
  ]);
  directory = await mkdtemp(join(tmpdir(), 'switchyard-provider-batch-'));
});
afterAll(async () => {
  await Promise.all([openaiServer.close(), anthropicServer.close(), rm(directory, { recursive: true, force: true })]);
});

async function until<T>(poll: () => Promise<T>, done: (value: T) => boolean): Promise<T> {
  for (let attempt = 0; attempt < 200; attempt++) {
    const value = await poll();
    if (done(value)) return value;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error('never finished');
}

describe('mock batch APIs, checked with the official SDKs', () => {
  it('openai: files.create, batches.create/retrieve/list/cancel, files.content', async () => {
    const client = new OpenAI({ baseURL: openaiServer.url, apiKey: KEY, maxRetries: 0 });
    const lines = [
      { custom_id: 'a', method: 'POST', url: '/v1/chat/completions', body: { model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'one two' }] } },
      { custom_id: 'b', method: 'POST', url: '/v1/chat/completions', body: { model: 'gpt-4o-mini', messages: [] } },
    ];
    const file = await client.files.create({ file: await toFile(Buffer.from(lines.map((line) => JSON.stringify(line)).join('\n')), 'in.jsonl'), purpose: 'batch' });
    expect(file).toMatchObject({ object: 'file', purpose: 'batch', filename: 'in.jsonl' });
    expect(await client.files.retrieve(file.id)).toMatchObject({ id: file.id, bytes: file.bytes });
    const batch = await client.batches.create({ input_file_id: file.id, endpoint: '/v1/chat/completions', completion_window: '24h' });
    expect(batch).toMatchObject({ object: 'batch', status: 'in_progress', request_counts: { total: 2, completed: 0 } });
    const done = await until(() => client.batches.retrieve(batch.id), (value) => value.status === 'completed');
    expect(done.request_counts).toEqual({ total: 2, completed: 1, failed: 1 });
    const output = (await (await client.files.content(done.output_file_id!)).text()).trim().split('\n').map((line) => JSON.parse(line));
    expect(output).toEqual([expect.objectContaining({ custom_id: 'a', response: expect.objectContaining({ status_code: 200, body: expect.objectContaining({ object: 'chat.completion' }) }) })]);
    expect(output[0].response.body.choices[0].message.content).toBe('one two');
    const errors = (await (await client.files.content(done.error_file_id!)).text()).trim().split('\n').map((line) => JSON.parse(line));
    expect(errors).toEqual([expect.objectContaining({ custom_id: 'b', response: expect.objectContaining({ status_code: 400 }) })]);
    const listed = [];
    for await (const item of client.batches.list()) listed.push(item.id);
    expect(listed).toContain(batch.id);
    const other = await client.batches.create({ input_file_id: file.id, endpoint: '/v1/chat/completions', completion_window: '24h' });
    expect((await client.batches.cancel(other.id)).status).toBe('cancelling');
    expect((await client.batches.retrieve(other.id)).status).toBe('cancelled');
  });

  it('anthropic: messages.batches create/retrieve/list/results/cancel', async () => {
    const client = new Anthropic({ baseURL: anthropicServer.url, apiKey: KEY, maxRetries: 0 });
    const batch = await client.messages.batches.create({
      requests: [
        { custom_id: 'a', params: { model: 'claude-haiku-4-5', max_tokens: 32, messages: [{ role: 'user', content: 'hello there' }] } },
        { custom_id: 'b', params: { model: 'claude-haiku-4-5', max_tokens: 32, messages: [{ role: 'user', content: '' }] } },
      ],
    });
    expect(batch).toMatchObject({ type: 'message_batch', processing_status: 'in_progress', request_counts: { processing: 2 } });
    const ended = await until(() => client.messages.batches.retrieve(batch.id), (value) => value.processing_status === 'ended');
    expect(ended.request_counts).toMatchObject({ succeeded: 1, errored: 1, processing: 0 });
    const results = [];
    for await (const result of await client.messages.batches.results(batch.id)) results.push(result);
    const byId = Object.fromEntries(results.map((result) => [result.custom_id, result.result]));
    expect(byId.a).toMatchObject({ type: 'succeeded', message: { content: [{ type: 'text', text: 'hello there' }] } });
    expect(byId.b).toMatchObject({ type: 'errored', error: { type: 'error', error: { type: 'invalid_request_error' } } });
    const listed = [];
    for await (const item of client.messages.batches.list()) listed.push(item.id);
    expect(listed).toContain(batch.id);
    const other = await client.messages.batches.create({ requests: [{ custom_id: 'c', params: { model: 'claude-haiku-4-5', max_tokens: 8, messages: [{ role: 'user', content: 'x' }] } }] });
    expect((await client.messages.batches.cancel(other.id)).processing_status).toBe('canceling');
    expect((await client.messages.batches.retrieve(other.id)).request_counts.canceled).toBe(1);
  });
});

async function runDriverBatch(api: DriverBatchApi, name: string): Promise<Map<string, ProviderBatchResult>> {
  const path = join(directory, `${name}.jsonl`);
  const lines = ['first words', 'second words', 'third'].map((text, index) => api.encodeRequest(`id-${index}`, { modelId: name, messages: [{ role: 'user', content: text }], maxTokens: 16 }));
  await writeFile(path, `${lines.join('\n')}\n`);
  const { id } = await api.submit({ path, requests: lines.length });
  const state = await until(() => api.poll(id), (value) => value.status !== 'in_progress');
  expect(state).toMatchObject({ id, status: 'ended', counts: { total: 3, succeeded: 3, failed: 0 } });
  const results = new Map<string, ProviderBatchResult>();
  for await (const result of api.results(id)) results.set(result.customId, result);
  return results;
}

describe('drivers: doBatch against the mocks', () => {
  it('openai submits, polls and streams the results back', async () => {
    const driver = createOpenAIDriver({ baseURL: openaiServer.url, apiKey: KEY });
    const results = await runDriverBatch(driver.doBatch!, 'gpt-4o-mini');
    expect(results.get('id-1')).toMatchObject({ result: { content: 'second words', finishReason: 'stop', usage: { outputTokens: 2 } } });
    expect(openaiServer.lastRequest()?.path).toMatch(/^\/v1\/files\/file-.*\/content$/);
    await driver.close();
  });

  it('anthropic submits, polls and streams the results back', async () => {
    const driver = createAnthropicDriver({ baseURL: anthropicServer.url, apiKey: KEY });
    const results = await runDriverBatch(driver.doBatch!, 'claude-haiku-4-5');
    expect(results.get('id-2')).toMatchObject({ result: { content: 'third', finishReason: 'stop' } });
    await driver.close();
  });

  it('is absent on a provider without a batch API', () => {
    expect(createOpenAIDriver({ baseURL: openaiServer.url, apiKey: KEY, batch: false }).doBatch).toBeUndefined();
  });
});
