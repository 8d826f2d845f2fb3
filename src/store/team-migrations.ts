import type { Kysely, Migration } from 'kysely';

/**
 * The migrations of the gateway's team tables (`gateway_keys`, `spend`),
 * merged into the one migration list of migrations.ts. Same rules: portable
 * types, idempotent DDL.
 */
export const TEAM_MIGRATIONS: Record<string, Migration> = {
  '0003_gateway_keys': {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('gateway_keys')
        .ifNotExists()
        .addColumn('id', 'text', (column) => column.primaryKey())
        .addColumn('tenant', 'text', (column) => column.notNull())
        .addColumn('name', 'text', (column) => column.notNull())
        .addColumn('key_hash', 'text', (column) => column.notNull().unique())
        .addColumn('models', 'text', (column) => column.notNull().defaultTo('[]'))
        .addColumn('rpm', 'integer')
        .addColumn('tpm', 'integer')
        .addColumn('concurrency', 'integer')
        .addColumn('budget_usd', 'double precision')
        .addColumn('budget_period', 'text')
        .addColumn('created_at', 'bigint', (column) => column.notNull())
        .addColumn('expires_at', 'bigint')
        .addColumn('revoked_at', 'bigint')
        .addColumn('updated_at', 'bigint', (column) => column.notNull())
        .execute();
      await db.schema.createIndex('gateway_keys_updated_at_index').ifNotExists().on('gateway_keys').column('updated_at').execute();
      await db.schema.createIndex('gateway_keys_tenant_index').ifNotExists().on('gateway_keys').column('tenant').execute();
    },
    async down(db: Kysely<unknown>) {
      await db.schema.dropTable('gateway_keys').execute();
    },
  },
  '0004_spend': {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('spend')
        .ifNotExists()
        .addColumn('day', 'text', (column) => column.notNull())
        .addColumn('tenant', 'text', (column) => column.notNull())
        .addColumn('key_id', 'text', (column) => column.notNull())
        .addColumn('model', 'text', (column) => column.notNull())
        .addColumn('requests', 'integer', (column) => column.notNull().defaultTo(0))
        .addColumn('cache_hits', 'integer', (column) => column.notNull().defaultTo(0))
        .addColumn('rejections', 'integer', (column) => column.notNull().defaultTo(0))
        .addColumn('input_tokens', 'bigint', (column) => column.notNull().defaultTo(0))
        .addColumn('output_tokens', 'bigint', (column) => column.notNull().defaultTo(0))
        .addColumn('cost_usd', 'double precision', (column) => column.notNull().defaultTo(0))
        .addColumn('savings_usd', 'double precision', (column) => column.notNull().defaultTo(0))
        .addColumn('updated_at', 'bigint', (column) => column.notNull())
        .addPrimaryKeyConstraint('spend_primary_key', ['day', 'tenant', 'key_id', 'model'])
        .execute();
      await db.schema.createIndex('spend_tenant_day_index').ifNotExists().on('spend').columns(['tenant', 'day']).execute();
      await db.schema.createIndex('spend_key_day_index').ifNotExists().on('spend').columns(['key_id', 'day']).execute();
    },
    async down(db: Kysely<unknown>) {
      await db.schema.dropTable('spend').execute();
    },
  },
};
