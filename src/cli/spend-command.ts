import type { Command } from 'commander';
import { InvalidArgumentError } from 'commander';
import { spendReport, type SpendGrouping } from '../spend/spend-store.js';
import { createCliClient } from './cli-client.js';
import { printJson, printLine } from './output.js';

const GROUPINGS: readonly SpendGrouping[] = ['tenant', 'key', 'model', 'day'];

function grouping(value: string): SpendGrouping {
  if (!(GROUPINGS as readonly string[]).includes(value)) throw new InvalidArgumentError(`--by must be tenant, key, model or day, got "${value}"`);
  return value as SpendGrouping;
}

const money = (value: number): string => `$${value.toFixed(6)}`;

/**
 * `switchyard spend [--tenant T] [--by tenant|key|model|day] [--json]`: the
 * `spend` table summed: requests, cache hits, rejections, tokens, cost and
 * the savings of cache hits. Figures are those the gateways flushed (every
 * second and at shutdown).
 */
export function registerSpendCommand(program: Command): void {
  program
    .command('spend')
    .description('show spend, savings and rejections from the database')
    .option('-t, --tenant <tenant>', 'one tenant only')
    .option('--by <group>', 'tenant, key, model or day (default tenant)', grouping)
    .option('--json', 'print JSON')
    .option('-c, --config <file>', 'config file')
    .action(async (options: { tenant?: string; by?: SpendGrouping; json?: boolean; config?: string }) => {
      const ai = createCliClient(options.config);
      try {
        const by = options.by ?? 'tenant';
        const lines = await spendReport((await ai.services.database()).db, { by, tenant: options.tenant });
        if (options.json) {
          printJson({ by, data: lines });
          return;
        }
        printLine([by, 'requests', 'cache hits', 'rejections', 'input tokens', 'output tokens', 'cost', 'savings'].join('\t'));
        for (const line of lines) {
          printLine(
            [line.group, line.requests, line.cacheHits, line.rejections, line.inputTokens, line.outputTokens, money(line.costUsd), money(line.savingsUsd)].join('\t'),
          );
        }
      } finally {
        await ai.close();
      }
    });
}
