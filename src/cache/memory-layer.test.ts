import { describe, expect, it } from 'vitest';
import { createMemoryLayer } from './memory-layer.js';

describe('memory layer', () => {
  it('stays within its byte budget, dropping the least recently used entries', async () => {
    const layer = createMemoryLayer({ maxBytes: 1_000 });
    for (let index = 0; index < 10; index += 1) await layer.set(`test:${index}`, 'x'.repeat(190), 60_000);
    const usage = await layer.usage!();
    expect(usage.bytes).toBeLessThanOrEqual(1_000);
    expect(usage.entries).toBe(5);
    expect(await layer.get('test:0')).toBeUndefined();
    expect((await layer.get('test:9'))?.value).toHaveLength(190);
  });

  it('counts multi-byte characters as bytes', async () => {
    const layer = createMemoryLayer({ maxBytes: 100 });
    await layer.set('k', '日本語', 60_000);
    expect((await layer.usage!()).bytes).toBe(1 + 9);
  });

  it('expires entries by its clock', async () => {
    let now = 1_000;
    const layer = createMemoryLayer({ now: () => now });
    await layer.set('test:a', 'v', 500);
    expect(await layer.get('test:a')).toEqual({ value: 'v', expiresAt: 1_500 });
    now = 1_500;
    expect(await layer.get('test:a')).toBeUndefined();
  });
});
