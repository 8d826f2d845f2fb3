import type { ExpressionBuilder, Kysely } from 'kysely';
import type { GatewayBatchesTable } from '../store/batch-schema.js';
import type { DatabaseSchema } from '../store/database-schema.js';
import { SwitchyardError } from '../spec/errors.js';
import { newId } from './batch-file-store.js';

/** A gateway batch row. */
export type GatewayBatch = GatewayBatchesTable;

/** Statuses in which a batch still has work to do. */
export const UNFINISHED_STATUSES = ['validating', 'in_progress', 'finalizing', 'cancelling'] as const;

/** What a new batch is made of. */
export interface NewGatewayBatch {
  tenant: string;
  /** The id of the key that creates it (null without one). */
  keyId: string | null;
  inputFileId: string;
  endpoint: string;
  completionWindow: string;
  metadata: Record<string, string> | null;
}

/**
 * The gateway's batches in SQL, per tenant: the batch rows, which input
 * pieces are done, and the results, each custom_id written once (the
 * primary key; a line run twice after a lost worker keeps its first result).
 */
export interface GatewayBatchStore {
  create(batch: NewGatewayBatch): Promise<GatewayBatch>;
  /** The tenant's batch, or `not_found` (another tenant's batch is not found either). */
  get(tenant: string, id: string): Promise<GatewayBatch>;
  /** A batch by id alone, for workers. */
  find(id: string): Promise<GatewayBatch | undefined>;
  /** The tenant's batches, newest first, after the id `after`. */
  list(tenant: string, options: { after?: string; limit: number }): Promise<GatewayBatch[]>;
  /** Ids of every batch with work left, for a worker starting up. */
  unfinished(): Promise<string[]>;
  /** Moves a validated batch to `in_progress` with its line total and input pieces (idempotent). */
  start(id: string, total: number, pieces: number[]): Promise<void>;
  /** Marks a batch `failed` with a reason. */
  fail(id: string, code: string, message: string): Promise<void>;
  /** Writes one result unless the custom_id already has one; true when written. */
  writeResult(batchId: string, customId: string, lineNumber: number, isError: boolean, record: unknown): Promise<boolean>;
  /** Which of `customIds` already have a result. */
  answered(batchId: string, customIds: string[]): Promise<Set<string>>;
  /** Marks an input piece's direct lines written. */
  pieceDone(batchId: string, seq: number): Promise<void>;
  /** Sets the input line of results written by a provider batch's poll (line 0) from the provider batch requests of `jobKey`. */
  numberProviderResults(batchId: string, jobKey: string): Promise<void>;
  /** Pieces not done yet. */
  openPieces(batchId: string): Promise<number[]>;
  /** Results written so far: `completed` (output file) and `failed` (error file). */
  counts(batchId: string): Promise<{ completed: number; failed: number }>;
  /** Asks a batch to stop; the batch as it now is. */
  cancel(tenant: string, id: string): Promise<GatewayBatch>;
  /** Moves the batch from `from` to `to` with the given fields; false when another worker got there first. */
  transition(id: string, from: string, to: string, fields?: Partial<GatewayBatch>): Promise<boolean>;
}

