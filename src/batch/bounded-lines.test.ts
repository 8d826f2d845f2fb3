import { createReadStream } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readBoundedLines } from './bounded-lines.js';

let directory: string;
let path: string;
const LINE_COUNT = 20_000;
const CHUNK = 64 * 1024;

beforeAll(async () => {
  directory = await mkdtemp(join(tmpdir(), 'switchyard-bounded-lines-'));
  path = join(directory, 'big.txt');
  await writeFile(path, Array.from({ length: LINE_COUNT }, (_, index) => `line ${index} ${'x'.repeat(100)}`).join('\r\n'));
});
afterAll(async () => {
  await rm(directory, { recursive: true, force: true });
});

/** Lets the event loop run, so that a stream that is not paused would go on reading. */
async function idle(turns: number): Promise<void> {
  for (let turn = 0; turn < turns; turn++) await new Promise((resolve) => setImmediate(resolve));
}

describe('readBoundedLines', () => {
  it('yields every line in order, the last one without a newline too', async () => {
    const lines: string[] = [];
    for await (const line of readBoundedLines(createReadStream(path, { encoding: 'utf8' }), 4)) lines.push(line);
    expect(lines).toHaveLength(LINE_COUNT);
    expect(lines[0]).toBe(`line 0 ${'x'.repeat(100)}`);
    expect(lines.at(-1)).toBe(`line ${LINE_COUNT - 1} ${'x'.repeat(100)}`);
  });

  it('stops reading while the consumer is slow, and destroys the stream when left early', async () => {
    const stream = createReadStream(path, { encoding: 'utf8' });
    let consumed = 0;
    for await (const line of readBoundedLines(stream, 4)) {
      expect(line).toContain(`line ${consumed} `);
      consumed += 1;
      if (consumed === 5) {
        await idle(50);
        // Paused after the first chunk (or two) instead of reading ahead through the file.
        expect(stream.bytesRead).toBeLessThanOrEqual(2 * CHUNK);
      }
      if (consumed === 1_500) {
        await idle(50);
        expect(stream.bytesRead).toBeLessThanOrEqual(5 * CHUNK);
        break;
      }
    }
    expect(stream.destroyed).toBe(true);
  });

  it('throws the stream error', async () => {
    const stream = createReadStream(join(directory, 'missing.txt'), { encoding: 'utf8' });
    const consume = async () => {
      for await (const line of readBoundedLines(stream, 4)) expect(line).toBeUndefined();
    };
    await expect(consume()).rejects.toMatchObject({ code: 'ENOENT' });
  });
});
