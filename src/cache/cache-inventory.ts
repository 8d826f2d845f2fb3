import { sql, type Kysely } from 'kysely';
import type { DatabaseSchema } from '../store/database-schema.js';

/** What the SQL layer holds, per namespace. */
export interface SqlCacheInventory {
  namespace: string;
  entries: number;
  bytes: number;
  expired: number;
}

/** Counts the SQL layer's entries, bytes and expired entries per namespace, in one query. */
export async function sqlCacheInventory(db: Kysely<DatabaseSchema>, now: number = Date.now()): Promise<SqlCacheInventory[]> {
  const rows = await db
    .selectFrom('cache_entries')
    .select([
      'namespace',
      sql<number>`count(*)`.as('entries'),
      sql<number>`coalesce(sum(size_bytes), 0)`.as('bytes'),
      sql<number>`coalesce(sum(case when expires_at <= ${now} then 1 else 0 end), 0)`.as('expired'),
    ])
    .groupBy('namespace')
    .orderBy('namespace')
    .execute();
  return rows.map((row) => ({ namespace: row.namespace, entries: Number(row.entries), bytes: Number(row.bytes), expired: Number(row.expired) }));
}
