import type { Kysely, Migration } from 'kysely';

/*
 * The batch tables' migrations, named with a date-time and `batch` so that
 * they never collide with other features' migrations. Same rules as
 * migrations.ts: idempotent DDL, portable column types.
 */
export const BATCH_MIGRATIONS: Record<string, Migration> = {
  '20261201T1700_batch_provider_batches': {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('provider_batches')
        .ifNotExists()
        .addColumn('id', 'text', (column) => column.primaryKey())
        .addColumn('job_key', 'text', (column) => column.notNull())
        .addColumn('provider', 'text', (column) => column.notNull())
        .addColumn('model', 'text', (column) => column.notNull())
        .addColumn('provider_batch_id', 'text')
        .addColumn('status', 'text', (column) => column.notNull())
        .addColumn('request_count', 'integer', (column) => column.notNull())
        .addColumn('succeeded', 'integer', (column) => column.notNull().defaultTo(0))
        .addColumn('failed', 'integer', (column) => column.notNull().defaultTo(0))
        .addColumn('created_at', 'bigint', (column) => column.notNull())
        .addColumn('updated_at', 'bigint', (column) => column.notNull())
        .execute();
      await db.schema.createIndex('provider_batches_job_key_index').ifNotExists().on('provider_batches').column('job_key').execute();
      await db.schema
        .createTable('provider_batch_requests')
        .ifNotExists()
        .addColumn('job_key', 'text', (column) => column.notNull())
        .addColumn('custom_id', 'text', (column) => column.notNull())
        .addColumn('provider_batch', 'text', (column) => column.notNull())
        .addPrimaryKeyConstraint('provider_batch_requests_primary_key', ['job_key', 'custom_id'])
        .execute();
      await db.schema
        .createIndex('provider_batch_requests_provider_batch_index')
        .ifNotExists()
        .on('provider_batch_requests')
        .column('provider_batch')
        .execute();
    },
    async down(db: Kysely<unknown>) {
      await db.schema.dropTable('provider_batch_requests').execute();
      await db.schema.dropTable('provider_batches').execute();
    },
  },
};
