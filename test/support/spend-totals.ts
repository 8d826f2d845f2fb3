import type { Kysely } from 'kysely';
import type { DatabaseSchema } from '../../src/store/database-schema.js';

/** One key's rows of the `spend` table, summed (zeros when it has none). */
export interface SpendTotals {
  cost: number;
  savings: number;
  requests: number;
  hits: number;
  rejections: number;
  input: number;
  output: number;
}

/** What the `spend` table holds for a key, summed over its models and days. */
export async function spendTotals(db: Kysely<DatabaseSchema>, keyId: string): Promise<SpendTotals> {
  const row = await db
    .selectFrom('spend')
    .select((builder) => [
      builder.fn.sum<number>('cost_usd').as('cost'),
      builder.fn.sum<number>('savings_usd').as('savings'),
      builder.fn.sum<number>('requests').as('requests'),
      builder.fn.sum<number>('cache_hits').as('hits'),
      builder.fn.sum<number>('rejections').as('rejections'),
      builder.fn.sum<number>('input_tokens').as('input'),
      builder.fn.sum<number>('output_tokens').as('output'),
    ])
    .where('key_id', '=', keyId)
    .executeTakeFirstOrThrow();
  return {
    cost: Number(row.cost ?? 0),
    savings: Number(row.savings ?? 0),
    requests: Number(row.requests ?? 0),
    hits: Number(row.hits ?? 0),
    rejections: Number(row.rejections ?? 0),
    input: Number(row.input ?? 0),
    output: Number(row.output ?? 0),
  };
}
