import { randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startOpenAIMockServer, type OpenAIMockServer } from '../src/mock-upstream/openai-server.js';
import { POSTGRES_URL, REDIS_URL } from './store-support.js';
import { createTestClient, fakeOpenAIProvider } from './support/client.js';

let upstream: OpenAIMockServer;
beforeAll(async () => {
  upstream = await startOpenAIMockServer();
});
afterAll(() => upstream.close());

describe('clients sharing Redis and a database', () => {
  it('a second client answers from Redis, a third (no Redis) from SQL, and readiness sees both services', async () => {
    const databaseUrl = join(mkdtempSync(join(tmpdir(), 'switchyard-shared-')), 'shared.db');
    const options = { providers: { openai: fakeOpenAIProvider(upstream.url) }, cache: { responses: true }, databaseUrl };
    const first = createTestClient({ ...options, redisUrl: REDIS_URL });
    const second = createTestClient({ ...options, redisUrl: REDIS_URL });
    const third = createTestClient(options);
    const request = { model: 'openai/gpt-4o-mini', temperature: 0, messages: [{ role: 'user' as const, content: `shared ${randomUUID()}` }] };

    const answered = await first.chat(request);
    expect(answered.cache).toBe('miss');
    const fromRedis = await second.chat(request);
    expect(fromRedis.cache).toBe('hit-redis');
    expect(fromRedis.content).toBe(answered.content);
    expect((await second.chat(request)).cache).toBe('hit-memory');
    expect((await third.chat(request)).cache).toBe('hit-sql');
    expect(upstream.stats.requests).toBe(1);

    expect(await first.services.health()).toEqual({ database: { ok: true }, redis: { ok: true } });
    await Promise.all([first.close(), second.close(), third.close()]);
  });

  it('reports a Redis that cannot be reached as not ready, and still answers', async () => {
    const ai = createTestClient({ redisUrl: 'redis://127.0.0.1:1', cache: { responses: true }, mock: {} });
    const response = await ai.chat({ model: 'mock/echo', temperature: 0, messages: [{ role: 'user', content: `no redis ${randomUUID()}` }] });
    expect(response.content).toMatch(/^no redis/);
    const health = await ai.services.health();
    expect(health.database).toEqual({ ok: true });
    expect(health.redis?.ok).toBe(false);
    await ai.close();
  });
});

describe('the client on PostgreSQL', () => {
  it('migrates, caches responses in SQL and syncs the catalog', async () => {
    const pg = await import('pg');
    const schema = `sy_client_${randomUUID().replace(/-/g, '').slice(0, 12)}`;
    const admin = new pg.default.Client({ connectionString: POSTGRES_URL });
    await admin.connect();
    await admin.query(`create schema ${schema}`);
    try {
      const databaseUrl = `${POSTGRES_URL}${POSTGRES_URL.includes('?') ? '&' : '?'}options=${encodeURIComponent(`-c search_path=${schema}`)}`;
      const writer = createTestClient({ databaseUrl, cache: { responses: true } });
      const request = { model: 'mock/echo', temperature: 0, messages: [{ role: 'user' as const, content: 'stored in postgres' }] };
      expect((await writer.chat(request)).cache).toBe('miss');
      const synced = await writer.syncModels({ provider: 'mock' });
      expect(synced).toMatchObject({ provider: 'mock', listed: 2, added: 2 });
      await writer.close();
      const reader = createTestClient({ databaseUrl, cache: { responses: true } });
      expect((await reader.chat(request)).cache).toBe('hit-sql');
      await reader.close();
      const rows = await admin.query(`select model_id from ${schema}.provider_models order by model_id`);
      expect(rows.rows.map((row: { model_id: string }) => row.model_id)).toEqual(['echo', 'lorem']);
    } finally {
      await admin.query(`drop schema ${schema} cascade`);
      await admin.end();
    }
  });
});
