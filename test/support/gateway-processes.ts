import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BIN, cleanEnvironment } from './cli.js';

/** One `switchyard serve` process, with everything it printed. */
export interface GatewayProcess {
  url: string;
  child: ChildProcess;
  /** stdout and stderr so far (JSON log lines and the CLI's own lines). */
  output(): string;
  /** Sends `signal` and waits for the exit code. */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

/** Starts `switchyard serve --port 0` with a config file and environment; resolves once it listens. */
export async function startGatewayProcess(config: object, env: Record<string, string>): Promise<GatewayProcess> {
  const directory = mkdtempSync(join(tmpdir(), 'switchyard-teams-'));
  const configFile = join(directory, 'config.json');
  writeFileSync(configFile, JSON.stringify(config));
  const child = spawn(process.execPath, [BIN, 'serve', '--port', '0', '--config', configFile], {
    env: cleanEnvironment({ SWITCHYARD_DATABASE_URL: join(directory, 'gateway.db'), ...env }),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const exited = once(child, 'exit').then(([code]) => code as number | null);
  const url = await new Promise<string>((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const match = /listening on (http:\/\/\S+) /.exec(output);
      if (match) resolve(match[1]);
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    void exited.then((code) => reject(new Error(`switchyard serve exited with ${code}: ${output}`)));
  });
  return {
    url,
    child,
    output: () => output,
    async stop(signal = 'SIGTERM') {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return exited;
    },
  };
}

/** A PostgreSQL URL whose connections work in `schema` (tables and migrations land there). */
export function postgresUrlInSchema(url: string, schema: string): string {
  const parsed = new URL(url);
  parsed.searchParams.set('options', `-c search_path=${schema}`);
  return parsed.toString();
}

/** Sends `count` requests at once, spread round-robin over `urls`; `onStatus` hears each status as it comes; resolves with every response (body read). */
export async function burst(
  urls: readonly string[],
  count: number,
  request: (index: number) => { path: string; headers: Record<string, string>; body: unknown },
  onStatus?: (status: number) => void,
): Promise<Array<{ status: number; headers: Headers; body: any; instance: number; at: number }>> {
  return Promise.all(
    Array.from({ length: count }, async (_, index) => {
      const { path, headers, body } = request(index);
      const instance = index % urls.length;
      const response = await fetch(`${urls[instance]}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
      onStatus?.(response.status);
      return { status: response.status, headers: response.headers, body: await response.json(), instance, at: Date.now() };
    }),
  );
}
