import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runBatch, type BatchCounts } from '../src/batch/run-batch.js';
import type { BatchOutputRecord } from '../src/batch/batch-records.js';
import { startOpenAIMockServer } from '../src/mock-upstream/openai-server.js';
import { createMockDriver } from '../src/providers/mock/mock-driver.js';
import type { DriverV1 } from '../src/spec/driver.js';
import { createTestClient, fakeOpenAIProvider } from './support/client.js';

let directory: string;
let fileNumber = 0;
beforeAll(async () => {
  directory = await mkdtemp(join(tmpdir(), 'switchyard-batch-'));
});
afterAll(async () => {
  await rm(directory, { recursive: true, force: true });
});

/** Fresh input and output paths in the test's temp dir. */
function paths(): { input: string; output: string } {
  fileNumber += 1;
  return { input: join(directory, `in-${fileNumber}.jsonl`), output: join(directory, `out-${fileNumber}.jsonl`) };
}

/** One OpenAI Batch input line. */
function inputLine(customId: string, content: string, model = 'mock/echo'): string {
  return JSON.stringify({ custom_id: customId, method: 'POST', url: '/v1/chat/completions', body: { model, messages: [{ role: 'user', content }] } });
}

async function writeLines(path: string, lines: string[]): Promise<void> {
  await writeFile(path, `${lines.join('\n')}\n`);
}

/** The output file's records; fails on any line that is not complete JSON. */
async function readRecords(path: string): Promise<BatchOutputRecord[]> {
  const text = await readFile(path, 'utf8');
  expect(text.endsWith('\n')).toBe(true);
  return text
    .slice(0, -1)
    .split('\n')
    .map((line) => JSON.parse(line) as BatchOutputRecord);
}

function byCustomId(records: BatchOutputRecord[]): Map<string | null, BatchOutputRecord> {
  return new Map(records.map((record) => [record.custom_id, record]));
}

/** The mock driver, counting generate calls in flight. */
function countingMockDriver(latencyMs: number) {
  const inner = createMockDriver({ latencyMs });
  const counts = { running: 0, peak: 0, calls: 0 };
  const driver: DriverV1 = {
    ...inner,
    async doGenerate(options) {
      counts.calls++;
      counts.running++;
      counts.peak = Math.max(counts.peak, counts.running);
      try {
        return await inner.doGenerate(options);
      } finally {
        counts.running--;
      }
    },
  };
  return { driver, counts };
}

