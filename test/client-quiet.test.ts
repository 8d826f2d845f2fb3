import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSwitchyard } from '../src/client/create-switchyard.js';
import { cleanEnvironment, type CliResult } from './support/cli.js';

/*
 * A library is quiet by default: a plain script that creates the client the
 * way a user does (no logger, no level) and makes calls, including a failing
 * one, writes nothing to stdout or stderr. A level in the environment, or a
 * pino logger of the user's, turns the logs on, where the user points them.
 */

const LIBRARY = fileURLToPath(new URL('../dist/index.js', import.meta.url));

const SCRIPT = `
import { createSwitchyard } from ${JSON.stringify(LIBRARY)};
const ai = createSwitchyard();
const messages = [{ role: 'user', content: 'hello quiet world' }];
const answer = await ai.chat({ model: 'mock/echo', messages });
let streamed = '';
for await (const part of ai.stream({ model: 'mock/echo', messages })) if (part.type === 'text-delta') streamed += part.text;
const failed = await ai.chat({ model: 'mock/echo', messages: [{ role: 'user', content: '[mock:500]' }] }).then(() => 'no', (error) => error.code);
await ai.close();
process.exitCode = answer.content === 'hello quiet world' && streamed === 'hello quiet world' && failed === 'upstream_error' ? 0 : 3;
`;

let directory: string;

function runScript(extra: Record<string, string> = {}): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(directory, 'script.mjs')], { cwd: directory, env: cleanEnvironment(extra), stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

beforeAll(async () => {
  directory = await mkdtemp(join(tmpdir(), 'switchyard-quiet-'));
  await writeFile(join(directory, 'script.mjs'), SCRIPT);
});
afterAll(async () => {
  await rm(directory, { recursive: true, force: true });
});

describe('a library is quiet by default', () => {
  it('a plain script (chat, stream and a failing call, no logger, no level) prints nothing', async () => {
    const result = await runScript();
    expect(result).toEqual({ code: 0, stdout: '', stderr: '' });
  });

  it('SWITCHYARD_LOG_LEVEL turns the logs on, on stderr, and stdout stays free', async () => {
    const result = await runScript({ SWITCHYARD_LOG_LEVEL: 'debug' });
    expect(result.code).toBe(0);
    expect(result.stdout).toBe('');
    const records = result.stderr.trim().split('\n').map((line) => JSON.parse(line) as { msg: string });
    expect(records.map((record) => record.msg)).toEqual(expect.arrayContaining(['request finished', 'request failed']));
  });

  it("a user's pino logger receives the client's lines, at its level", async () => {
    const lines: string[] = [];
    const logger = pino({ level: 'info' }, { write: (line: string) => lines.push(line) });
    const ai = createSwitchyard({ environment: {}, configFile: '', logger });
    await ai.chat({ model: 'mock/echo', messages: [{ role: 'user', content: '[mock:500]' }] }).catch(() => undefined);
    await ai.chat({ model: 'mock/echo', messages: [{ role: 'user', content: 'fine' }] });
    await ai.close();
    const messages = lines.map((line) => (JSON.parse(line) as { msg: string }).msg);
    expect(messages).toContain('request failed');
    expect(messages).not.toContain('request finished'); // a debug line, below the logger's level
  });
});