/** Creates the store over the migrated database. */
export function createGatewayBatchStore(db: Kysely<DatabaseSchema>): GatewayBatchStore {
  const notFound = (id: string) => new SwitchyardError({ code: 'not_found', status: 404, param: 'batch_id', message: `No such Batch object: ${id}` });
  const store: GatewayBatchStore = {
    async create(batch) {
      const row: GatewayBatch = {
        id: newId('batch'),
        tenant: batch.tenant,
        key_id: batch.keyId,
        input_file_id: batch.inputFileId,
        endpoint: batch.endpoint,
        completion_window: batch.completionWindow,
        status: 'validating',
        output_file_id: null,
        error_file_id: null,
        metadata: batch.metadata === null ? null : JSON.stringify(batch.metadata),
        errors: null,
        total: 0,
        created_at: Date.now(),
        in_progress_at: null,
        finalizing_at: null,
        completed_at: null,
        failed_at: null,
        cancelling_at: null,
        cancelled_at: null,
      };
      await db.insertInto('gateway_batches').values(row).execute();
      return row;
    },
    async get(tenant, id) {
      const row = await db.selectFrom('gateway_batches').selectAll().where('id', '=', id).where('tenant', '=', tenant).executeTakeFirst();
      if (!row) throw notFound(id);
      return row;
    },
    find: (id) => db.selectFrom('gateway_batches').selectAll().where('id', '=', id).executeTakeFirst(),
    async list(tenant, { after, limit }) {
      let query = db.selectFrom('gateway_batches').selectAll().where('tenant', '=', tenant);
      if (after !== undefined) {
        const anchor = await db.selectFrom('gateway_batches').select(['created_at', 'id']).where('id', '=', after).where('tenant', '=', tenant).executeTakeFirst();
        if (anchor) {
          query = query.where((expression) =>
            expression.or([
              expression('created_at', '<', anchor.created_at),
              expression.and([expression('created_at', '=', anchor.created_at), expression('id', '<', anchor.id)]),
            ]),
          );
        }
      }
      return query.orderBy('created_at', 'desc').orderBy('id', 'desc').limit(limit).execute();
    },
    async unfinished() {
      const rows = await db.selectFrom('gateway_batches').select('id').where('status', 'in', [...UNFINISHED_STATUSES]).execute();
      return rows.map((row) => row.id);
    },
    async start(id, total, pieces) {
      for (let index = 0; index < pieces.length; index += 300) {
        const values = pieces.slice(index, index + 300).map((seq) => ({ batch_id: id, seq, done: 0 }));
        await db.insertInto('gateway_batch_chunks').values(values).onConflict((conflict) => conflict.columns(['batch_id', 'seq']).doNothing()).execute();
      }
      await store.transition(id, 'validating', 'in_progress', { total, in_progress_at: Date.now() });
    },
    async fail(id, code, message) {
      await db
        .updateTable('gateway_batches')
        .set({ status: 'failed', failed_at: Date.now(), errors: JSON.stringify({ object: 'list', data: [{ code, message, param: null, line: null }] }) })
        .where('id', '=', id)
        .execute();
    },
    async writeResult(batchId, customId, lineNumber, isError, record) {
      const text = JSON.stringify(record);
      const result = await db
        .insertInto('gateway_batch_results')
        .values({ batch_id: batchId, custom_id: customId, line_number: lineNumber, is_error: isError ? 1 : 0, record: text, bytes: Buffer.byteLength(text) + 1 })
        .onConflict((conflict) => conflict.columns(['batch_id', 'custom_id']).doNothing())
        .executeTakeFirst();
      return Number(result.numInsertedOrUpdatedRows ?? 0) > 0;
    },
    async answered(batchId, customIds) {
      if (customIds.length === 0) return new Set();
      const rows = await db.selectFrom('gateway_batch_results').select('custom_id').where('batch_id', '=', batchId).where('custom_id', 'in', customIds).execute();
      return new Set(rows.map((row) => row.custom_id));
    },
    async pieceDone(batchId, seq) {
      await db.updateTable('gateway_batch_chunks').set({ done: 1 }).where('batch_id', '=', batchId).where('seq', '=', seq).execute();
    },
    async numberProviderResults(batchId, jobKey) {
      const requestOf = (builder: ExpressionBuilder<DatabaseSchema, 'gateway_batch_results'>) =>
        builder
          .selectFrom('provider_batch_requests')
          .where('provider_batch_requests.job_key', '=', jobKey)
          .whereRef('provider_batch_requests.custom_id', '=', 'gateway_batch_results.custom_id');
      await db
        .updateTable('gateway_batch_results')
        .set((builder) => ({ line_number: requestOf(builder).select('provider_batch_requests.line_number') }))
        .where('batch_id', '=', batchId)
        .where('line_number', '=', 0)
        .where((builder) => builder.exists(requestOf(builder).select('provider_batch_requests.custom_id')))
        .execute();
    },
    async openPieces(batchId) {
      const rows = await db.selectFrom('gateway_batch_chunks').select('seq').where('batch_id', '=', batchId).where('done', '=', 0).orderBy('seq').execute();
      return rows.map((row) => row.seq);
    },
    async counts(batchId) {
      const rows = await db
        .selectFrom('gateway_batch_results')
        .select((expression) => ['is_error', expression.fn.countAll<number>().as('count')])
        .where('batch_id', '=', batchId)
        .groupBy('is_error')
        .execute();
      const of = (isError: number) => Number(rows.find((row) => Number(row.is_error) === isError)?.count ?? 0);
      return { completed: of(0), failed: of(1) };
    },
    async cancel(tenant, id) {
      const batch = await store.get(tenant, id);
      if (batch.status === 'validating' || batch.status === 'in_progress' || batch.status === 'finalizing') {
        await store.transition(id, batch.status, 'cancelling', { cancelling_at: Date.now() });
      }
      return store.get(tenant, id);
    },
    async transition(id, from, to, fields = {}) {
      const result = await db.updateTable('gateway_batches').set({ ...fields, status: to }).where('id', '=', id).where('status', '=', from).executeTakeFirst();
      return Number(result.numUpdatedRows) > 0;
    },
  };
  return store;
}
