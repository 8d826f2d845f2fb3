import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

// The process guard (installed by `switchyard serve`): an uncaught exception or an unhandled rejection
// is logged and counted, and the process keeps running. Run in a child process on the compiled guard.
const GUARD = fileURLToPath(new URL('../dist/gateway/process-guard.js', import.meta.url));

describe('the process guard', () => {
  it('logs and counts an uncaught exception and an unhandled rejection, and the process goes on', async () => {
    const script = `
      const { installProcessGuard } = await import(${JSON.stringify(GUARD)});
      const lines = [];
      const logger = { error: (fields, message) => lines.push({ kind: fields.kind, message }) };
      const counted = [];
      const guard = installProcessGuard(logger, (kind) => counted.push(kind));
      setTimeout(() => { throw new Error('a bug in a timer'); }, 10);
      setTimeout(() => { Promise.reject(new Error('a forgotten promise')); }, 20);
      setTimeout(() => {
        console.log(JSON.stringify({ alive: true, caught: guard.caught(), counted, lines }));
        guard.remove();
      }, 100);
    `;
    const child = spawn(process.execPath, ['--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk));
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    expect(code).toBe(0);
    const report = JSON.parse(stdout) as { alive: boolean; caught: number; counted: string[]; lines: Array<{ kind: string; message: string }> };
    expect(report).toMatchObject({ alive: true, caught: 2, counted: ['exception', 'rejection'] });
    expect(report.lines.map((line) => line.kind)).toEqual(['exception', 'rejection']);
    expect(report.lines[0].message).toMatch(/keeps running/);
  });
});
