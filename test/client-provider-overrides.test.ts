import { describe, expect, it } from 'vitest';
import { createMemoryDestination } from '../src/observability/logger.js';
import { createTestClient } from './support/client.js';

// Caching and log level per provider: each provider's setting wins over the general one, for its calls only.
describe('per-provider overrides', () => {
  it('caches the answers of a provider that turns caching on, and not of one that turns it off', async () => {
    const on = createTestClient({ cache: { responses: false }, providers: { mock: { cacheResponses: true } } });
    const off = createTestClient({ cache: { responses: true }, providers: { mock: { cacheResponses: false } } });
    try {
      const request = { model: 'mock/echo', temperature: 0, messages: [{ role: 'user' as const, content: 'cache me' }] };
      expect((await on.chat(request)).cache).toBe('miss');
      expect((await on.chat(request)).cache).toBe('hit-memory');
      expect((await off.chat(request)).cache).toBe('bypass');
      expect((await off.chat(request)).cache).toBe('bypass');
    } finally {
      await Promise.all([on.close(), off.close()]);
    }
  });

  it("logs a provider's calls at its own level", async () => {
    const destination = createMemoryDestination();
    const ai = createTestClient({ logDestination: destination, observability: { logLevel: 'warn' }, providers: { mock: { logLevel: 'debug' } } });
    try {
      await ai.chat({ model: 'mock/echo', messages: [{ role: 'user', content: 'hello' }] });
      const lines = destination.records() as Array<{ msg?: string; provider?: string }>;
      expect(lines.some((line) => line.msg === 'upstream call finished' && line.provider === 'mock')).toBe(true);
    } finally {
      await ai.close();
    }
  });
});
