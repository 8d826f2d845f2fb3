import type { Command } from 'commander';
import { startAnthropicMockServer } from '../mock-upstream/anthropic-server.js';
import { startGeminiMockServer } from '../mock-upstream/gemini-server.js';
import { startOllamaMockServer } from '../mock-upstream/ollama-server.js';
import { startOpenAIMockServer } from '../mock-upstream/openai-server.js';
import { printLine } from './output.js';

interface MockUpstreamOptions {
  port: string;
  host: string;
  flavor: string;
  latency: string;
  batchDelay: string;
  errorRate: string;
  reply?: string;
  apiKey?: string;
}

/** The options every flavor's server takes from the command line. */
interface FlavorOptions {
  port: number;
  host: string;
  latencyMs: number;
  batchDelayMs: number;
  errorRate: number;
  reply?: string;
  apiKey?: string;
}

const FLAVORS: Record<string, (options: FlavorOptions) => Promise<{ url: string; close(): Promise<void> }>> = {
  openai: startOpenAIMockServer,
  anthropic: startAnthropicMockServer,
  gemini: startGeminiMockServer,
  ollama: startOllamaMockServer,
};

/** `switchyard mock-upstream`: a fake provider server speaking the chosen wire format, for trying and benchmarking without keys. */
export function registerMockUpstreamCommand(program: Command): void {
  program
    .command('mock-upstream')
    .description('run a fake provider server (OpenAI, Anthropic, Gemini or Ollama wire format) for trying Switchyard without keys')
    .option('-p, --port <port>', 'port to listen on', '9100')
    .option('--host <host>', 'address to bind', '127.0.0.1')
    .option('--flavor <flavor>', `wire format (${Object.keys(FLAVORS).join(', ')})`, 'openai')
    .option('--latency <ms>', 'delay before each answer', '0')
    .option('--batch-delay <ms>', 'time from creating a provider batch (openai, anthropic) to its completion', '1000')
    .option('--error-rate <p>', 'probability (0..1) of a server error (500, or 529 for anthropic)', '0')
    .option('--reply <text>', 'fixed reply (default: echo the last user message)')
    .option('--api-key <key>', 'require this bearer key')
    .action(async (options: MockUpstreamOptions) => {
      const start = FLAVORS[options.flavor];
      if (!start) throw new Error(`--flavor ${options.flavor} is not available in this build (available: ${Object.keys(FLAVORS).join(', ')})`);
      const numbers = { port: Number(options.port), latencyMs: Number(options.latency), batchDelayMs: Number(options.batchDelay), errorRate: Number(options.errorRate) };
      const flags: Record<string, string> = { port: 'port', latencyMs: 'latency', batchDelayMs: 'batch-delay', errorRate: 'error-rate' };
      for (const [name, value] of Object.entries(numbers)) {
        if (!Number.isFinite(value) || value < 0) throw new Error(`--${flags[name]} must be a non-negative number`);
      }
      const server = await start({ ...numbers, host: options.host, reply: options.reply, apiKey: options.apiKey });
      printLine(`mock ${options.flavor} upstream listening on ${server.url}`);
      const stop = () => {
        server.close().then(() => process.exit(0));
      };
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
    });
}
