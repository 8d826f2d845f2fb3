import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { countNonBlankLines } from './count-lines.js';
import { openJsonLineWriter } from './line-writer.js';
import { scanBatchOutput } from './output-scan.js';

let directory: string;
beforeAll(async () => {
  directory = await mkdtemp(join(tmpdir(), 'switchyard-batch-scan-'));
});
afterAll(async () => {
  await rm(directory, { recursive: true, force: true });
});

const record = (customId: string | null, line?: number) =>
  JSON.stringify({ id: `batch_req_${customId}`, custom_id: customId, response: null, error: line === undefined ? null : { code: 'invalid_request', message: 'bad', line } });

describe('scanBatchOutput', () => {
  it('is empty for a missing file', async () => {
    const scan = await scanBatchOutput(join(directory, 'missing.jsonl'));
    expect(scan).toMatchObject({ records: 0, droppedBytes: 0, needsNewline: false });
    expect(scan.customIds.size).toBe(0);
  });

  it('collects custom_ids and input-error lines, and cuts off a partial trailing line', async () => {
    const path = join(directory, 'partial.jsonl');
    const complete = `${record('a')}\n${record(null, 4)}\n${record('b', 5)}\n`;
    const partial = record('c').slice(0, 30);
    await writeFile(path, complete + partial);
    const scan = await scanBatchOutput(path);
    expect([...scan.customIds]).toEqual(['a', 'b']);
    expect([...scan.errorLines]).toEqual([4, 5]);
    expect(scan).toMatchObject({ records: 3, droppedBytes: Buffer.byteLength(partial), needsNewline: false });
    expect(await readFile(path, 'utf8')).toBe(complete);
  });

  it('keeps a complete last record without its newline and owes the newline', async () => {
    const path = join(directory, 'no-newline.jsonl');
    await writeFile(path, `${record('a')}\n${record('é')}`);
    const scan = await scanBatchOutput(path);
    expect([...scan.customIds]).toEqual(['a', 'é']);
    expect(scan.needsNewline).toBe(true);
  });
});

describe('openJsonLineWriter', () => {
  it('appends whole lines from concurrent writers, each one parseable', async () => {
    const path = join(directory, 'written.jsonl');
    await writeFile(path, `${record('old')}\n`);
    const writer = await openJsonLineWriter(path);
    const big = 'x'.repeat(40_000);
    await Promise.all(Array.from({ length: 50 }, (_, index) => writer.write({ index, big })));
    await writer.close();
    const lines = (await readFile(path, 'utf8')).split('\n');
    expect(lines.pop()).toBe('');
    expect(lines).toHaveLength(51);
    expect(lines.slice(1).map((text) => (JSON.parse(text) as { index: number }).index)).toEqual(Array.from({ length: 50 }, (_, index) => index));
  });

  it('rejects when the file cannot be opened', async () => {
    await expect(openJsonLineWriter(join(directory, 'no-such-dir', 'out.jsonl'))).rejects.toMatchObject({ code: 'ENOENT' });
  });
});

describe('countNonBlankLines', () => {
  it('counts lines with content, with or without a final newline', async () => {
    const path = join(directory, 'count.jsonl');
    await writeFile(path, 'a\n\n  \r\nb\nc');
    expect(await countNonBlankLines(path)).toBe(3);
    await writeFile(path, 'a\nb\n');
    expect(await countNonBlankLines(path)).toBe(2);
  });
});
