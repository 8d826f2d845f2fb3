import cliProgress from 'cli-progress';
import type { Command } from 'commander';
import { countNonBlankLines } from '../batch/count-lines.js';
import { DEFAULT_BATCH_CONCURRENCY, runBatch, type BatchCounts } from '../batch/run-batch.js';
import { createCliClient } from './cli-client.js';

interface BatchCommandOptions {
  out: string;
  concurrency: string;
  model?: string;
  config?: string;
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
      try {
        const counts = await runBatch({
          ai,
          input,
          output: options.out,
          concurrency,
          model: options.model,
          signal: controller.signal,
          onProgress: bar?.update,
        });
        bar?.stop();
        process.stderr.write(`${summaryLine(counts)}\n`);
        if (counts.interrupted) process.exitCode = 130;
      } finally {
        bar?.stop();
        process.off('SIGINT', onInterrupt);
        await ai.close();
      }
    });
}

/** `batch: N done, N failed, N skipped`, with `(interrupted)` after Ctrl-C. */
export function summaryLine(counts: BatchCounts): string {
  return `batch: ${counts.succeeded} done, ${counts.failed} failed, ${counts.skipped} skipped${counts.interrupted ? ' (interrupted)' : ''}`;
}

/** A cli-progress bar on stderr over the input's non-blank lines; undefined when the input cannot be read (runBatch reports that). */
async function startProgressBar(input: string): Promise<{ update(counts: BatchCounts): void; stop(): void } | undefined> {
  const total = await countNonBlankLines(input).catch(() => undefined);
  if (total === undefined) return undefined;
  const bar = new cliProgress.SingleBar(
    { stream: process.stderr, format: 'batch [{bar}] {value}/{total} | {failed} failed | {skipped} skipped | {duration_formatted}', hideCursor: true },
    cliProgress.Presets.shades_classic,
  );
  bar.start(total, 0, { failed: 0, skipped: 0 });
  let stopped = false;
  return {
    update: (counts) => bar.update(counts.succeeded + counts.failed + counts.skipped, { failed: counts.failed, skipped: counts.skipped }),
    stop() {
      if (stopped) return;
      stopped = true;
      bar.stop();
    },
  };
}
