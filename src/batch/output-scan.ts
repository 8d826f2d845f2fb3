import { createReadStream } from 'node:fs';
import { stat, truncate } from 'node:fs/promises';
import { customIdOf } from './batch-line.js';

/** What an existing output file already holds. */
export interface BatchOutputScan {
  /** custom_ids with a record (succeeded or failed): a rerun skips them. */
  customIds: Set<string>;
  /** Input line numbers with an input-error record (some have no custom_id): a rerun skips them too. */
  errorLines: Set<number>;
  /** Complete records read. */
  records: number;
  /** Bytes of a trailing partial line cut off the file (a run that died mid-write). */
  droppedBytes: number;
  /** The last record is complete but lacks its newline: write one before appending. */
  needsNewline: boolean;
}

const NEWLINE = 0x0a;

/**
 * Reads an output file from an earlier run, streaming, and collects what it
 * holds. A trailing line without its newline is a write cut short: when it is
 * not a complete record it is truncated away so that appending starts on a
 * clean line; when it is one, a newline is owed (`needsNewline`). Lines that
 * are not JSON are ignored. A missing file is an empty scan.
 */
export async function scanBatchOutput(path: string): Promise<BatchOutputScan> {
  const scan: BatchOutputScan = { customIds: new Set(), errorLines: new Set(), records: 0, droppedBytes: 0, needsNewline: false };
  const exists = await stat(path).then(
    (stats) => stats.isFile(),
    (error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT') return false;
      throw error;
    },
  );
  if (!exists) return scan;
  let pending: Buffer[] = [];
  let completeBytes = 0;
  for await (const chunk of createReadStream(path) as AsyncIterable<Buffer>) {
    let start = 0;
    for (let index = chunk.indexOf(NEWLINE); index !== -1; index = chunk.indexOf(NEWLINE, start)) {
      pending.push(chunk.subarray(start, index));
      const line = Buffer.concat(pending);
      completeBytes += line.length + 1;
      pending = [];
      note(scan, line.toString('utf8'));
      start = index + 1;
    }
    if (start < chunk.length) pending.push(chunk.subarray(start));
  }
  const tail = Buffer.concat(pending);
  if (tail.length > 0) {
    if (note(scan, tail.toString('utf8'))) scan.needsNewline = true;
    else {
      await truncate(path, completeBytes);
      scan.droppedBytes = tail.length;
    }
  }
  return scan;
}

/** Records one line's custom_id or input-error line; false when the line is not a complete record. */
function note(scan: BatchOutputScan, text: string): boolean {
  if (text.trim() === '') return false;
  let record: unknown;
  try {
    record = JSON.parse(text);
  } catch {
    return false;
  }
  if (typeof record !== 'object' || record === null || !('error' in record) || !('response' in record)) return false;
  scan.records += 1;
  const customId = customIdOf(record);
  if (customId !== null) scan.customIds.add(customId);
  const line = (record as { error?: { line?: unknown } | null }).error?.line;
  if (typeof line === 'number' && Number.isInteger(line)) scan.errorLines.add(line);
  return true;
}
