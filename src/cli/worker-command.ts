import type { Command } from 'commander';
import { createBatchService } from '../batch/batch-service.js';
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
      const service = createBatchService(ai);
      try {
        if (!(await service.isShared())) {
          throw new Error('switchyard worker needs a PostgreSQL database (SWITCHYARD_DATABASE_URL=postgres://...): on SQLite, batches run inside switchyard serve');
        }
        await service.startWorker(concurrency);
      } catch (error) {
        await service.close().catch(() => undefined);
        await ai.close();
        throw error;
      }
      printLine(`switchyard worker running (concurrency ${concurrency ?? ai.config.batch.workerConcurrency})`);
      let stopping = false;
      const stop = () => {
        if (stopping) return;
        stopping = true;
        void service
          .close()
          .finally(() => ai.close())
          .finally(() => process.exit(0));
      };
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
    });
}
