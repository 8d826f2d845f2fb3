import type { SwitchyardOptions } from '../src/client/types.js';
import type { OpenAIMockServerOptions } from '../src/mock-upstream/openai-server.js';
import type { MockServerStats } from '../src/mock-upstream/mock-http.js';
import { BUILT_GATEWAY_MODULE, ensureBuilt } from './built-package.js';
import { benchFile, freePort, spawnChild, waitForPort, type RunningChild } from './child-process.js';

/*
 * The servers the suites measure, each in its own child process: the fake
 * OpenAI upstream, the Switchyard gateway and the Portkey gateway.
 */

const READY_TIMEOUT_MS = 30_000;

/** The fake OpenAI upstream in a child process. */
export interface UpstreamChild {
  /** Base URL ending in `/v1`. */
  url: string;
  stats(): Promise<MockServerStats>;
  configure(options: Omit<OpenAIMockServerOptions, 'port' | 'host'>): Promise<void>;
  reset(): Promise<void>;
  stop(): Promise<void>;
}

/** A gateway in a child process. */
export interface GatewayChild {
  name: string;
  /** Base URL without `/v1`. */
  url: string;
  /** Extra request headers the gateway needs (Portkey's provider routing). */
  headers: Record<string, string>;
  child: RunningChild;
  stop(): Promise<void>;
}

/** Starts the fake OpenAI upstream (`startOpenAIMockServer`) in a child process. */
export async function startUpstreamChild(options: Omit<OpenAIMockServerOptions, 'port' | 'host'> = {}): Promise<UpstreamChild> {
  const child = spawnChild({
    name: 'fake upstream',
    args: ['--import', 'tsx', benchFile('./launch-mock-upstream.ts'), JSON.stringify(options)],
    ipc: true,
  });
  const { url } = await child.waitForMessage<{ url: string }>('ready', READY_TIMEOUT_MS);
  return {
    url,
    stats: async () => (await child.request<{ value: MockServerStats }>({ type: 'stats' })).value,
    configure: async (settings) => {
      await child.request({ type: 'configure', options: settings });
    },
    reset: async () => {
      await child.request({ type: 'reset' });
    },
    stop: () => child.stop(),
  };
}

/** Options of `startSwitchyardGatewayChild`. */
export interface SwitchyardGatewayChildOptions {
  name: string;
  switchyard: SwitchyardOptions;
  /** Extra `node` flags, e.g. `--cpu-prof`. */
  nodeFlags?: string[];
  /** The start-gateway.js to run. Default: the build in dist/ (see built-package.ts); profiling runs pass their own (profile-build.ts). */
  gatewayModule?: string;
}

/** Starts the Switchyard gateway (`startGateway`) in a child process. */
export async function startSwitchyardGatewayChild(options: SwitchyardGatewayChildOptions): Promise<GatewayChild> {
  if (options.gatewayModule === undefined) await ensureBuilt();
  const gatewayModule = options.gatewayModule ?? BUILT_GATEWAY_MODULE;
  const child = spawnChild({
    name: options.name,
    args: [...(options.nodeFlags ?? []), '--import', 'tsx', benchFile('./launch-switchyard-gateway.ts'), JSON.stringify({ switchyard: options.switchyard, gatewayModule })],
    ipc: true,
  });
  const { url } = await child.waitForMessage<{ url: string }>('ready', READY_TIMEOUT_MS);
  return { name: options.name, url, headers: {}, child, stop: () => child.stop() };
}

/** The Switchyard options the benchmarks use: one OpenAI provider at the fake upstream, production profile, quiet logs. */
export function switchyardOptionsFor(
  upstreamUrl: string,
  options: { cache: boolean; monitoring?: boolean; maxConnections?: number },
): SwitchyardOptions {
  const pool = options.maxConnections !== undefined ? { maxConnections: options.maxConnections } : {};
  return {
    env: 'production',
    environment: {},
    configFile: '',
    providers: { openai: { type: 'openai', baseURL: upstreamUrl, apiKey: 'sk-bench', ...pool } },
    cache: { responses: options.cache },
    observability: { logLevel: 'error', monitoring: options.monitoring ?? true },
  };
}

/**
 * Starts the Portkey AI gateway (`@portkey-ai/gateway`, its own
 * start-server.js, headless, NODE_ENV=production) in a child process, held to
 * 127.0.0.1. Requests reach the fake upstream through the headers returned.
 * `streamWorkaround` preloads portkey-stream-workaround.ts (streaming fails without it).
 */
export async function startPortkeyChild(upstreamUrl: string, options: { streamWorkaround?: boolean } = {}): Promise<GatewayChild> {
  const port = await freePort();
  const preloads = ['./loopback-only.ts', ...(options.streamWorkaround ? ['./portkey-stream-workaround.ts'] : [])];
  const child = spawnChild({
    name: 'portkey gateway',
    args: ['--import', 'tsx', ...preloads.flatMap((file) => ['--import', benchFile(file)]), portkeyScript(), `--port=${port}`, '--headless'],
    env: { NODE_ENV: 'production' },
  });
  await waitForPort(port, READY_TIMEOUT_MS, child);
  return {
    name: 'portkey',
    url: `http://127.0.0.1:${port}`,
    headers: { 'x-portkey-provider': 'openai', 'x-portkey-custom-host': upstreamUrl },
    child,
    stop: () => child.stop(),
  };
}

function portkeyScript(): string {
  return benchFile('../node_modules/@portkey-ai/gateway/build/start-server.js');
}
