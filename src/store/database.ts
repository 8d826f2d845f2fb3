import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { Kysely, sql, PostgresDialect, SqliteDialect } from 'kysely';
import pg from 'pg';
import { SwitchyardError } from '../spec/errors.js';
import type { DatabaseSchema } from './database-schema.js';
import { migrateToLatest } from './migrations.js';

/** Which SQL engine a database URL selects. */
export type DatabaseDialect = 'sqlite' | 'postgres';

/** Options for {@link createDatabase}. */
export interface DatabaseOptions {
  /** PostgreSQL only: the schema to work in (set as the search_path); tests use a fresh one. */
  schema?: string;
  /** PostgreSQL only: pool size. Default 10. */
  maxConnections?: number;
}

/** An open (lazily connected) database with its dialect. */
export interface Database {
  db: Kysely<DatabaseSchema>;
  dialect: DatabaseDialect;
  /** The PostgreSQL schema in use, when one was given. */
  schema?: string;
  /** Runs the migrations (idempotent); see {@link migrateToLatest}. */
  migrate(): Promise<string[]>;
  /** Closes the pool or the SQLite file. */
  close(): Promise<void>;
}

/** The parsed form of a database URL. */
export type DatabaseLocation =
  | { dialect: 'sqlite'; path: string }
  | { dialect: 'postgres'; connectionString: string };

const SCHEMA_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,62}$/;
const INT8_OID = 20;

/**
 * Reads a database URL: `postgres://` / `postgresql://` for PostgreSQL;
 * `sqlite://PATH`, `sqlite::memory:`, `:memory:` or a plain file path for SQLite.
 */
export function parseDatabaseUrl(url: string): DatabaseLocation {
  const trimmed = url.trim();
  if (trimmed === '') {
    throw new SwitchyardError({ code: 'invalid_config', message: 'Database URL is empty', param: 'SWITCHYARD_DATABASE_URL' });
  }
  if (/^postgres(ql)?:\/\//i.test(trimmed)) return { dialect: 'postgres', connectionString: trimmed };
  if (/^sqlite:/i.test(trimmed)) {
    const path = trimmed.replace(/^sqlite:(\/\/)?/i, '');
    if (path === '') {
      throw new SwitchyardError({ code: 'invalid_config', message: `Database URL "${url}" names no SQLite file`, param: 'SWITCHYARD_DATABASE_URL' });
    }
    return { dialect: 'sqlite', path };
  }
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(trimmed)) {
    throw new SwitchyardError({
      code: 'invalid_config',
      message: `Database URL "${trimmed.split('://')[0]}://..." is not supported: use a file path, sqlite://PATH or postgres://...`,
      param: 'SWITCHYARD_DATABASE_URL',
    });
  }
  return { dialect: 'sqlite', path: trimmed };
}

function openSqlite(path: string): BetterSqlite3.Database {
  if (path !== ':memory:') mkdirSync(dirname(resolve(path)), { recursive: true });
  const database = new BetterSqlite3(path);
  database.pragma('journal_mode = WAL');
  database.pragma('synchronous = NORMAL');
  database.pragma('busy_timeout = 5000');
  return database;
}

/**
 * Creates the database for a URL. Synchronous and lazy: the SQLite file is
 * opened (WAL mode, parent directory created) and the PostgreSQL pool
 * connects on first query. PostgreSQL int8 values (epoch ms) come back as
 * numbers. Call `migrate()` once at start.
 */
export function createDatabase(url: string, options: DatabaseOptions = {}): Database {
  const location = parseDatabaseUrl(url);
  if (location.dialect === 'sqlite') {
    const db = new Kysely<DatabaseSchema>({
      dialect: new SqliteDialect({ database: async () => openSqlite(location.path) }),
    });
    return {
      db,
      dialect: 'sqlite',
      migrate: () => migrateToLatest(db),
      close: () => db.destroy(),
    };
  }

  // A schema named in the URL (`?options=-c search_path=NAME`) also holds the migration bookkeeping.
  const schema = options.schema ?? searchPathSchema(location.connectionString);
  if (schema !== undefined && !SCHEMA_NAME.test(schema)) {
    throw new SwitchyardError({ code: 'invalid_config', message: `PostgreSQL schema "${schema}" is not a plain identifier`, param: 'schema' });
  }
  const pool = new pg.Pool({
    connectionString: location.connectionString,
    max: options.maxConnections ?? 10,
    connectionTimeoutMillis: 5_000,
    ...(options.schema !== undefined ? { options: `-c search_path=${options.schema}` } : {}),
    types: {
      getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
        oid === INT8_OID ? (value: string) => Number(value) : pg.types.getTypeParser(oid, format as 'text')) as typeof pg.types.getTypeParser,
    },
  });
  // An idle client losing its connection must not crash the process; the next query reconnects.
  pool.on('error', () => {});
  const db = new Kysely<DatabaseSchema>({ dialect: new PostgresDialect({ pool }) });
  return {
    db,
    dialect: 'postgres',
    ...(schema !== undefined ? { schema } : {}),
    // Without a schema, the migration tables are looked for in the connection's own (its search_path, which a URL's
    // `options=-c search_path=...` may set): unqualified, Kysely would find another schema's and skip creating them.
    migrate: async () => {
      const current = schema ?? (await sql<{ name: string | null }>`select current_schema() as name`.execute(db)).rows[0]?.name ?? undefined;
      return migrateToLatest(db, current !== undefined ? { schema: current } : {});
    },
    close: () => db.destroy(),
  };
}

/** The single schema a PostgreSQL URL sets with `options=-c search_path=NAME`, if any. */
function searchPathSchema(connectionString: string): string | undefined {
  const options = new URL(connectionString).searchParams.get('options');
  const match = options === null ? null : /(?:^|\s)-c\s*search_path=([A-Za-z_][A-Za-z0-9_]*)(?:\s|$)/.exec(options);
  return match?.[1];
}
