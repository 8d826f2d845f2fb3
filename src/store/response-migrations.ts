import type { Kysely, Migration } from 'kysely';

/**
 * The migration of `stored_responses` (the Responses API's stored
 * responses), merged into the one migration list of migrations.ts. Same
 * rules: portable types, idempotent DDL.
 */
export const RESPONSE_MIGRATIONS: Record<string, Migration> = {
  '0008_stored_responses': {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('stored_responses')
        .ifNotExists()
        .addColumn('id', 'text', (column) => column.primaryKey())
        .addColumn('tenant', 'text', (column) => column.notNull())
        .addColumn('provider', 'text', (column) => column.notNull())
        .addColumn('model', 'text', (column) => column.notNull())
        .addColumn('native', 'integer', (column) => column.notNull().defaultTo(0))
        .addColumn('input', 'text', (column) => column.notNull())
        .addColumn('response', 'text', (column) => column.notNull())
        .addColumn('created_at', 'bigint', (column) => column.notNull())
        .execute();
      await db.schema.createIndex('stored_responses_tenant_created_at_index').ifNotExists().on('stored_responses').columns(['tenant', 'created_at']).execute();
    },
    async down(db: Kysely<unknown>) {
      await db.schema.dropTable('stored_responses').execute();
    },
  },
};
