import type { Command } from 'commander';
import { createCliClient } from './cli-client.js';
import type { Message } from '../spec/messages.js';
import { printJson, printLine } from './output.js';

interface ChatCommandOptions {
  model?: string;
  system?: string;
  stream?: boolean;
  json?: boolean;
  cache: boolean;
  config?: string;
  temperature?: string;
  maxTokens?: string;
}

/** `switchyard chat "PROMPT"`: one chat completion, printed as a line, streamed, or as one JSON document. */
export function registerChatCommand(program: Command): void {
  program
    .command('chat')
    .description('send one prompt and print the reply')
    .argument('<prompt>', 'the user message')
    .option('-m, --model <model>', 'provider/model, a bare model name, or a route')
    .option('-s, --system <text>', 'a system prompt')
    .option('--stream', 'print the reply as it arrives')
    .option('--json', 'print the whole response (with usage) as JSON')
    .option('--no-cache', 'neither read nor write the response cache')
    .option('-t, --temperature <number>', 'sampling temperature')
    .option('--max-tokens <number>', 'most tokens to generate')
    .option('-c, --config <file>', 'config file')
    .action(async (prompt: string, options: ChatCommandOptions) => {
      const ai = createCliClient(options.config);
      try {
        const messages: Message[] = [];
        if (options.system) messages.push({ role: 'system', content: options.system });
        messages.push({ role: 'user', content: prompt });
        const request = {
          model: options.model ?? `${ai.config.defaultProvider}/${ai.config.defaultProvider === 'mock' ? 'echo' : 'gpt-4o-mini'}`,
          messages,
          ...(options.temperature !== undefined ? { temperature: parseNumber('--temperature', options.temperature) } : {}),
          ...(options.maxTokens !== undefined ? { maxTokens: parseNumber('--max-tokens', options.maxTokens) } : {}),
          ...(options.cache ? {} : { cache: { read: false, write: false } }),
        };
        if (options.stream && !options.json) {
          for await (const part of ai.stream(request)) {
            if (part.type === 'text-delta') process.stdout.write(part.text);
          }
          process.stdout.write('\n');
          return;
        }
        const response = await ai.chat(request);
        if (options.json) printJson(response);
        else printLine(response.content || response.toolCalls.map((call) => `${call.name}(${call.arguments})`).join('\n'));
      } finally {
        await ai.close();
      }
    });
}

function parseNumber(flag: string, value: string): number {
  const number = Number(value);
  if (!Number.isFinite(number)) throw new Error(`${flag} must be a number, got "${value}"`);
  return number;
}
