// A child process running the Switchyard gateway for the benchmarks.
// argv[2] is JSON: { switchyard: SwitchyardOptions, gatewayModule?: path }. Listens
// on 127.0.0.1:0, reports its URL over IPC; `stop` closes it gracefully and
// exits, so a `--cpu-prof` run writes its profile. `gatewayModule` points at the
// compiled start-gateway.js to run (dist/, or a profiling build); without it src/ runs through tsx.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { SwitchyardOptions } from '../src/client/types.js';
import type * as StartGatewayModule from '../src/gateway/start-gateway.js';
import { launcherOptions, sendToParent, serveParent } from './child-ipc.js';

const options = launcherOptions<{ switchyard?: SwitchyardOptions; gatewayModule?: string }>();
const { startGateway } = (await import(
  options.gatewayModule ? pathToFileURL(options.gatewayModule).href : '../src/gateway/start-gateway.js'
)) as typeof StartGatewayModule;
const directory = await mkdtemp(join(tmpdir(), 'switchyard-bench-gateway-'));
const gateway = await startGateway({
  port: 0,
  host: '127.0.0.1',
  switchyard: { environment: {}, configFile: '', databaseUrl: join(directory, 'bench.db'), ...options.switchyard },
});

serveParent({ stats: () => gateway.ai.poolStats() }, async () => {
  await gateway.close();
  await rm(directory, { recursive: true, force: true });
});
sendToParent({ type: 'ready', url: gateway.url });
