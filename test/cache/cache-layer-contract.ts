import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { CacheLayer } from '../../src/cache/cache-layer.js';

/** A layer under test and how to dispose of it. */
export interface LayerHarness {
  layer: CacheLayer;
  dispose(): Promise<void>;
}

/**
 * The one contract every cache layer meets. `create` gives a fresh, empty
 * layer per test (its own key prefix or cleared table).
 */
export function describeCacheLayerContract(label: string, create: () => Promise<LayerHarness>): void {
  describe(`cache layer contract: ${label}`, () => {
    let harness: LayerHarness;
    let layer: CacheLayer;

    beforeEach(async () => {
      harness = await create();
      layer = harness.layer;
    });
    afterEach(async () => {
      await harness.dispose();
    });

    it('misses an unknown key', async () => {
      expect(await layer.get('test:missing')).toBeUndefined();
    });

    it('returns a stored value with its expiry', async () => {
      const before = Date.now();
      await layer.set('test:a', '{"answer":42}', 60_000);
      const hit = await layer.get('test:a');
      expect(hit?.value).toBe('{"answer":42}');
      expect(hit!.expiresAt).toBeGreaterThan(before + 50_000);
      expect(hit!.expiresAt).toBeLessThanOrEqual(Date.now() + 60_000);
    });

    it('overwrites a value and its TTL', async () => {
      await layer.set('test:a', 'one', 60_000);
      await layer.set('test:a', 'two', 600_000);
      const hit = await layer.get('test:a');
      expect(hit?.value).toBe('two');
      expect(hit!.expiresAt).toBeGreaterThan(Date.now() + 500_000);
    });

    it('keeps unicode and large values byte for byte', async () => {
      const value = `héllo 👋 ${'x'.repeat(200_000)} 日本語`;
      await layer.set('test:big', value, 60_000);
      expect((await layer.get('test:big'))?.value).toBe(value);
    });

    it('treats keys with glob and SQL characters literally', async () => {
      await layer.set('test:a*', 'star', 60_000);
      await layer.set("test:a'b", 'quote', 60_000);
      expect((await layer.get('test:a*'))?.value).toBe('star');
      expect((await layer.get("test:a'b"))?.value).toBe('quote');
      expect(await layer.get('test:a?')).toBeUndefined();
      await layer.clear('test*');
      expect((await layer.get('test:a*'))?.value).toBe('star');
    });

    it('stops returning an entry once it expires', async () => {
      await layer.set('test:short', 'soon gone', 50);
      await layer.set('test:long', 'stays', 60_000);
      await vi.waitFor(async () => expect(await layer.get('test:short')).toBeUndefined(), { timeout: 5_000, interval: 20 });
      expect((await layer.get('test:long'))?.value).toBe('stays');
    });

    it('does not store with a TTL of zero and drops the old value', async () => {
      await layer.set('test:zero', 'old', 60_000);
      await layer.set('test:zero', 'new', 0);
      expect(await layer.get('test:zero')).toBeUndefined();
    });

    it('deletes one key', async () => {
      await layer.set('test:a', '1', 60_000);
      await layer.set('test:b', '2', 60_000);
      await layer.delete('test:a');
      await layer.delete('test:never-set');
      expect(await layer.get('test:a')).toBeUndefined();
      expect((await layer.get('test:b'))?.value).toBe('2');
    });

    it('clears one namespace, then everything', async () => {
      await layer.set('response:1', 'r1', 60_000);
      await layer.set('response:2', 'r2', 60_000);
      await layer.set('catalog:openai', 'c', 60_000);
      await layer.set('responses:3', 'similar prefix', 60_000);
      await layer.clear('response');
      expect(await layer.get('response:1')).toBeUndefined();
      expect(await layer.get('response:2')).toBeUndefined();
      expect((await layer.get('catalog:openai'))?.value).toBe('c');
      expect((await layer.get('responses:3'))?.value).toBe('similar prefix');
      await layer.clear();
      expect(await layer.get('catalog:openai')).toBeUndefined();
      expect(await layer.get('responses:3')).toBeUndefined();
    });

    it('prunes expired entries and keeps live ones, when it prunes at all', async () => {
      if (layer.prune === undefined) {
        // Such a layer expires entries itself; the expiry test above covers it.
        expect(layer.name).toBe('redis');
        return;
      }
      for (let index = 0; index < 5; index += 1) await layer.set(`test:expired-${index}`, 'x', 20);
      await layer.set('test:live', 'y', 60_000);
      // The sentinel expires no earlier than the five; reading it may drop it, so it is not counted.
      await layer.set('test:sentinel', 'z', 20);
      await vi.waitFor(async () => expect(await layer.get('test:sentinel')).toBeUndefined(), { timeout: 5_000, interval: 20 });
      await layer.delete('test:sentinel');
      expect(await layer.prune()).toBe(5);
      expect(await layer.prune()).toBe(0);
      expect((await layer.get('test:live'))?.value).toBe('y');
    });
  });
}
