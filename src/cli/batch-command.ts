import cliProgress from 'cli-progress';
import type { Command } from 'commander';
import { createHash } from 'node:crypto';
import { resolve } from 'node:path';
import { countNonBlankLines } from '../batch/count-lines.js';
import { createProviderBatchStore } from '../batch/provider-batch-store.js';
import { createProviderBatching, type ProviderBatching } from '../batch/provider-batching.js';
import { DEFAULT_BATCH_CONCURRENCY, runBatch, type BatchCounts } from '../batch/run-batch.js';
import { createCliClient } from './cli-client.js';

interface BatchCommandOptions {
  out: string;
  concurrency: string;
  model?: string;
  config?: string;
  providerBatch?: boolean;
}

/**
 * `switchyard batch IN.jsonl --out OUT.jsonl`: an OpenAI Batch file run through
 * the client with bounded concurrency (see `runBatch`). A progress bar on a
 * terminal, else one summary line, both on stderr. Exit 0 when the run
 * completed (failed requests are records in OUT), 1 on a fatal error, 130
 * after Ctrl-C (requests in flight are finished and written first; a rerun
 * resumes; a second Ctrl-C quits at once).
 */
export function registerBatchCommand(program: Command): void {
  program
    .command('batch')
    .description('run an OpenAI Batch JSONL file (custom_id, body) and append OpenAI Batch results to --out; a rerun skips ids already there')
    .argument('<input>', 'the input JSONL file')
    .requiredOption('-o, --out <file>', 'the output JSONL file (appended to)')
    .option('--concurrency <n>', 'requests in flight at once', String(DEFAULT_BATCH_CONCURRENCY))
    .option('-m, --model <model>', "replaces every body's model (provider/model, a bare model name, or a route)")
    .option('-c, --config <file>', 'config file')
    .option('--provider-batch', "send lines through their provider's batch API where it has one (OpenAI, Anthropic: half price, results within 24 h); a rerun resumes the batches")
    .action(async (input: string, options: BatchCommandOptions) => {
      const concurrency = Number(options.concurrency);
      if (!Number.isInteger(concurrency) || concurrency < 1) throw new Error(`--concurrency must be a positive integer, got "${options.concurrency}"`);
      const ai = createCliClient(options.config);
      const controller = new AbortController();
      const onInterrupt = () => {
        if (controller.signal.aborted) process.exit(130);
        controller.abort();
        process.stderr.write('\nbatch: stopping, finishing the requests in flight (Ctrl-C again to quit now)\n');
      };
      process.on('SIGINT', onInterrupt);
      const bar = process.stderr.isTTY ? await startProgressBar(input) : undefined;
      let providerBatching: ProviderBatching | undefined;
      try {
        if (options.providerBatch) {
          const store = createProviderBatchStore((await ai.services.database()).db);
          providerBatching = createProviderBatching({ ai, store, jobKey: jobKeyOf(input, options.out) });
        }
        const counts = await runBatch({
          ai,
          input,
          output: options.out,
          concurrency,
          model: options.model,
          signal: controller.signal,
          onProgress: bar?.update,
          providerBatching,
        });
        bar?.stop();
        process.stderr.write(`${summaryLine(counts)}\n`);
        if (counts.interrupted) process.exitCode = 130;
      } finally {
        bar?.stop();
        process.off('SIGINT', onInterrupt);
        await providerBatching?.close();
        await ai.close();
      }
    });
}

/**
 * `batch: N done, N failed, N skipped`, then `, N in provider batches` while
 * some wait, `, cost $X` when it is not zero, and `(interrupted)` after Ctrl-C.
 */
export function summaryLine(counts: BatchCounts): string {
  const waiting = counts.inProviderBatches > 0 ? `, ${counts.inProviderBatches} in provider batches` : '';
  const cost = counts.cost > 0 ? `, cost $${counts.cost.toFixed(6)}` : '';
  return `batch: ${counts.succeeded} done, ${counts.failed} failed, ${counts.skipped} skipped${waiting}${cost}${counts.interrupted ? ' (interrupted)' : ''}`;
}

/** The SQL key of a `--provider-batch` run: the same input and output files resume the same provider batches. */
function jobKeyOf(input: string, output: string): string {
  return `cli:${createHash('sha256').update(`${resolve(input)}\n${resolve(output)}`).digest('hex')}`;
}

/** A cli-progress bar on stderr over the input's non-blank lines; undefined when the input cannot be read (runBatch reports that). */
async function startProgressBar(input: string): Promise<{ update(counts: BatchCounts): void; stop(): void } | undefined> {
  const total = await countNonBlankLines(input).catch(() => undefined);
  if (total === undefined) return undefined;
  const bar = new cliProgress.SingleBar(
    { stream: process.stderr, format: 'batch [{bar}] {value}/{total} | {failed} failed | {skipped} skipped | {batched} in provider batches | {duration_formatted}', hideCursor: true },
    cliProgress.Presets.shades_classic,
  );
  bar.start(total, 0, { failed: 0, skipped: 0, batched: 0 });
  let stopped = false;
  return {
    update: (counts) =>
      bar.update(counts.succeeded + counts.failed + counts.skipped, { failed: counts.failed, skipped: counts.skipped, batched: counts.inProviderBatches }),
    stop() {
      if (stopped) return;
      stopped = true;
      bar.stop();
    },
  };
}
