import { createReadStream } from 'node:fs';

const NEWLINE = 0x0a;
const BLANKS = new Set([0x20, 0x09, 0x0d]);

/**
 * Counts the non-blank lines of a file, streaming (no line is held in
 * memory): the total of a batch's progress bar.
 */
export async function countNonBlankLines(path: string): Promise<number> {
  let count = 0;
  let lineHasContent = false;
  for await (const chunk of createReadStream(path) as AsyncIterable<Buffer>) {
    for (const byte of chunk) {
      if (byte === NEWLINE) {
        if (lineHasContent) count += 1;
        lineHasContent = false;
      } else if (!BLANKS.has(byte)) lineHasContent = true;
    }
  }
  return lineHasContent ? count + 1 : count;
}
