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
  '20261201T1710_batch_gateway_files_and_batches': {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('batch_files')
        .ifNotExists()
        .addColumn('id', 'text', (column) => column.primaryKey())
        .addColumn('tenant', 'text', (column) => column.notNull())
        .addColumn('kind', 'text', (column) => column.notNull())
        .addColumn('purpose', 'text', (column) => column.notNull())
        .addColumn('filename', 'text', (column) => column.notNull())
        .addColumn('bytes', 'bigint', (column) => column.notNull())
        .addColumn('batch_id', 'text')
        .addColumn('created_at', 'bigint', (column) => column.notNull())
        .execute();
      await db.schema.createIndex('batch_files_tenant_index').ifNotExists().on('batch_files').columns(['tenant', 'created_at']).execute();
      await db.schema
        .createTable('batch_file_chunks')
        .ifNotExists()
        .addColumn('file_id', 'text', (column) => column.notNull())
        .addColumn('seq', 'integer', (column) => column.notNull())
        .addColumn('lines', 'integer', (column) => column.notNull())
        .addColumn('first_line', 'integer', (column) => column.notNull())
        .addColumn('data', 'text', (column) => column.notNull())
        .addPrimaryKeyConstraint('batch_file_chunks_primary_key', ['file_id', 'seq'])
        .execute();
      await db.schema
        .createTable('gateway_batches')
        .ifNotExists()
        .addColumn('id', 'text', (column) => column.primaryKey())
        .addColumn('tenant', 'text', (column) => column.notNull())
        .addColumn('input_file_id', 'text', (column) => column.notNull())
        .addColumn('endpoint', 'text', (column) => column.notNull())
        .addColumn('completion_window', 'text', (column) => column.notNull())
        .addColumn('status', 'text', (column) => column.notNull())
        .addColumn('output_file_id', 'text')
        .addColumn('error_file_id', 'text')
        .addColumn('metadata', 'text')
        .addColumn('errors', 'text')
        .addColumn('total', 'integer', (column) => column.notNull().defaultTo(0))
        .addColumn('created_at', 'bigint', (column) => column.notNull())
        .addColumn('in_progress_at', 'bigint')
        .addColumn('finalizing_at', 'bigint')
        .addColumn('completed_at', 'bigint')
        .addColumn('failed_at', 'bigint')
        .addColumn('cancelling_at', 'bigint')
        .addColumn('cancelled_at', 'bigint')
        .execute();
      await db.schema.createIndex('gateway_batches_tenant_index').ifNotExists().on('gateway_batches').columns(['tenant', 'created_at']).execute();
      await db.schema.createIndex('gateway_batches_status_index').ifNotExists().on('gateway_batches').column('status').execute();
      await db.schema
        .createTable('gateway_batch_chunks')
        .ifNotExists()
        .addColumn('batch_id', 'text', (column) => column.notNull())
        .addColumn('seq', 'integer', (column) => column.notNull())
        .addColumn('done', 'integer', (column) => column.notNull().defaultTo(0))
        .addPrimaryKeyConstraint('gateway_batch_chunks_primary_key', ['batch_id', 'seq'])
        .execute();
      await db.schema
        .createTable('gateway_batch_results')
        .ifNotExists()
        .addColumn('batch_id', 'text', (column) => column.notNull())
        .addColumn('custom_id', 'text', (column) => column.notNull())
        .addColumn('line_number', 'integer', (column) => column.notNull())
        .addColumn('is_error', 'integer', (column) => column.notNull())
        .addColumn('record', 'text', (column) => column.notNull())
        .addColumn('bytes', 'integer', (column) => column.notNull())
        .addPrimaryKeyConstraint('gateway_batch_results_primary_key', ['batch_id', 'custom_id'])
        .execute();
      await db.schema
        .createIndex('gateway_batch_results_order_index')
        .ifNotExists()
        .on('gateway_batch_results')
        .columns(['batch_id', 'is_error', 'custom_id'])
        .execute();
    },
    async down(db: Kysely<unknown>) {
      for (const table of ['gateway_batch_results', 'gateway_batch_chunks', 'gateway_batches', 'batch_file_chunks', 'batch_files']) {
        await db.schema.dropTable(table).execute();
      }
    },
  },
  '20261201T2010_batch_results_in_input_order': {
    async up(db: Kysely<unknown>) {
      // Where a provider-batched request sits in its input, so output files list results in input order.
      await db.schema.alterTable('provider_batch_requests').addColumn('line_number', 'integer', (column) => column.notNull().defaultTo(0)).execute();
      await db.schema
        .createIndex('gateway_batch_results_line_index')
        .ifNotExists()
        .on('gateway_batch_results')
        .columns(['batch_id', 'is_error', 'line_number', 'custom_id'])
        .execute();
    },
    async down(db: Kysely<unknown>) {
      await db.schema.dropIndex('gateway_batch_results_line_index').ifExists().execute();
      await db.schema.alterTable('provider_batch_requests').dropColumn('line_number').execute();
    },
  },
  '20261201T2000_batch_gateway_batch_owner_key': {
    async up(db: Kysely<unknown>) {
      // The key that created a batch: its lines run under that key's limits, budget and models.
      await db.schema.alterTable('gateway_batches').addColumn('key_id', 'text').execute();
    },
    async down(db: Kysely<unknown>) {
      await db.schema.alterTable('gateway_batches').dropColumn('key_id').execute();
    },
  },
};
