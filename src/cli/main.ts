import { Command, CommanderError } from 'commander';
import { registerBatchCommand } from './batch-command.js';
import { registerCacheCommand } from './cache-command.js';
import { registerChatCommand } from './chat-command.js';
import { registerKeysCommand } from './keys-command.js';
import { registerMockUpstreamCommand } from './mock-upstream-command.js';
import { registerModelsCommand } from './models-command.js';
import { registerServeCommand } from './serve-command.js';
import { registerSpendCommand } from './spend-command.js';
import { registerWorkerCommand } from './worker-command.js';
import { describeError } from './output.js';

/** Builds the `switchyard` command with every subcommand. */
export function createProgram(): Command {
  const program = new Command('switchyard')
    .description('one fast, cached, observable interface in front of AI model providers')
    .showHelpAfterError()
    .exitOverride();
  registerServeCommand(program);
  registerChatCommand(program);
  registerBatchCommand(program);
  registerWorkerCommand(program);
  registerModelsCommand(program);
  registerCacheCommand(program);
  registerKeysCommand(program);
  registerSpendCommand(program);
  registerMockUpstreamCommand(program);
  return program;
}

/** Runs the CLI; errors print as one line on stderr with exit code 1 (never a stack trace). */
export async function main(argv: string[]): Promise<void> {
  try {
    await createProgram().parseAsync(argv);
  } catch (error) {
    if (error instanceof CommanderError) {
      process.exitCode = error.exitCode;
      return;
    }
    process.stderr.write(`switchyard: ${describeError(error)}\n`);
    process.exitCode = 1;
  }
}
