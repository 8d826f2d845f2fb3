import type { Command } from 'commander';
import { createBatchService } from '../batch/batch-service.js';
import { createAccessControl } from '../gateway/access-control.js';
import { createBatchLineGate } from '../gateway/batch-line-gate.js';
import { createCliClient } from './cli-client.js';
import { printLine } from './output.js';

interface WorkerOptions {
  concurrency?: string;
  config?: string;
}

/**
 * `switchyard worker`: runs gateway batches from the shared job queue
 * (pg-boss on PostgreSQL) until SIGTERM or SIGINT, which let the running
 * jobs finish. Any number of workers on any machines share the batches; a
 * worker that dies has its jobs retried by the others. On SQLite there is
 * no shared queue: batches run inside `switchyard serve`.
 */
export function registerWorkerCommand(program: Command): void {
  program
    .command('worker')
    .description('run batch jobs of the gateway Batch API from the PostgreSQL job queue (pg-boss)')
    .option('--concurrency <n>', 'requests in flight at once (default: config batch.workerConcurrency, 16)')
    .option('-c, --config <file>', 'config file')
    .action(async (options: WorkerOptions) => {
      const concurrency = options.concurrency === undefined ? undefined : Number(options.concurrency);
      if (concurrency !== undefined && !(Number.isInteger(concurrency) && concurrency >= 1)) {
        throw new Error(`--concurrency must be a positive integer, got "${options.concurrency}"`);
      }
      const ai = createCliClient(options.config);
      // The lines run under their batch owner's key limits and budget, and their spend is recorded, as in the gateway.
      const access = createAccessControl(ai, { observability: ai.observability });
      const service = createBatchService(ai, { gate: createBatchLineGate(access) });
      const closeAll = () =>
        service
          .close()
          .catch(() => undefined)
          .finally(() => access.close())
          .finally(() => ai.close());
      try {
        if (!(await service.isShared())) {
          throw new Error('switchyard worker needs a PostgreSQL database (SWITCHYARD_DATABASE_URL=postgres://...): on SQLite, batches run inside switchyard serve');
        }
        await service.startWorker(concurrency);
      } catch (error) {
        await closeAll();
        throw error;
      }
      printLine(`switchyard worker running (concurrency ${concurrency ?? ai.config.batch.workerConcurrency})`);
      let stopping = false;
      const stop = () => {
        if (stopping) return;
        stopping = true;
        // Running jobs finish, then the spend left in memory is written.
        void closeAll().finally(() => process.exit(0));
      };
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
    });
}
