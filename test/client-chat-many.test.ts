import { describe, expect, it } from 'vitest';
import { createMockDriver } from '../src/providers/mock/mock-driver.js';
import type { DriverV1 } from '../src/spec/driver.js';
import { createTestClient } from './support/client.js';

/** The mock driver, counting how many generate calls run at once. */
function countingDriver() {
  const inner = createMockDriver({ latencyMs: 5 });
  const counts = { running: 0, peak: 0 };
  const driver: DriverV1 = {
    ...inner,
    async doGenerate(options) {
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

describe('chatMany', () => {
  it('settles every request in input order with bounded concurrency and progress', async () => {
    const { driver, counts } = countingDriver();
    const ai = createTestClient({ drivers: { mock: driver } });
    const progress: number[] = [];
    const prompts = Array.from({ length: 30 }, (_, index) => (index === 7 ? '[mock:500] fails' : `prompt ${index}`));
    const results = await ai.chatMany(
      prompts.map((content) => ({ model: 'mock/echo', messages: [{ role: 'user' as const, content }] })),
      { concurrency: 4, onProgress: ({ completed }) => progress.push(completed) },
    );
    expect(results).toHaveLength(30);
    results.forEach((result, index) => {
      if (index === 7) expect(result).toMatchObject({ status: 'rejected', reason: { code: 'upstream_error' } });
      else expect(result).toMatchObject({ status: 'fulfilled', value: { content: `prompt ${index}` } });
    });
    expect(counts.peak).toBeLessThanOrEqual(4);
    expect(counts.peak).toBeGreaterThan(1);
    expect(progress).toEqual(Array.from({ length: 30 }, (_, index) => index + 1));
    await ai.close();
  });

  it('rejects the requests not yet started once the signal aborts', async () => {
    const ai = createTestClient({ mock: { latencyMs: 20 } });
    const controller = new AbortController();
    const pending = ai.chatMany(
      Array.from({ length: 10 }, (_, index) => ({ model: 'mock/echo', messages: [{ role: 'user' as const, content: `p${index}` }] })),
      { concurrency: 1, onProgress: ({ completed }) => completed === 2 && controller.abort(), signal: controller.signal },
    );
    const results = await pending;
    expect(results.slice(0, 2).every((result) => result.status === 'fulfilled')).toBe(true);
    expect(results.slice(3).every((result) => result.status === 'rejected' && (result.reason as { code: string }).code === 'aborted')).toBe(true);
    await ai.close();
  });
});
