import type { Readable } from 'node:stream';
import { createInterface } from 'node:readline';

/**
 * The lines of a text stream, read through node:readline, with at most about
 * `limit` lines waiting to be consumed: past that the stream is paused until
 * the consumer catches up. (readline's own async iterator reads ahead up to
 * 1024 lines, which for large request bodies is a lot of memory.) Lines
 * already in the chunk being split still arrive after a pause, so the bound
 * is `limit` lines plus one chunk (64 KiB by default). Closing the generator
 * early closes the interface and destroys the stream.
 */
export async function* readBoundedLines(input: Readable, limit: number): AsyncGenerator<string> {
  const lines = createInterface({ input, crlfDelay: Infinity });
  const queue: string[] = [];
  let closed = false;
  let paused = false;
  let failure: unknown;
  let wake: (() => void) | undefined;
  const notify = () => {
    wake?.();
    wake = undefined;
  };
  lines.on('line', (line: string) => {
    queue.push(line);
    if (queue.length >= limit && !paused) {
      paused = true;
      lines.pause();
    }
    notify();
  });
  lines.on('close', () => {
    closed = true;
    notify();
  });
  // readline re-emits the input's errors on the interface.
  lines.on('error', (error) => {
    failure ??= error;
    notify();
  });
  try {
    for (;;) {
      if (failure !== undefined) throw failure;
      const line = queue.shift();
      if (line !== undefined) {
        if (paused && !closed && queue.length < limit / 2) {
          paused = false;
          lines.resume();
        }
        yield line;
        continue;
      }
      if (closed) return;
      await new Promise<void>((resolve) => (wake = resolve));
    }
  } finally {
    lines.close();
    input.destroy();
  }
}
