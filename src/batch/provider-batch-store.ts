import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { DatabaseSchema } from '../store/database-schema.js';
import type { ProviderBatchesTable } from '../store/batch-schema.js';
import type { ProviderBatchState } from '../spec/batch.js';

/** custom_ids written per insert statement (well under SQLite's and PostgreSQL's parameter limits). */
const INSERT_CHUNK = 300;

/** A provider batch row. */
export type ProviderBatchRow = ProviderBatchesTable;

/**
 * The SQL state of provider batches: which were submitted for a job, their
 * provider ids, status and counts, and which custom_ids went to each, so a
 * rerun resumes polling instead of submitting again.
 */
export interface ProviderBatchStore {
  /** Every custom_id of the job already in a provider batch. */
  assignedCustomIds(jobKey: string): Promise<Set<string>>;
  /** Records a batch about to be submitted with its custom_ids (status `submitting`); resolves the row id. */
  reserve(jobKey: string, provider: string, model: string, customIds: string[], lineNumbers?: number[]): Promise<string>;
  /** Records the provider's batch id after a successful submission (status `in_progress`). */
  submitted(rowId: string, providerBatchId: string): Promise<void>;
  /** Records a poll. */
  polled(rowId: string, state: ProviderBatchState): Promise<void>;
  /** Marks a batch whose results are all written. */
  collected(rowId: string): Promise<void>;
  /** Rows of the job not yet collected, oldest first. */
  pending(jobKey: string): Promise<ProviderBatchRow[]>;
  /** The custom_ids of one batch, in pages (never all rows at once). */
  customIdsOf(rowId: string): AsyncGenerator<string>;
  /**
   * Forgets the job's batches that never got a provider id (a run stopped
   * between reserving and submitting), so their lines are grouped again.
   */
  forgetUnsubmitted(jobKey: string): Promise<number>;
}

/** Creates the store over the migrated database. */
export function createProviderBatchStore(db: Kysely<DatabaseSchema>): ProviderBatchStore {
  const touch = () => ({ updated_at: Date.now() });
  return {
    async assignedCustomIds(jobKey) {
      const ids = new Set<string>();
      for await (const customId of pagedCustomIds(db, 'job_key', jobKey)) ids.add(customId);
      return ids;
    },
    async reserve(jobKey, provider, model, customIds, lineNumbers = []) {
      const id = randomUUID();
      const now = Date.now();
      await db.transaction().execute(async (transaction) => {
        await transaction
          .insertInto('provider_batches')
          .values({ id, job_key: jobKey, provider, model, provider_batch_id: null, status: 'submitting', request_count: customIds.length, succeeded: 0, failed: 0, created_at: now, updated_at: now })
          .execute();
        for (let start = 0; start < customIds.length; start += INSERT_CHUNK) {
          const values = customIds
            .slice(start, start + INSERT_CHUNK)
            .map((customId, index) => ({ job_key: jobKey, custom_id: customId, provider_batch: id, line_number: lineNumbers[start + index] ?? 0 }));
          await transaction.insertInto('provider_batch_requests').values(values).execute();
        }
      });
      return id;
    },
    async submitted(rowId, providerBatchId) {
      await db.updateTable('provider_batches').set({ provider_batch_id: providerBatchId, status: 'in_progress', ...touch() }).where('id', '=', rowId).execute();
    },
    async polled(rowId, state) {
      await db
        .updateTable('provider_batches')
        .set({ status: state.status, succeeded: state.counts.succeeded, failed: state.counts.failed, ...touch() })
        .where('id', '=', rowId)
        .execute();
    },
    async collected(rowId) {
      await db.updateTable('provider_batches').set({ status: 'collected', ...touch() }).where('id', '=', rowId).execute();
    },
    pending(jobKey) {
      return db.selectFrom('provider_batches').selectAll().where('job_key', '=', jobKey).where('status', '!=', 'collected').orderBy('created_at').execute();
    },
    customIdsOf: (rowId) => pagedCustomIds(db, 'provider_batch', rowId),
    async forgetUnsubmitted(jobKey) {
      return db.transaction().execute(async (transaction) => {
        const rows = await transaction.selectFrom('provider_batches').select('id').where('job_key', '=', jobKey).where('status', '=', 'submitting').execute();
        if (rows.length === 0) return 0;
        const ids = rows.map((row) => row.id);
        await transaction.deleteFrom('provider_batch_requests').where('provider_batch', 'in', ids).execute();
        await transaction.deleteFrom('provider_batches').where('id', 'in', ids).execute();
        return rows.length;
      });
    },
  };
}

/** The custom_ids of the rows where `column` is `value`, read 5,000 at a time in custom_id order. */
async function* pagedCustomIds(db: Kysely<DatabaseSchema>, column: 'job_key' | 'provider_batch', value: string): AsyncGenerator<string> {
  let after = '';
  for (;;) {
    const rows = await db
      .selectFrom('provider_batch_requests')
      .select('custom_id')
      .where(column, '=', value)
      .where('custom_id', '>', after)
      .orderBy('custom_id')
      .limit(5_000)
      .execute();
    for (const row of rows) yield row.custom_id;
    if (rows.length < 5_000) return;
    after = rows.at(-1)!.custom_id;
  }
}
