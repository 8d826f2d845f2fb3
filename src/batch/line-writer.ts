import { once } from 'node:events';
import { createWriteStream } from 'node:fs';

/** Appends JSON records to a file, one whole line per write, honouring backpressure. */
export interface JsonLineWriter {
  /** Writes `record` as one line; resolves once the stream can take more (writers wait for `drain` while its buffer is full). */
  write(record: unknown): Promise<void>;
  /** Writes raw text (a newline owed by an earlier run). */
  writeRaw(text: string): Promise<void>;
  /** Flushes and closes the file. */
  close(): Promise<void>;
}

/**
 * Opens `path` for appending (creating it). Each record is serialised first
 * and handed to the stream as one chunk ending in a newline, so a record is
 * never interleaved with another; a crash can at worst cut the last line
 * short, which `scanBatchOutput` drops on the next run. Rejects when the file
 * cannot be opened.
 */
export async function openJsonLineWriter(path: string): Promise<JsonLineWriter> {
  const stream = createWriteStream(path, { flags: 'a' });
  let failure: Error | undefined;
  stream.on('error', (error) => {
    failure ??= error;
  });
  await once(stream, 'open');
  // One shared wait for 'drain': while the buffer is full every writer waits on it before writing.
  let draining: Promise<void> | undefined;

  async function writeRaw(text: string): Promise<void> {
    while (draining) await draining;
    if (failure) throw failure;
    if (!stream.write(text)) {
      draining = once(stream, 'drain').then(
        () => {
          draining = undefined;
        },
        (error: unknown) => {
          draining = undefined;
          throw error;
        },
      );
      await draining;
    }
  }

  return {
    write: (record) => writeRaw(`${JSON.stringify(record)}\n`),
    writeRaw,
    close() {
      if (stream.closed) return Promise.resolve();
      return new Promise((resolve, reject) => {
        stream.end((error?: Error | null) => ((error ?? failure) ? reject(error ?? failure) : resolve()));
      });
    },
  };
}
