import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIN, cleanEnvironment, runCli, type CliResult } from './support/cli.js';

/*
 * `switchyard batch` through the built binary (run `npx tsc -p tsconfig.build.json` first).
 */
let workdir: string;
beforeAll(async () => {
  workdir = await mkdtemp(join(tmpdir(), 'switchyard-batch-cli-'));
});
afterAll(async () => {
  await rm(workdir, { recursive: true, force: true });
});

/** Input lines without a model in the body: `--model` fills it in. */
async function writeInput(name: string, count: number): Promise<string[]> {
  const ids = Array.from({ length: count }, (_, index) => `${name}-${index}`);
  const lines = ids.map((id) => JSON.stringify({ custom_id: id, method: 'POST', url: '/v1/chat/completions', body: { messages: [{ role: 'user', content: `say ${id}` }] } }));
  await writeFile(join(workdir, `${name}.jsonl`), `${lines.join('\n')}\n`);
  return ids;
}

/** The fields of an output record these tests read. */
interface OutputRecord {
  custom_id: string;
  response: { status_code: number; body: { choices: Array<{ message: { content: string } }> } } | null;
  error: { code: string; param?: string } | null;
}

async function readRecords(name: string): Promise<OutputRecord[]> {
  const text = await readFile(join(workdir, name), 'utf8');
  expect(text.endsWith('\n')).toBe(true);
  return text
    .slice(0, -1)
    .split('\n')
    .map((line) => JSON.parse(line) as OutputRecord);
}

describe('switchyard batch', () => {
  it('runs a batch end to end with a summary line on stderr, and a rerun skips every id', async () => {
    const ids = await writeInput('simple', 20);
    const args = ['batch', 'simple.jsonl', '--out', 'simple-out.jsonl', '--concurrency', '4', '--model', 'mock/echo'];
    const result = await runCli(args, cleanEnvironment(), workdir);
    expect(result).toEqual({ code: 0, stdout: '', stderr: 'batch: 20 done, 0 failed, 0 skipped\n' });
    const records = await readRecords('simple-out.jsonl');
    expect(records.map((record) => record.custom_id).sort()).toEqual([...ids].sort());
    for (const record of records) {
      expect(record.response?.status_code).toBe(200);
      expect(record.response?.body.choices[0].message.content).toBe(`say ${record.custom_id}`);
    }

    const rerun = await runCli(args, cleanEnvironment(), workdir);
    expect(rerun).toEqual({ code: 0, stdout: '', stderr: 'batch: 0 done, 0 failed, 20 skipped\n' });
    expect(await readRecords('simple-out.jsonl')).toHaveLength(20);
  });

  it('exits 0 when requests fail: each failure is a record in OUT', async () => {
    await writeInput('failing', 3);
    const result = await runCli(['batch', 'failing.jsonl', '--out', 'failing-out.jsonl', '--model', 'nope/nothing'], cleanEnvironment(), workdir);
    expect(result).toEqual({ code: 0, stdout: '', stderr: 'batch: 0 done, 3 failed, 0 skipped\n' });
    const records = await readRecords('failing-out.jsonl');
    expect(records.map((record) => [record.response?.status_code, record.error?.code])).toEqual([
      [404, 'model_not_found'],
      [404, 'model_not_found'],
      [404, 'model_not_found'],
    ]);
  });

  it('exits 1 with a clear message on bad flags or an unreadable input', async () => {
    await writeInput('flags', 1);
    const expectFatal = (result: CliResult, message: string | RegExp) => {
      expect(result.code).toBe(1);
      expect(result.stdout).toBe('');
      expect(result.stderr).toMatch(message);
      expect(result.stderr).not.toMatch(/\n\s+at /);
    };
    expectFatal(await runCli(['batch', 'flags.jsonl', '--out', 'o.jsonl', '--concurrency', 'lots'], cleanEnvironment(), workdir), '--concurrency must be a positive integer, got "lots"');
    expectFatal(await runCli(['batch', 'flags.jsonl'], cleanEnvironment(), workdir), /required option '-o, --out <file>'/);
    expectFatal(
      await runCli(['batch', 'absent.jsonl', '--out', 'o.jsonl'], cleanEnvironment(), workdir),
      'switchyard: cannot read input file absent.jsonl: no such file or directory [invalid_request]\n',
    );
    await expect(readFile(join(workdir, 'o.jsonl'))).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('on SIGINT finishes the requests in flight, exits 130, and a rerun resumes', async () => {
    const ids = await writeInput('slow', 30);
    await writeFile(join(workdir, 'slow-config.json'), JSON.stringify({ mock: { latencyMs: 100 } }));
    const args = ['batch', 'slow.jsonl', '--out', 'slow-out.jsonl', '--concurrency', '2', '--model', 'mock/echo', '--config', 'slow-config.json'];
    const child = spawn(process.execPath, [BIN, ...args], { env: cleanEnvironment(), cwd: workdir, stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk));
    const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
    // Wait until a few records are written (or the child has died, which the assertions below report), then interrupt.
    const deadline = Date.now() + 15_000;
    while (child.exitCode === null && Date.now() < deadline) {
      const written = await readFile(join(workdir, 'slow-out.jsonl'), 'utf8').catch(() => '');
      if (written.split('\n').length > 4) break;
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    child.kill('SIGINT');
    expect(await exited).toBe(130);
    const summary = stderr.trim().split('\n').at(-1)!;
    const match = summary.match(/^batch: (\d+) done, 0 failed, 0 skipped \(interrupted\)$/);
    expect(match).not.toBeNull();
    const done = Number(match![1]);
    expect(done).toBeLessThan(30);
    expect(await readRecords('slow-out.jsonl')).toHaveLength(done);

    const rerun = await runCli(args, cleanEnvironment(), workdir);
    expect(rerun).toEqual({ code: 0, stdout: '', stderr: `batch: ${30 - done} done, 0 failed, ${done} skipped\n` });
    expect((await readRecords('slow-out.jsonl')).map((record) => record.custom_id).sort()).toEqual([...ids].sort());
  });
});
