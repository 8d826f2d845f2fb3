const NEWLINE = 0x0a;

/**
 * The non-blank lines of a byte stream (a JSONL download), split on `\n`
 * (a trailing `\r` dropped) and decoded as UTF-8 only once whole, so a
 * character cut between chunks survives. Holds one chunk and one partial
 * line at a time; a line longer than `maxLineBytes` throws.
 */
export async function* readJsonLines(body: AsyncIterable<Buffer | string>, maxLineBytes = 64 * 1024 * 1024): AsyncGenerator<string> {
  let pending: Buffer[] = [];
  let pendingBytes = 0;
  const take = (last: Buffer): string | undefined => {
    const whole = pending.length === 0 ? last : Buffer.concat([...pending, last]);
    pending = [];
    pendingBytes = 0;
    const text = whole.toString('utf8').replace(/\r$/, '');
    return text.trim() === '' ? undefined : text;
  };
  for await (const piece of body) {
    const chunk = typeof piece === 'string' ? Buffer.from(piece) : piece;
    let start = 0;
    for (let index = chunk.indexOf(NEWLINE); index !== -1; index = chunk.indexOf(NEWLINE, start)) {
      const line = take(chunk.subarray(start, index));
      if (line !== undefined) yield line;
      start = index + 1;
    }
    if (start < chunk.length) {
      pending.push(chunk.subarray(start));
      pendingBytes += chunk.length - start;
      if (pendingBytes > maxLineBytes) throw new RangeError(`a line is longer than ${maxLineBytes} bytes`);
    }
  }
  if (pendingBytes > 0) {
    const line = take(Buffer.alloc(0));
    if (line !== undefined) yield line;
  }
}
