import { randomUUID } from 'node:crypto';
import { open, stat, type FileHandle } from 'node:fs/promises';
import type { Switchyard } from '../client/types.js';
import { fromOpenAIChatRequest } from '../wire/openai-wire-convert.js';
import type { OpenAIChatRequest } from '../wire/openai-wire-schemas.js';
import { SwitchyardError } from '../spec/errors.js';
import { parseBatchLine } from './batch-line.js';
import { readBoundedLines } from './bounded-lines.js';
import { failureRecord, inputErrorRecord, successRecord, type BatchOutputRecord } from './batch-records.js';
import { openJsonLineWriter, type JsonLineWriter } from './line-writer.js';
import { scanBatchOutput } from './output-scan.js';
import type { ProviderBatching } from './provider-batching.js';

/** Requests in flight at once when `concurrency` is not given. */
export const DEFAULT_BATCH_CONCURRENCY = 8;

/** Options of `runBatch`. */
export interface RunBatchOptions {
  /** The client that runs each request (only `chat` is used). */
  ai: Pick<Switchyard, 'chat'>;
  /** Path of the OpenAI Batch input JSONL. */
  input: string;
  /** Path of the output JSONL: appended to, and read first to skip custom_ids already answered. */
  output: string;
  /** Requests in flight at once. Default 8. */
  concurrency?: number;
  /** Replaces (or fills in) every body's `model`. */
  model?: string;
  /** Aborting stops starting requests; those in flight finish and are written, then `runBatch` resolves with `interrupted`. */
  signal?: AbortSignal;
  /** Called after every line that is written, skipped or put in a provider batch. */
  onProgress?: (progress: BatchCounts) => void;
  /** Sends the lines whose provider has a batch API through it (`--provider-batch`); the others run directly. */
  providerBatching?: ProviderBatching;
}

/** What a batch run did. */
export interface BatchCounts {
  /** Requests answered (status 200 records written). */
  succeeded: number;
  /** Error records written: failed requests and input lines that could not run. */
  failed: number;
  /** Lines skipped because OUT already has their record. */
  skipped: number;
  /** Lines in provider batches whose record is not written yet. */
  inProviderBatches: number;
  /** US dollars of the requests answered in this run (provider-batched ones at the batch price; unknown prices count 0). */
  cost: number;
  /** True when the signal stopped the run before the end of the input. */
  interrupted: boolean;
}

/**
 * Runs an OpenAI Batch input file through `ai.chat` and appends one OpenAI
 * Batch output record per line to `output`, as each completes (so the output
 * order is completion order; match on `custom_id`).
 *
 * Both files stream: lines are read only while fewer than `concurrency`
 * requests are in flight, so memory stays bounded whatever the input size.
 * Failures (a provider error, an unknown model, a malformed or duplicate
 * line) become error records and the batch goes on. Bodies run as
 * non-streamed completions (`stream` is ignored), through the client's usual
 * routing, retries and response cache. On a rerun the custom_ids
 * (and input-error lines) already in `output` are skipped, after a partial
 * trailing line left by a crash is cut off.
 *
 * Rejects only on a fatal error: an unreadable input or output, or bad
 * options (`invalid_request`).
 */