describe('runBatch with the mock provider', () => {
  it('answers a 200-line batch with 200 OpenAI Batch output lines', async () => {
    const { input, output } = paths();
    const ids = Array.from({ length: 200 }, (_, index) => `request-${index}`);
    await writeLines(input, ids.map((id, index) => inputLine(id, `prompt number ${index}`)));
    const ai = createTestClient();
    const progress: BatchCounts[] = [];
    const counts = await runBatch({ ai, input, output, onProgress: (update) => progress.push(update) });
    await ai.close();

    expect(counts).toEqual({ succeeded: 200, failed: 0, skipped: 0, inProviderBatches: 0, cost: 0, interrupted: false });
    expect(progress.map((update) => update.succeeded)).toEqual(Array.from({ length: 200 }, (_, index) => index + 1));
    const records = await readRecords(output);
    expect(records).toHaveLength(200);
    expect(new Set(records.map((record) => record.custom_id))).toEqual(new Set(ids));
    expect(new Set(records.map((record) => record.id)).size).toBe(200);
    const answers = byCustomId(records);
    ids.forEach((id, index) => {
      const record = answers.get(id)!;
      expect(Object.keys(record)).toEqual(['id', 'custom_id', 'response', 'error']);
      expect(record.id).toMatch(/^batch_req_[0-9a-f]{32}$/);
      expect(record.error).toBeNull();
      expect(record.response).toMatchObject({
        status_code: 200,
        request_id: expect.any(String),
        body: {
          object: 'chat.completion',
          model: 'mock/echo',
          choices: [{ index: 0, message: { role: 'assistant', content: `prompt number ${index}` }, finish_reason: 'stop' }],
          usage: { prompt_tokens: expect.any(Number), completion_tokens: expect.any(Number), total_tokens: expect.any(Number) },
        },
      });
    });
  });

  it('writes error records for failed requests, unknown models and bad lines while the rest succeed', async () => {
    const { input, output } = paths();
    await writeLines(input, [
      inputLine('ok-1', 'first'),
      inputLine('boom', 'please fail [mock:500]'),
      inputLine('unknown-model', 'hello', 'nope/nothing'),
      '{"custom_id": "cut", "method": "POST", "url": ',
      JSON.stringify({ custom_id: 'no-messages', method: 'POST', url: '/v1/chat/completions', body: { model: 'mock/echo', messages: [] } }),
      '',
      inputLine('ok-1', 'a duplicate id'),
      inputLine('ok-2', 'second'),
    ]);
    const ai = createTestClient({ providers: { mock: { retries: 0 } } });
    const counts = await runBatch({ ai, input, output, concurrency: 3 });
    await ai.close();

    expect(counts).toEqual({ succeeded: 2, failed: 5, skipped: 0, inProviderBatches: 0, cost: 0, interrupted: false });
    const records = await readRecords(output);
    expect(records).toHaveLength(7);
    const answers = byCustomId(records);
    expect(answers.get('ok-1')).toMatchObject({ response: { status_code: 200, body: { choices: [{ message: { content: 'first' } }] } }, error: null });
    expect(answers.get('ok-2')).toMatchObject({ response: { status_code: 200 }, error: null });
    expect(answers.get('boom')).toMatchObject({
      response: { status_code: 502, request_id: expect.any(String), body: { error: { code: 'upstream_error', type: 'upstream_error' } } },
      error: { code: 'upstream_error', message: expect.any(String) },
    });
    expect(answers.get('unknown-model')).toMatchObject({
      response: { status_code: 404, body: { error: { code: 'model_not_found' } } },
      error: { code: 'model_not_found', message: expect.stringContaining('nope') },
    });
    expect(answers.get('no-messages')).toMatchObject({
      response: null,
      error: { code: 'invalid_request', line: 5, param: 'body.messages', message: expect.stringMatching(/^line 5: body\.messages: /) },
    });
    const anonymous = records.filter((record) => record.custom_id === null).map((record) => record.error);
    expect(anonymous).toEqual([
      { code: 'invalid_request', line: 4, param: null, message: expect.stringMatching(/^line 4: not valid JSON/) },
      { code: 'invalid_request', line: 7, param: 'custom_id', message: 'line 7: custom_id "ok-1" duplicates line 1' },
    ]);
  });

  it('resumes after a partial output: only the missing ids run and each custom_id ends with exactly one record', async () => {
    const { input, output } = paths();
    const ids = Array.from({ length: 80 }, (_, index) => `id-${index}`);
    await writeLines(input, ids.map((id) => inputLine(id, `text of ${id}`)));
    const first = createTestClient();
    await runBatch({ ai: first, input, output: join(directory, 'full-run.jsonl') });
    await first.close();
    const firstFifty = (await readFile(join(directory, 'full-run.jsonl'), 'utf8'))
      .split('\n')
      .filter((line) => ids.slice(0, 50).some((id) => line.includes(`"custom_id":"${id}"`)));
    expect(firstFifty).toHaveLength(50);
    const halfLine = inputLine('id-50', 'x').slice(0, 25);
    await writeFile(output, `${firstFifty.join('\n')}\n${halfLine}`);

    const { driver, counts: calls } = countingMockDriver(0);
    const ai = createTestClient({ drivers: { mock: driver } });
    const counts = await runBatch({ ai, input, output, concurrency: 5 });
    await ai.close();

    expect(counts).toEqual({ succeeded: 30, failed: 0, skipped: 50, inProviderBatches: 0, cost: 0, interrupted: false });
    expect(calls.calls).toBe(30);
    const records = await readRecords(output);
    expect(records).toHaveLength(80);
    expect(records.map((record) => record.custom_id).sort()).toEqual([...ids].sort());
    expect(records.every((record) => record.error === null)).toBe(true);

    const again = createTestClient();
    expect(await runBatch({ ai: again, input, output })).toEqual({ succeeded: 0, failed: 0, skipped: 80, inProviderBatches: 0, cost: 0, interrupted: false });
    await again.close();
    expect(await readRecords(output)).toHaveLength(80);
  });

  it('keeps concurrency bounded and reads the input only as requests finish', async () => {
    const { input, output } = paths();
    await writeLines(input, Array.from({ length: 60 }, (_, index) => inputLine(`c-${index}`, `p${index}`)));
    const { driver, counts: calls } = countingMockDriver(3);
    const ai = createTestClient({ drivers: { mock: driver } });
    const counts = await runBatch({ ai, input, output, concurrency: 4 });
    await ai.close();
    expect(counts.succeeded).toBe(60);
    expect(calls.peak).toBe(4);
  });

  it('on abort stops starting requests, writes those in flight, and a rerun completes the batch', async () => {
    const { input, output } = paths();
    const ids = Array.from({ length: 40 }, (_, index) => `s-${index}`);
    await writeLines(input, ids.map((id) => inputLine(id, id)));
    const { driver, counts: calls } = countingMockDriver(5);
    const ai = createTestClient({ drivers: { mock: driver } });
    const controller = new AbortController();
    const counts = await runBatch({
      ai,
      input,
      output,
      concurrency: 3,
      signal: controller.signal,
      onProgress: (update) => update.succeeded === 5 && controller.abort(),
    });
    expect(counts.interrupted).toBe(true);
    // The three requests in flight at the abort all finish and are written; nothing new starts.
    expect(calls.calls).toBe(counts.succeeded);
    expect(counts.succeeded).toBeGreaterThanOrEqual(5);
    expect(counts.succeeded).toBeLessThanOrEqual(7);
    const partial = await readRecords(output);
    expect(partial).toHaveLength(counts.succeeded);

    const rest = await runBatch({ ai, input, output, concurrency: 3 });
    await ai.close();
    expect(rest).toEqual({ succeeded: 40 - counts.succeeded, failed: 0, skipped: counts.succeeded, inProviderBatches: 0, cost: 0, interrupted: false });
    expect((await readRecords(output)).map((record) => record.custom_id).sort()).toEqual([...ids].sort());
  });

  it('rejects with a clear message when the input cannot be read, and leaves the output alone', async () => {
    const { input, output } = paths();
    const ai = createTestClient();
    await expect(runBatch({ ai, input, output })).rejects.toMatchObject({
      code: 'invalid_request',
      message: `cannot read input file ${input}: no such file or directory`,
    });
    await expect(runBatch({ ai, input: directory, output })).rejects.toMatchObject({ message: expect.stringContaining('not a file') });
    await writeLines(input, [inputLine('a', 'b')]);
    await expect(runBatch({ ai, input, output, concurrency: 0 })).rejects.toMatchObject({ code: 'invalid_request', param: 'concurrency' });
    await expect(runBatch({ ai, input, output: join(directory, '.', input.slice(directory.length + 1)) })).rejects.toMatchObject({
      param: 'output',
      message: expect.stringContaining('is the input file'),
    });
    await expect(runBatch({ ai, input, output: join(directory, 'missing-dir', 'out.jsonl') })).rejects.toMatchObject({
      message: expect.stringMatching(/^cannot write output file .*: no such file or directory$/),
    });
    await ai.close();
    await expect(readFile(output)).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('fills in the model from the override', async () => {
    const { input, output } = paths();
    await writeLines(input, [
      JSON.stringify({ custom_id: 'no-model', method: 'POST', url: '/v1/chat/completions', body: { messages: [{ role: 'user', content: 'filled' }] } }),
      inputLine('other-model', 'replaced', 'nope/nothing'),
    ]);
    const ai = createTestClient();
    expect(await runBatch({ ai, input, output, model: 'mock/echo' })).toMatchObject({ succeeded: 2, failed: 0 });
    await ai.close();
    const records = byCustomId(await readRecords(output));
    expect(records.get('no-model')).toMatchObject({ response: { body: { model: 'mock/echo', choices: [{ message: { content: 'filled' } }] } } });
    expect(records.get('other-model')).toMatchObject({ response: { body: { model: 'mock/echo' } } });
  });
});

describe('runBatch against the fake OpenAI upstream', () => {
  it('runs through the real transport with at most `concurrency` connections', async () => {
    const server = await startOpenAIMockServer({ latencyMs: 10 });
    try {
      const { input, output } = paths();
      await writeLines(input, Array.from({ length: 30 }, (_, index) => inputLine(`o-${index}`, `upstream ${index}`, 'openai/gpt-4o-mini')));
      const ai = createTestClient({ providers: { openai: fakeOpenAIProvider(server.url) } });
      const counts = await runBatch({ ai, input, output, concurrency: 3 });
      await ai.close();
      expect(counts).toEqual({ succeeded: 30, failed: 0, skipped: 0, inProviderBatches: 0, cost: expect.any(Number), interrupted: false });
      expect(counts.cost).toBeGreaterThan(0);
      expect(server.stats.requests).toBe(30);
      expect(server.stats.maxConcurrentConnections).toBeLessThanOrEqual(3);
      expect(server.stats.maxConcurrentConnections).toBeGreaterThan(1);
      const records = byCustomId(await readRecords(output));
      expect(records.get('o-7')).toMatchObject({
        response: { status_code: 200, body: { model: 'openai/gpt-4o-mini', choices: [{ message: { content: 'upstream 7' } }] } },
      });
    } finally {
      await server.close();
    }
  });
});
