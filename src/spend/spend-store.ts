import { sql, type Kysely } from 'kysely';
import type { DatabaseSchema } from '../store/database-schema.js';

/** Totals added to one (day, tenant, key, model) row. */
export interface SpendDelta {
  day: string;
  tenant: string;
  keyId: string;
  model: string;
  requests: number;
  cacheHits: number;
  rejections: number;
  inputTokens: number;
  outputTokens: number;
  costUsd: number;
  savingsUsd: number;
}

type Database = Kysely<DatabaseSchema>;

/**
 * Adds deltas to the `spend` table in one statement (insert, or add to the
 * existing row on conflict), so instances flushing at once never lose each
 * other's figures.
 */
export async function addSpend(db: Database, deltas: readonly SpendDelta[], now = Date.now()): Promise<void> {
  if (deltas.length === 0) return;
  await db
    .insertInto('spend')
    .values(
      deltas.map((delta) => ({
        day: delta.day,
        tenant: delta.tenant,
        key_id: delta.keyId,
        model: delta.model,
        requests: delta.requests,
        cache_hits: delta.cacheHits,
        rejections: delta.rejections,
        input_tokens: delta.inputTokens,
        output_tokens: delta.outputTokens,
        cost_usd: delta.costUsd,
        savings_usd: delta.savingsUsd,
        updated_at: now,
      })),
    )
    .onConflict((conflict) =>
      conflict.columns(['day', 'tenant', 'key_id', 'model']).doUpdateSet({
        requests: sql`spend.requests + excluded.requests`,
        cache_hits: sql`spend.cache_hits + excluded.cache_hits`,
        rejections: sql`spend.rejections + excluded.rejections`,
        input_tokens: sql`spend.input_tokens + excluded.input_tokens`,
        output_tokens: sql`spend.output_tokens + excluded.output_tokens`,
        cost_usd: sql`spend.cost_usd + excluded.cost_usd`,
        savings_usd: sql`spend.savings_usd + excluded.savings_usd`,
        updated_at: sql`excluded.updated_at`,
      }),
    )
    .execute();
}

/** Dollars a key or a tenant spent from `firstDay` on (every day when undefined). */
export async function spentSince(db: Database, subject: { keyId: string } | { tenant: string }, firstDay: string | undefined): Promise<number> {
  let query = db.selectFrom('spend').select((builder) => builder.fn.sum<number | string | null>('cost_usd').as('total'));
  query = 'keyId' in subject ? query.where('key_id', '=', subject.keyId) : query.where('tenant', '=', subject.tenant);
  if (firstDay !== undefined) query = query.where('day', '>=', firstDay);
  const row = await query.executeTakeFirst();
  return Number(row?.total ?? 0);
}

/** How a spend report groups its rows. */
export type SpendGrouping = 'tenant' | 'key' | 'model' | 'day';

/** One line of a spend report. */
export interface SpendLine {
  /** The group's value: a tenant, a key id, a model or a day. */
  group: string;
  requests: number;
  cacheHits: number;
  rejections: number;
  inputTokens: number;
  outputTokens: number;
  costUsd: number;
  savingsUsd: number;
}

const GROUP_COLUMNS = { tenant: 'tenant', key: 'key_id', model: 'model', day: 'day' } as const;

/** Spend summed by tenant, key, model or day, optionally for one tenant; largest cost first (by day: newest first). */
export async function spendReport(db: Database, options: { by: SpendGrouping; tenant?: string }): Promise<SpendLine[]> {
  const column = GROUP_COLUMNS[options.by];
  let query = db
    .selectFrom('spend')
    .select((builder) => [
      sql<string>`${sql.ref(column)}`.as('group'),
      builder.fn.sum<number | string>('requests').as('requests'),
      builder.fn.sum<number | string>('cache_hits').as('cache_hits'),
      builder.fn.sum<number | string>('rejections').as('rejections'),
      builder.fn.sum<number | string>('input_tokens').as('input_tokens'),
      builder.fn.sum<number | string>('output_tokens').as('output_tokens'),
      builder.fn.sum<number | string>('cost_usd').as('cost_usd'),
      builder.fn.sum<number | string>('savings_usd').as('savings_usd'),
    ])
    .groupBy(column);
  if (options.tenant !== undefined) query = query.where('tenant', '=', options.tenant);
  const rows = await query.execute();
  const lines = rows.map((row) => ({
    group: String(row.group),
    requests: Number(row.requests),
    cacheHits: Number(row.cache_hits),
    rejections: Number(row.rejections),
    inputTokens: Number(row.input_tokens),
    outputTokens: Number(row.output_tokens),
    costUsd: Number(row.cost_usd),
    savingsUsd: Number(row.savings_usd),
  }));
  return lines.sort((a, b) => (options.by === 'day' ? b.group.localeCompare(a.group) : b.costUsd - a.costUsd || a.group.localeCompare(b.group)));
}
