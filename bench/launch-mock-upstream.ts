// A child process running the fake OpenAI upstream for the benchmarks.
// Options (OpenAIMockServerOptions) come as JSON in argv[2]; the parent asks for
// `stats`, `configure` and `reset` over IPC, and `stop` closes it.
import { startOpenAIMockServer, type OpenAIMockServerOptions } from '../src/mock-upstream/openai-server.js';
import { launcherOptions, sendToParent, serveParent } from './child-ipc.js';

const options = launcherOptions<OpenAIMockServerOptions>();
const server = await startOpenAIMockServer({ ...options, host: '127.0.0.1', port: 0 });

serveParent(
  {
    stats: () => ({ ...server.stats }),
    configure: (message) => {
      server.configure(message.options as OpenAIMockServerOptions);
      return true;
    },
    reset: () => {
      server.reset();
      return true;
    },
  },
  () => server.close(),
);
sendToParent({ type: 'ready', url: server.url });
