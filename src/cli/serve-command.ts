import type { Command } from 'commander';
import { printLine } from './output.js';

interface ServeOptions {
  port?: string;
  host?: string;
  config?: string;
}

/** `switchyard serve`: the OpenAI- and Anthropic-compatible gateway with the dashboard. */
export function registerServeCommand(program: Command): void {
  program
    .command('serve')
    .description('run the HTTP gateway (OpenAI and Anthropic APIs, /metrics, dashboard at /)')
    .option('-p, --port <port>', 'port (default PORT / SWITCHYARD_PORT, else 8790)')
    .option('--host <host>', 'address to bind (default 127.0.0.1)')
    .option('-c, --config <file>', 'config file')
    .action(async (options: ServeOptions) => {
      const port = options.port === undefined ? undefined : Number(options.port);
      if (port !== undefined && !(Number.isInteger(port) && port >= 0 && port < 65_536)) throw new Error(`--port must be a port number, got "${options.port}"`);
      // Loaded here so that other commands do not pay for the server's modules at start-up.
      const { startGateway } = await import('../gateway/start-gateway.js');
      const gateway = await startGateway({ port, host: options.host, configFile: options.config, handleSignals: true });
      printLine(`switchyard gateway listening on ${gateway.url} (dashboard ${gateway.url}/, metrics ${gateway.url}/metrics)`);
    });
}
