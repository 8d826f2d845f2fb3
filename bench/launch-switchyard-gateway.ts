// A child process running the Switchyard gateway for the benchmarks.
// argv[2] is JSON: { switchyard: SwitchyardOptions }. Listens on 127.0.0.1:0,
// reports its URL over IPC; `stop` closes it gracefully and exits, so a
// `--cpu-prof` run writes its profile.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { SwitchyardOptions } from '../src/client/types.js';
import { startGateway } from '../src/gateway/start-gateway.js';
import { launcherOptions, sendToParent, serveParent } from './child-ipc.js';

const options = launcherOptions<{ switchyard?: SwitchyardOptions }>();
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
