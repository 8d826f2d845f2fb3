import type { Switchyard } from '../client/types.js';
import { SwitchyardError } from '../spec/errors.js';
import { createBatchFileStore, type BatchFile, type BatchFileStore } from './batch-file-store.js';
import { createInProcessQueue, type BatchJobQueue } from './batch-job-queue.js';
import { BATCH_CHAT_URL } from './batch-line.js';
import type { BatchLineGate, BatchOwner } from './batch-line-gate.js';
import { findDuplicateCustomId } from './duplicate-custom-ids.js';
import { createBatchJobHandler, resumeUnfinished } from './gateway-batch-jobs.js';
import { createGatewayBatchStore, type GatewayBatch, type GatewayBatchStore } from './gateway-batch-store.js';
import { createProviderBatchStore, type ProviderBatchStore } from './provider-batch-store.js';

/** The opened parts of the service. */
interface Opened {
  files: BatchFileStore;
  batches: GatewayBatchStore;
  providerBatches: ProviderBatchStore;
  queue: BatchJobQueue;
  /** True when the queue is pg-boss (PostgreSQL), shared with other workers. */
  shared: boolean;
}

/** What a client asks for in POST /v1/batches. */
export interface BatchCreateRequest {
  inputFileId: string;
  endpoint: string;
  completionWindow: string;
  metadata: Record<string, string> | null;
}

/**
 * The OpenAI Files and Batch APIs behind the gateway, per tenant, and the
 * worker that runs batches. On PostgreSQL, jobs go to pg-boss and any
 * number of `switchyard worker` processes (and gateways) share them; on
 * SQLite they run in this process, and a restart resumes them.
 */
export interface BatchService {
  files(): Promise<BatchFileStore>;
  /** Validates the input file (purpose, unique custom_ids: a 400 names the repeated one and its lines) and queues the batch of `owner` (its key's limits apply to the lines). */
  create(owner: BatchOwner, request: BatchCreateRequest): Promise<GatewayBatch>;
  get(tenant: string, id: string): Promise<GatewayBatch>;
  list(tenant: string, options: { after?: string; limit: number }): Promise<GatewayBatch[]>;
  cancel(tenant: string, id: string): Promise<GatewayBatch>;
  /** Results written so far. */
  counts(batch: GatewayBatch): Promise<{ completed: number; failed: number }>;
  /** Starts taking jobs in this process (`concurrency` requests in flight). */
  startWorker(concurrency?: number): Promise<void>;
  /** Whether jobs are shared through PostgreSQL. */
  isShared(): Promise<boolean>;
  close(): Promise<void>;
}

/** Job slots per worker: pieces run side by side, their lines share the worker's request concurrency. */
const JOB_SLOTS = 4;

/** Options of {@link createBatchService}. */
export interface BatchServiceOptions {
  /** The gateway's key limits for the lines its workers run (absent: unlimited). */
  gate?: BatchLineGate;
}

/** Creates the service over a client; nothing opens until first use. */
export function createBatchService(ai: Switchyard, options: BatchServiceOptions = {}): BatchService {
  let opening: Promise<Opened> | undefined;
  let working = false;
  const settings = ai.config.batch;

  const open = () =>
    (opening ??= (async () => {
      const database = await ai.services.database();
      const queue =
        database.dialect === 'postgres'
          ? await (await import('./pg-boss-queue.js')).createPgBossQueue({ connectionString: ai.config.databaseUrl, schema: settings.queueSchema, jobTimeoutSeconds: settings.jobTimeoutSeconds })
          : createInProcessQueue();
      return {
        files: createBatchFileStore(database.db),
        batches: createGatewayBatchStore(database.db),
        providerBatches: createProviderBatchStore(database.db),
        queue,
        shared: database.dialect === 'postgres',
      };
    })());

  return {
    files: async () => (await open()).files,
    async create(owner, request) {
      const { tenant } = owner;
      const { files, batches, queue } = await open();
      if (request.endpoint !== BATCH_CHAT_URL) {
        throw new SwitchyardError({ code: 'invalid_request', status: 400, param: 'endpoint', message: `endpoint must be ${BATCH_CHAT_URL}, got ${request.endpoint}` });
      }
      let input: BatchFile;
      try {
        input = await files.get(tenant, request.inputFileId);
      } catch {
        throw new SwitchyardError({ code: 'invalid_request', status: 400, param: 'input_file_id', message: `No such File object: ${request.inputFileId}` });
      }
      if (input.kind !== 'upload' || input.purpose !== 'batch') {
        throw new SwitchyardError({ code: 'invalid_request', status: 400, param: 'input_file_id', message: `file ${input.id} was not uploaded with purpose "batch"` });
      }
      const duplicate = await findDuplicateCustomId(files, input.id);
      if (duplicate !== undefined) {
        throw new SwitchyardError({
          code: 'invalid_request',
          status: 400,
          param: 'input_file_id',
          message: `line ${duplicate.line}: custom_id ${JSON.stringify(duplicate.customId)} is a duplicate of line ${duplicate.firstLine}; the custom_id must be unique for each request in a batch`,
        });
      }
      const batch = await batches.create({ tenant, keyId: owner.keyId, ...request });
      await queue.send({ kind: 'start', batchId: batch.id });
      return batch;
    },
    get: async (tenant, id) => (await open()).batches.get(tenant, id),
    list: async (tenant, options) => (await open()).batches.list(tenant, options),
    cancel: async (tenant, id) => (await open()).batches.cancel(tenant, id),
    counts: async (batch) => (await open()).batches.counts(batch.id),
    async startWorker(concurrency = settings.workerConcurrency) {
      if (working) return;
      working = true;
      const { files, batches, providerBatches, queue, shared } = await open();
      const handler = createBatchJobHandler({ ai, files, batches, providerBatches, queue, concurrency, pollSeconds: settings.pollSeconds, gate: options.gate });
      await queue.work(handler, JOB_SLOTS);
      // pg-boss keeps jobs durable; the in-process queue starts empty and is refilled from SQL.
      if (!shared) await resumeUnfinished(batches, providerBatches, queue);
    },
    isShared: async () => (await open()).shared,
    async close() {
      const opened = await opening?.catch(() => undefined);
      await opened?.queue.stop();
      opening = undefined;
    },
  };
}
