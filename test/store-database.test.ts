import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { afterAll, describe, expect, it } from 'vitest';
import { createDatabase } from '../src/store/database.js';
import { MIGRATION_NAMES, migrateToLatest } from '../src/store/migrations.js';
import { DIALECTS, POSTGRES_URL, uniqueName } from './store-support.js';

describe.each(DIALECTS)('store on $dialect', ({ create }) => {
  it('creates both tables with their unique and index constraints, and migrating again applies nothing', async () => {
    const { database, dispose } = await create();
    try {
      expect(await database.migrate()).toEqual([]);
      const now = Date.now();
      const row = {
        id: 'openai/gpt-4o',
        provider: 'openai',
        model_id: 'gpt-4o',
        name: 'GPT-4o',
        capabilities: '["chat"]',
        context_length: 128000,
        input_price_per_million: 2.5,
        output_price_per_million: 10,
        is_active: 1,
        created_at: now,
        updated_at: now,
      };
      await database.db.insertInto('provider_models').values(row).execute();
      await expect(database.db.insertInto('provider_models').values({ ...row, id: 'other-id' }).execute()).rejects.toThrow();
      await database.db
        .insertInto('cache_entries')
        .values({ key: 'a:b', namespace: 'a', value: 'v', size_bytes: 4, expires_at: now + 2 ** 40, created_at: now })
        .execute();
      const stored = await database.db.selectFrom('cache_entries').selectAll().executeTakeFirstOrThrow();
      // Epoch-ms bigints come back as numbers on both dialects.
      expect(stored.expires_at).toBe(now + 2 ** 40);
      const model = await database.db.selectFrom('provider_models').selectAll().executeTakeFirstOrThrow();
      expect(model).toMatchObject({ context_length: 128000, input_price_per_million: 2.5, created_at: now });
    } finally {
      await dispose();
    }
  });
});

describe('store on sqlite files', () => {
  const directories: string[] = [];
  afterAll(async () => {
    for (const directory of directories) await rm(directory, { recursive: true, force: true });
  });

  it('accepts sqlite:// URLs, creates the parent directory and uses WAL mode', async () => {
    const directory = await mkdtemp(join(tmpdir(), 'switchyard-url-'));
    directories.push(directory);
    const path = join(directory, 'a', 'b', 'data.db');
    const database = createDatabase(`sqlite://${path}`);
    expect(database.dialect).toBe('sqlite');
    expect(await database.migrate()).toEqual(MIGRATION_NAMES);
    const mode = await sql<{ journal_mode: string }>`pragma journal_mode`.execute(database.db);
    expect(mode.rows[0].journal_mode).toBe('wal');
    await database.close();
    expect((await stat(path)).isFile()).toBe(true);
  });

  it('two connections migrating one new file at once both succeed, each migration applied once', async () => {
    const directory = await mkdtemp(join(tmpdir(), 'switchyard-race-'));
    directories.push(directory);
    const path = join(directory, 'race.db');
    const first = createDatabase(path);
    const second = createDatabase(path);
    const [a, b] = await Promise.all([first.migrate(), second.migrate()]);
    expect([...a, ...b].sort()).toEqual(MIGRATION_NAMES);
    const applied = await sql<{ name: string }>`select name from kysely_migration order by name`.execute(first.db);
    expect(applied.rows.map((row) => row.name)).toEqual(MIGRATION_NAMES);
    await Promise.all([first.close(), second.close()]);
  });

  it('works in memory', async () => {
    const database = createDatabase(':memory:');
    await database.migrate();
    expect(await database.db.selectFrom('provider_models').selectAll().execute()).toEqual([]);
    await database.close();
  });
});

describe('store on postgres, concurrent start', () => {
  it('two processes migrating the same fresh schema at once apply each migration exactly once', async () => {
    const schema = uniqueName('sy_race');
    const first = createDatabase(POSTGRES_URL, { schema });
    const second = createDatabase(POSTGRES_URL, { schema });
    try {
      const [a, b] = await Promise.all([first.migrate(), second.migrate()]);
      expect([...a, ...b].sort()).toEqual(MIGRATION_NAMES);
      const applied = await sql<{ name: string }>`select name from ${sql.id(schema, 'kysely_migration')} order by name`.execute(first.db);
      expect(applied.rows.map((row) => row.name)).toEqual(MIGRATION_NAMES);
      expect(await migrateToLatest(second.db, { schema })).toEqual([]);
    } finally {
      await sql`drop schema if exists ${sql.id(schema)} cascade`.execute(first.db);
      await Promise.all([first.close(), second.close()]);
    }
  });
});
