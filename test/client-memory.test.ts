import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import { createTestClient } from './support/client.js';

/*
 * The design brief's memory test ("it maintains memory efficiency"): 1,000
 * requests to the mock provider, each a different message, with a full
 * collection every 100; the heap may grow by less than 50 MiB (the brief's
 * own, generous bound). Measured after a last full collection, so only what
 * the client keeps counts.
 */

setFlagsFromString('--expose-gc');
const collectGarbage = runInNewContext('gc') as () => void;

describe('memory over many requests', () => {
  it('1,000 requests leave the heap less than 50 MiB larger', async () => {
    const ai = createTestClient({ cache: { responses: true }, mock: { latencyMs: 0 } });
    await ai.chat({ model: 'mock/echo', messages: [{ role: 'user', content: 'warm up' }] });
    collectGarbage();
    const before = process.memoryUsage().heapUsed;
    for (let index = 0; index < 1000; index++) {
      const response = await ai.chat({ model: 'mock/echo', temperature: 0, messages: [{ role: 'user', content: `Test message ${index}` }] });
      expect(response.content).toBe(`Test message ${index}`);
      if (index % 100 === 0) collectGarbage();
    }
    collectGarbage();
    const growth = process.memoryUsage().heapUsed - before;
    expect(growth).toBeLessThan(50 * 1024 * 1024);
    await ai.close();
  });
});