export async function runBatch(options: RunBatchOptions): Promise<BatchCounts> {
  const concurrency = options.concurrency ?? DEFAULT_BATCH_CONCURRENCY;
  if (!Number.isInteger(concurrency) || concurrency < 1) {
    throw new SwitchyardError({ code: 'invalid_request', param: 'concurrency', message: `concurrency must be a positive integer, got ${concurrency}` });
  }
  const input = await openInput(options.input);
  if (await isSameFile(input, options.output)) {
    await input.close();
    throw new SwitchyardError({ code: 'invalid_request', param: 'output', message: `the output file ${options.output} is the input file` });
  }
  let writer: JsonLineWriter | undefined;
  const counts: BatchCounts = { succeeded: 0, failed: 0, skipped: 0, inProviderBatches: 0, cost: 0, interrupted: false };
  const batching = options.providerBatching;
  const inFlight = new Set<Promise<void>>();
  let taskError: unknown;
  try {
    const done = await scanBatchOutput(options.output).catch((error: unknown) => {
      throw fatal(`cannot read output file ${options.output}`, error);
    });
    writer = await openJsonLineWriter(options.output).catch((error: unknown) => {
      throw fatal(`cannot write output file ${options.output}`, error);
    });
    if (done.needsNewline) await writer.writeRaw('\n');
    const out = writer;
    const seen = new Map<string, number>();
    const progress = () => options.onProgress?.({ ...counts });
    const writeFailure = async (customId: string | null, lineNumber: number, message: string, param: string | null) => {
      await out.write(inputErrorRecord(customId, lineNumber, message, param));
      counts.failed += 1;
      progress();
    };
    let lineNumber = 0;
    // At most about concurrency × 2 lines wait to be parsed: reading follows the requests' pace.
    const lines = readBoundedLines(input.createReadStream({ encoding: 'utf8' }), concurrency * 2);
    for await (const text of lines) {
      lineNumber += 1;
      if (options.signal?.aborted) {
        counts.interrupted = true;
        break;
      }
      if (text.trim() === '') continue;
      const parsed = parseBatchLine(text, lineNumber, options.model);
      const firstLine = parsed.customId === null ? undefined : seen.get(parsed.customId);
      if (parsed.customId !== null && firstLine === undefined) seen.set(parsed.customId, lineNumber);
      const answered = firstLine === undefined && parsed.customId !== null && done.customIds.has(parsed.customId);
      if (answered || done.errorLines.has(lineNumber)) {
        counts.skipped += 1;
        progress();
        continue;
      }
      if (firstLine !== undefined) {
        await writeFailure(null, lineNumber, `line ${lineNumber}: custom_id "${parsed.customId}" duplicates line ${firstLine}`, 'custom_id');
        continue;
      }
      if (parsed.kind === 'invalid') {
        await writeFailure(parsed.customId, lineNumber, parsed.message, parsed.param);
        continue;
      }
      if (batching !== undefined && (await batching.claim(parsed))) {
        counts.inProviderBatches = batching.pending();
        progress();
        continue;
      }
      while (inFlight.size >= concurrency) await Promise.race(inFlight);
      if (taskError !== undefined) throw taskError;
      if (options.signal?.aborted) {
        counts.interrupted = true;
        break;
      }
      const { customId, body } = parsed;
      const task: Promise<void> = runOne(options.ai, customId, body, out)
        .then((cost) => {
          if (cost === undefined) counts.failed += 1;
          else {
            counts.succeeded += 1;
            counts.cost += cost ?? 0;
          }
          progress();
        })
        // A task that cannot write its record is fatal; kept here (never an unhandled rejection) and thrown by the loop.
        .catch((error: unknown) => {
          taskError ??= error;
        })
        .finally(() => inFlight.delete(task));
      inFlight.add(task);
    }
    await Promise.all(inFlight);
    if (taskError !== undefined) throw taskError;
    if (batching !== undefined && !counts.interrupted) {
      await batching.finish({
        write: (record) => out.write(record),
        answered: done.customIds,
        signal: options.signal,
        onRecord(record, cost) {
          if (record.error === null) counts.succeeded += 1;
          else counts.failed += 1;
          counts.cost += cost ?? 0;
          counts.inProviderBatches = batching.pending();
          progress();
        },
      });
      if (options.signal?.aborted) counts.interrupted = true;
    }
    return counts;
  } finally {
    // On a fatal error, requests already started still finish (their records are kept for a rerun).
    await Promise.allSettled(inFlight);
    await input.close();
    await writer?.close();
  }
}

/** Runs one request and writes its record; resolves its cost when it succeeded (undefined when it failed), rejects only when writing fails. */
async function runOne(ai: Pick<Switchyard, 'chat'>, customId: string, body: OpenAIChatRequest, out: JsonLineWriter): Promise<number | null | undefined> {
  const requestId = randomUUID();
  let record: BatchOutputRecord;
  let cost: number | null | undefined;
  try {
    const response = await ai.chat({ ...fromOpenAIChatRequest(body), model: body.model, requestId });
    record = successRecord(customId, requestId, response);
    cost = response.cost;
  } catch (error) {
    record = failureRecord(customId, requestId, error);
  }
  await out.write(record);
  return cost;
}

/** True when `path` exists and is the file open as `input` (appending to the input would make the batch read its own output). */
async function isSameFile(input: FileHandle, path: string): Promise<boolean> {
  const [inputStats, outputStats] = await Promise.all([input.stat(), stat(path).catch(() => undefined)]);
  return outputStats !== undefined && outputStats.dev === inputStats.dev && outputStats.ino === inputStats.ino;
}

async function openInput(path: string): Promise<FileHandle> {
  const handle = await open(path, 'r').catch((error: unknown) => {
    throw fatal(`cannot read input file ${path}`, error);
  });
  const stats = await handle.stat();
  if (!stats.isFile()) {
    await handle.close();
    throw new SwitchyardError({ code: 'invalid_request', message: `cannot read input file ${path}: not a file` });
  }
  return handle;
}

const ERRNO_WORDS: Record<string, string> = {
  ENOENT: 'no such file or directory',
  EACCES: 'permission denied',
  EISDIR: 'is a directory',
  ENOTDIR: 'a parent is not a directory',
};

function fatal(message: string, cause: unknown): SwitchyardError {
  const code = (cause as NodeJS.ErrnoException | undefined)?.code;
  const reason = (code && ERRNO_WORDS[code]) ?? (cause instanceof Error ? cause.message : String(cause));
  return new SwitchyardError({ code: 'invalid_request', message: `${message}: ${reason}`, cause });
}
