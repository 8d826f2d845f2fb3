import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { createDatabase, type Database } from '../src/store/database.js';

/** The PostgreSQL server of the test environment. A missing server fails the tests. */
export const POSTGRES_URL = process.env.SWITCHYARD_TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
/** The Redis server of the test environment. */
export const REDIS_URL = process.env.SWITCHYARD_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

/** A random suffix for schema names, key prefixes and the like. */
export function uniqueName(prefix: string): string {
  return `${prefix}_${randomBytes(6).toString('hex')}`;
}

/** A migrated test database and how to throw it away. */
export interface TestDatabase {
  database: Database;
  /** Drops the schema (PostgreSQL) or the temp dir (SQLite) and closes. */
  dispose(): Promise<void>;
}

/** A migrated PostgreSQL database in a fresh schema, dropped by `dispose()`. */
export async function createTestPostgres(): Promise<TestDatabase> {
  const schema = uniqueName('sy_test');
  const database = createDatabase(POSTGRES_URL, { schema });
  await database.migrate();
  return {
    database,
    async dispose() {
      await sql`drop schema if exists ${sql.id(schema)} cascade`.execute(database.db);
      await database.close();
    },
  };
}

/** A migrated SQLite database in a fresh temp dir, removed by `dispose()`. */
export async function createTestSqlite(): Promise<TestDatabase> {
  const directory = await mkdtemp(join(tmpdir(), 'switchyard-store-'));
  const database = createDatabase(join(directory, 'nested', 'switchyard.db'));
  await database.migrate();
  return {
    database,
    async dispose() {
      await database.close();
      await rm(directory, { recursive: true, force: true });
    },
  };
}

/** Both dialects, for `describe.each`. */
export const DIALECTS = [
  { dialect: 'sqlite', create: createTestSqlite },
  { dialect: 'postgres', create: createTestPostgres },
] as const;
