import PgBoss from 'pg-boss';
import type { BatchJob, BatchJobQueue } from './batch-job-queue.js';

/** The pg-boss queue holding batch jobs. */
const QUEUE = 'switchyard-batch';

/** Options of {@link createPgBossQueue}. */
export interface PgBossQueueOptions {
  connectionString: string;
  /** The schema pg-boss keeps its tables in. */
  schema: string;
  /** A job running longer is presumed lost with its worker: it expires and is retried. */
  jobTimeoutSeconds: number;
}

/**
 * Batch jobs on pg-boss (PostgreSQL). Chosen over BullMQ on Redis for
 * durability: batches run for hours, the batch state already lives in
 * PostgreSQL, and many Redis deployments keep nothing on disk, so a Redis
 * restart would lose every queued job. A job of a killed worker expires
 * after `jobTimeoutSeconds` and is retried by another (up to 5 times);
 * results are written once per custom_id, so a rerun line is never duplicated.
 */
export async function createPgBossQueue(options: PgBossQueueOptions): Promise<BatchJobQueue> {
  const expireInSeconds = Math.max(1, options.jobTimeoutSeconds);
  const boss = new PgBoss({
    connectionString: options.connectionString,
    schema: options.schema,
    max: 4,
    // Expired jobs are found by maintenance: run it often enough that a lost job waits little longer than its timeout.
    maintenanceIntervalSeconds: Math.max(1, Math.min(60, Math.ceil(expireInSeconds / 2))),
  });
  boss.on('error', () => {}); // connection trouble is retried by pg-boss; jobs are not lost
  await boss.start();
  await boss.createQueue(QUEUE).catch(() => undefined); // another worker may create it at the same moment
  return {
    async send(job, sendOptions = {}) {
      await boss.send(QUEUE, job, {
        retryLimit: 5,
        retryDelay: 1,
        expireInSeconds,
        ...(sendOptions.delaySeconds ? { startAfter: Math.ceil(sendOptions.delaySeconds) } : {}),
      });
    },
    async work(handler, slots) {
      for (let slot = 0; slot < slots; slot += 1) {
        await boss.work<BatchJob>(QUEUE, { batchSize: 1, pollingIntervalSeconds: 0.5 }, async ([job]) => {
          await handler(job.data);
        });
      }
    },
    async stop() {
      await boss.stop({ graceful: true, wait: true, timeout: 10_000 });
    },
  };
}
