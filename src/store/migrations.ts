import { Migrator, sql, type Kysely, type Migration, type MigrationProvider } from 'kysely';
import { SwitchyardError } from '../spec/errors.js';
import { BATCH_MIGRATIONS } from './batch-migrations.js';
import { TEAM_MIGRATIONS } from './team-migrations.js';
import { RESPONSE_MIGRATIONS } from './response-migrations.js';

/*
 * One set of migrations for SQLite and PostgreSQL. DDL is idempotent
 * (`if not exists`) because on SQLite the migrator takes no lock between
 * processes; see migrateToLatest. Only portable column types
 * are used: text, integer, bigint (epoch ms), double precision; booleans are
 * integers 0/1 and JSON is text.
 */
const MIGRATIONS: Record<string, Migration> = {
  '0001_provider_models': {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('provider_models')
        .ifNotExists()
        .addColumn('id', 'text', (column) => column.primaryKey())
        .addColumn('provider', 'text', (column) => column.notNull())
        .addColumn('model_id', 'text', (column) => column.notNull())
        .addColumn('name', 'text', (column) => column.notNull())
        .addColumn('capabilities', 'text', (column) => column.notNull().defaultTo('[]'))
        .addColumn('context_length', 'integer')
        .addColumn('input_price_per_million', 'double precision')
        .addColumn('output_price_per_million', 'double precision')
        .addColumn('is_active', 'integer', (column) => column.notNull().defaultTo(1))
        .addColumn('created_at', 'bigint', (column) => column.notNull())
        .addColumn('updated_at', 'bigint', (column) => column.notNull())
        .addUniqueConstraint('provider_models_provider_model_id_unique', ['provider', 'model_id'])
        .execute();
      await db.schema
        .createIndex('provider_models_provider_is_active_index')
        .ifNotExists()
        .on('provider_models')
        .columns(['provider', 'is_active'])
        .execute();
    },
    async down(db: Kysely<unknown>) {
      await db.schema.dropTable('provider_models').execute();
    },
  },
  '0002_cache_entries': {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('cache_entries')
        .ifNotExists()
        .addColumn('key', 'text', (column) => column.primaryKey())
        .addColumn('namespace', 'text', (column) => column.notNull())
        .addColumn('value', 'text', (column) => column.notNull())
        .addColumn('size_bytes', 'integer', (column) => column.notNull())
        .addColumn('expires_at', 'bigint', (column) => column.notNull())
        .addColumn('created_at', 'bigint', (column) => column.notNull())
        .execute();
      await db.schema.createIndex('cache_entries_expires_at_index').ifNotExists().on('cache_entries').column('expires_at').execute();
      await db.schema.createIndex('cache_entries_namespace_index').ifNotExists().on('cache_entries').column('namespace').execute();
    },
    async down(db: Kysely<unknown>) {
      await db.schema.dropTable('cache_entries').execute();
    },
  },
  ...BATCH_MIGRATIONS,
  ...TEAM_MIGRATIONS,
  ...RESPONSE_MIGRATIONS,
};

/** Every migration's name, in the order they apply. */
export const MIGRATION_NAMES: readonly string[] = Object.keys(MIGRATIONS).sort();

const MAX_ATTEMPTS = 5;
const RACE_ERRORS = /already exists|UNIQUE constraint|SQLITE_BUSY|database is locked|duplicate key/i;

const provider: MigrationProvider = {
  async getMigrations() {
    return MIGRATIONS;
  },
};

/** Options for {@link migrateToLatest}. */
export interface MigrateOptions {
  /** PostgreSQL schema holding the tables and the migration bookkeeping; created when missing. */
  schema?: string;
}

/**
 * Brings the database to the latest schema. Idempotent. On PostgreSQL the
 * Kysely migrator takes an advisory lock, so two processes starting at once
 * run each migration exactly once; on SQLite (no such lock) a process that
 * loses the race retries with a short backoff. Returns the migrations applied
 * by this call.
 */
export async function migrateToLatest(db: Kysely<any>, options: MigrateOptions = {}): Promise<string[]> {
  if (options.schema !== undefined) {
    // Tables are created unqualified and land in the connection's search_path. An existing schema is not created
    // again (that would need the CREATE privilege on the database).
    const exists = async () => (await sql<{ found: number }>`select 1 as found from information_schema.schemata where schema_name = ${options.schema}`.execute(db)).rows.length > 0;
    if (!(await exists())) {
      await sql`create schema if not exists ${sql.id(options.schema)}`.execute(db).catch(async (error: unknown) => {
        // Two processes creating the same schema at once: the loser sees a unique violation.
        if (!(await exists())) throw error;
      });
    }
  }
  const migrator = new Migrator({
    db,
    provider,
    // Migrations are independent (idempotent DDL): one added with a lower number than those applied must still run.
    allowUnorderedMigrations: true,
    ...(options.schema !== undefined ? { migrationTableSchema: options.schema } : {}),
  });
  for (let attempt = 1; ; attempt += 1) {
    const { error, results } = await migrator.migrateToLatest();
    if (error === undefined) return (results ?? []).filter((result) => result.status === 'Success').map((result) => result.migrationName);
    const message = error instanceof Error ? error.message : String(error);
    // SQLite has no migration lock: two processes starting at once race; the
    // loser retries and finds the migrations applied. PostgreSQL never gets here.
    if (attempt < MAX_ATTEMPTS && RACE_ERRORS.test(message)) {
      await new Promise((resolve) => setTimeout(resolve, 25 * 2 ** attempt));
      continue;
    }
    throw new SwitchyardError({ code: 'internal_error', message: `Database migration failed: ${message}`, cause: error });
  }
}
