import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { pino } from 'pino';
import { createSwitchyard } from '../client/create-switchyard.js';
import type { Switchyard, SwitchyardOptions } from '../client/types.js';
import { loadTokenizer } from '../core/count-tokens.js';
import { createGateway } from './create-gateway.js';
import { installProcessGuard } from './process-guard.js';

/** Options of `startGateway`. */
export interface StartGatewayOptions {
  /** Default `server.port` (PORT / SWITCHYARD_PORT, else 8790); 0 picks a free port. */
  port?: number;
  /** Default `server.host` (SWITCHYARD_HOST, else 127.0.0.1). */
  host?: string;
  /** A config file instead of SWITCHYARD_CONFIG / ./switchyard.config.json. */
  configFile?: string;
  /** Shut down gracefully on SIGTERM and SIGINT (the CLI sets it). Default false. */
  handleSignals?: boolean;
  /** Client options (config fields, environment, drivers). */
  switchyard?: SwitchyardOptions;
  /**
   * Catch uncaught exceptions and unhandled rejections (log and count them in
   * `switchyard_process_errors_total`) instead of exiting. Default: as
   * `handleSignals` (the CLI's gateway owns its process; an embedding host
   * decides for itself).
   */
  guardProcess?: boolean;
}

/** A listening gateway. */
export interface RunningGateway {
  /** e.g. `http://127.0.0.1:8790` */
  url: string;
  port: number;
  app: FastifyInstance;
  ai: Switchyard;
  /**
   * Graceful shutdown: stop accepting connections, let in-flight requests
   * finish within `server.shutdownTimeoutMs` (then cut what is left), then
   * close the client (pools, Redis, database). Idempotent.
   */
  close(): Promise<void>;
}

/** How often a closing gateway drops connections that went idle. */
const IDLE_SWEEP_MS = 25;

function urlHost(host: string): string {
  if (host === '0.0.0.0' || host === '::') return '127.0.0.1';
  return host.includes(':') ? `[${host}]` : host;
}

/** Creates the client and the gateway, and listens. With `handleSignals`, SIGTERM/SIGINT close it gracefully. */
export async function startGateway(options: StartGatewayOptions = {}): Promise<RunningGateway> {
  // A gateway is run to be watched: monitoring defaults to on in every profile (config and environment can still turn it off),
  // and unlike a library it logs at its profile's level (on stderr) unless told otherwise.
  const ai = createSwitchyard({
    ...options.switchyard,
    logDestination: options.switchyard?.logDestination ?? (options.switchyard?.logger ? undefined : pino.destination({ dest: 2, sync: true })),
    configFile: options.configFile ?? options.switchyard?.configFile,
    defaults: { observability: { monitoring: true }, ...options.switchyard?.defaults },
  });
  const app = createGateway(ai);
  // The tokenizer's tables (about 70 MB of RSS) serve the mock and every token estimate (tokens-per-minute limits,
  // count_tokens, an Anthropic stream's message_start): loaded before the first request, since loading them during
  // one would hold every client's requests for about 100 ms.
  await loadTokenizer();
  const host = options.host ?? ai.config.server.host;
  try {
    await app.listen({ port: options.port ?? ai.config.server.port, host });
  } catch (error) {
    await app.close().catch(() => undefined);
    await ai.close();
    throw error;
  }
  // The in-process batch worker starts now, so that batches left unfinished by a previous run resume.
  if (ai.config.batch.inProcessWorker) {
    await app.startBatchWorker().catch((error: unknown) => ai.observability.logger.warn({ err: error }, 'the batch worker could not start; it will retry on the next batch request'));
  }
  const port = (app.server.address() as AddressInfo).port;
  const guard = (options.guardProcess ?? options.handleSignals)
    ? installProcessGuard(app.log as never, (kind) => app.recordProcessError(kind))
    : undefined;
  const url = `http://${urlHost(host)}:${port}`;

  let closing: Promise<void> | undefined;
  const close = (): Promise<void> =>
    (closing ??= (async () => {
      removeSignalHandlers();
      guard?.remove();
      // After the timeout, connections still open (a stalled stream) are cut; their abort signals cancel upstream calls.
      const deadline = setTimeout(() => app.server.closeAllConnections(), ai.config.server.shutdownTimeoutMs);
      deadline.unref();
      // Keep-alive connections whose last request just finished would hold close() until the deadline: close them as they go idle.
      const sweep = setInterval(() => app.server.closeIdleConnections(), IDLE_SWEEP_MS);
      sweep.unref();
      try {
        await app.close();
      } finally {
        clearTimeout(deadline);
        clearInterval(sweep);
        await ai.close();
      }
    })());

  const onSignal = (signal: NodeJS.Signals) => {
    process.stderr.write(`switchyard: ${signal} received, finishing in-flight requests (up to ${ai.config.server.shutdownTimeoutMs} ms)\n`);
    close().then(
      () => {
        process.exitCode = process.exitCode ?? 0;
      },
      (error: unknown) => {
        process.stderr.write(`switchyard: shutdown failed: ${error instanceof Error ? error.message : String(error)}\n`);
        process.exitCode = 1;
      },
    );
  };
  function removeSignalHandlers(): void {
    process.off('SIGTERM', onSignal);
    process.off('SIGINT', onSignal);
  }
  if (options.handleSignals) {
    process.once('SIGTERM', onSignal);
    process.once('SIGINT', onSignal);
    process.stderr.write(`switchyard: gateway listening on ${url} (dashboard at ${url}/)\n`);
  }
  return { url, port, app, ai, close };
}
