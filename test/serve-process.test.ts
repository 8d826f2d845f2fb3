import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cleanEnvironment, startCli } from './support/cli.js';

describe('switchyard serve as a process', () => {
  it('serves mock/echo with no other service, and on SIGTERM finishes the request in flight, then exits', async () => {
    const workdir = mkdtempSync(join(tmpdir(), 'switchyard-serve-'));
    const configFile = join(workdir, 'config.json');
    writeFileSync(configFile, JSON.stringify({ mock: { latencyMs: 400 } }));
    const { child, match } = await startCli(
      ['serve', '--port', '0', '--config', configFile],
      cleanEnvironment({ SWITCHYARD_DATABASE_URL: join(workdir, 'gateway.db') }),
      /listening on (http:\/\/\S+)/,
    );
    const url = match[1];
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    const inFlight = fetch(`${url}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'mock/echo', messages: [{ role: 'user', content: 'finish me' }] }),
    });
    await new Promise((resolve) => setTimeout(resolve, 100));
    child.kill('SIGTERM');
    const response = await inFlight;
    expect(response.status).toBe(200);
    expect(((await response.json()) as { choices: Array<{ message: { content: string } }> }).choices[0].message.content).toBe('finish me');
    expect(await exited).toBe(0);
    await expect(fetch(`${url}/healthz`)).rejects.toThrow();
  });
});
