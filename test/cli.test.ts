import type { ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cleanEnvironment, runCli, startCli } from './support/cli.js';

const workdir = mkdtempSync(join(tmpdir(), 'switchyard-cli-'));

describe('switchyard chat with the mock provider', () => {
  it('prints the reply as its own line', async () => {
    const result = await runCli(['chat', 'hello there', '--model', 'mock/echo'], cleanEnvironment(), workdir);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toBe('hello there\n');
  });

  it('streams the reply with --stream', async () => {
    const result = await runCli(['chat', 'hello there, streamed', '--model', 'mock/echo', '--stream'], cleanEnvironment(), workdir);
    expect(result.code).toBe(0);
    expect(result.stdout).toBe('hello there, streamed\n');
  });

  it('--stream writes the reply piece by piece as it arrives', async () => {
    const { writeFileSync } = await import('node:fs');
    const configFile = join(workdir, 'slow-stream.json');
    writeFileSync(configFile, JSON.stringify({ mock: { streamChunkSize: 3, streamDelayMs: 40 } }));
    const { spawn } = await import('node:child_process');
    const { BIN } = await import('./support/cli.js');
    const child = spawn(process.execPath, [BIN, 'chat', 'one two three four', '--model', 'mock/echo', '--stream', '--config', configFile], { env: cleanEnvironment(), cwd: workdir });
    const pieces: string[] = [];
    child.stdout.on('data', (chunk: Buffer) => pieces.push(chunk.toString()));
    const code = await new Promise((resolve) => child.on('close', resolve));
    expect(code).toBe(0);
    expect(pieces.join('')).toBe('one two three four\n');
    // Each 3-character delta was written as it came (40 ms apart), not once at the end.
    expect(pieces.length).toBeGreaterThan(3);
  });

  it('prints exactly one JSON document with usage under --json', async () => {
    const result = await runCli(['chat', 'hello there', '--model', 'mock/echo', '--json', '--system', 'be brief'], cleanEnvironment(), workdir);
    expect(result.code).toBe(0);
    const response = JSON.parse(result.stdout);
    expect(response).toMatchObject({ content: 'hello there', provider: 'mock', model: 'mock/echo', finishReason: 'stop', cache: 'bypass' });
    expect(response.usage.outputTokens).toBe(2);
    expect(response.usage.totalTokens).toBe(response.usage.inputTokens + response.usage.outputTokens);
  });

  it('lists the mock models', async () => {
    const result = await runCli(['models', 'list'], cleanEnvironment({ SWITCHYARD_DATABASE_URL: join(workdir, 'models.db') }), workdir);
    expect(result.code).toBe(0);
    expect(result.stdout.split('\n')).toEqual(expect.arrayContaining(['mock/echo', 'mock/lorem']));
  });

  it('stops on invalid configuration with a message naming every bad field', async () => {
    const result = await runCli(
      ['chat', 'hi', '--model', 'mock/echo'],
      cleanEnvironment({ OPENAI_API_KEY: 'x', OPENAI_BASE_URL: 'not a url', OPENAI_TIMEOUT_MS: '-5' }),
      workdir,
    );
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr).toContain('providers.openai.baseURL');
    expect(result.stderr).toContain('providers.openai.timeoutMs');
    expect(result.stderr).not.toMatch(/\n\s+at /);
  });
});

describe('switchyard chat against switchyard mock-upstream', () => {
  let upstream: ChildProcess;
  let baseUrl: string;

  beforeAll(async () => {
    const started = await startCli(['mock-upstream', '--flavor', 'openai', '--port', '0'], cleanEnvironment(), /listening on (http:\/\/\S+)/);
    upstream = started.child;
    baseUrl = started.match[1];
  });
  afterAll(() => {
    upstream?.kill('SIGTERM');
  });

  it('prints the fake OpenAI server reply', async () => {
    const result = await runCli(['chat', 'hi', '--model', 'openai/gpt-4o-mini'], cleanEnvironment({ OPENAI_BASE_URL: baseUrl, OPENAI_API_KEY: 'x' }), workdir);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toBe('hi\n');
  });

  it('names a provider error without a stack trace', async () => {
    const result = await runCli(['chat', 'hi', '--model', 'openai/gpt-4o-mini'], cleanEnvironment({ OPENAI_BASE_URL: 'http://127.0.0.1:1/v1', OPENAI_API_KEY: 'x', OPENAI_RETRIES: '0' }), workdir);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/connection_failed/);
    expect(result.stderr).not.toMatch(/\n\s+at /);
  });
});
