import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { SwitchyardOptions } from '../src/client/types.js';
import { startGateway, type RunningGateway } from '../src/gateway/start-gateway.js';

/** A gateway on 127.0.0.1:0 over a fresh SQLite file, isolated from the process environment. */
export interface TestGateway extends RunningGateway {
  /** Closes the gateway and removes its temp directory. */
  stop(): Promise<void>;
}

/** Starts a gateway for one test file: `env: test`, an empty environment, a temp database; `options` win. */
export async function startTestGateway(options: SwitchyardOptions = {}): Promise<TestGateway> {
  const directory = await mkdtemp(join(tmpdir(), 'switchyard-gateway-'));
  const gateway = await startGateway({
    port: 0,
    host: '127.0.0.1',
    switchyard: { env: 'test', environment: {}, databaseUrl: join(directory, 'gateway.db'), observability: { logLevel: 'error' }, ...options },
  });
  return {
    ...gateway,
    async stop() {
      await gateway.close();
      await rm(directory, { recursive: true, force: true });
    },
  };
}

/** Polls `check` until it returns true or `timeoutMs` passes; returns the last result. */
export async function waitFor(check: () => boolean | Promise<boolean>, timeoutMs = 5_000, intervalMs = 20): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check()) return true;
    if (Date.now() > deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}
