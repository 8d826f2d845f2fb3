import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startOpenAIMockServer, type OpenAIMockServer } from '../src/mock-upstream/openai-server.js';
import { createOpenAIDriver, type OpenAIDriver } from '../src/providers/openai/openai-driver.js';

/*
 * Memory-bounded streaming: a 50 MB streamed completion must be consumed
 * without the heap holding it. The heap is measured after a forced GC at
 * regular points during consumption, i.e. what the stream path retains, not
 * transient garbage. (vitest cannot pass --expose-gc per file, so the flag is
 * set at run time and `gc` taken from a fresh context.)
 */
setFlagsFromString('--expose-gc');
const collectGarbage = runInNewContext('gc') as () => void;

const TOTAL_BYTES = 50 * 1024 * 1024;
const SAMPLE_EVERY_BYTES = 2 * 1024 * 1024;
const MAX_GROWTH_BYTES = 30 * 1024 * 1024;

let server: OpenAIMockServer;
let driver: OpenAIDriver;

beforeAll(async () => {
  server = await startOpenAIMockServer({ hugeStreamBytes: TOTAL_BYTES });
  driver = createOpenAIDriver({ baseURL: server.url, apiKey: 'sk-test' });
});
afterAll(async () => {
  await driver.close();
  await server.close();
});

describe('memory-bounded streaming', () => {
  it('consumes a 50 MB stream with heap growth under 30 MB', async () => {
    collectGarbage();
    const baseline = process.memoryUsage().heapUsed;
    let peak = baseline;
    let received = 0;
    let nextSample = SAMPLE_EVERY_BYTES;
    let finishes = 0;

    for await (const part of driver.doStream({ modelId: 'gpt-4o-mini', messages: [{ role: 'user', content: 'flood me' }] })) {
      if (part.type === 'text-delta') received += part.text.length;
      if (part.type === 'finish') finishes += 1;
      if (received >= nextSample) {
        nextSample += SAMPLE_EVERY_BYTES;
        collectGarbage();
        peak = Math.max(peak, process.memoryUsage().heapUsed);
      }
    }

    expect(received).toBe(TOTAL_BYTES);
    expect(finishes).toBe(1);
    expect(peak - baseline).toBeLessThan(MAX_GROWTH_BYTES);
  });

  it('the measurement detects a consumer that keeps the stream (control)', async () => {
    collectGarbage();
    const baseline = process.memoryUsage().heapUsed;
    const kept: string[] = [];
    for await (const part of driver.doStream({ modelId: 'gpt-4o-mini', messages: [{ role: 'user', content: 'flood me' }] })) {
      if (part.type === 'text-delta') kept.push(part.text);
    }
    collectGarbage();
    const growth = process.memoryUsage().heapUsed - baseline;
    expect(kept.length).toBeGreaterThan(0);
    expect(growth).toBeGreaterThan(MAX_GROWTH_BYTES);
  });
});
