import type { Command } from 'commander';
import { createCliClient } from './cli-client.js';
import { printJson, printLine } from './output.js';

interface ModelsCommandOptions {
  provider?: string;
  refresh?: boolean;
  json?: boolean;
  dryRun?: boolean;
  config?: string;
}

/** `switchyard models [list|sync]`: the catalog, and writing it to SQL. */
export function registerModelsCommand(program: Command): void {
  program
    .command('models')
    .description('list the model catalog, or sync it into the database')
    .argument('[action]', 'list or sync', 'list')
    .option('-p, --provider <name>', 'one provider only')
    .option('--refresh', 'ask the provider now instead of the cache')
    .option('--dry-run', 'with sync: count changes without writing')
    .option('--json', 'print JSON')
    .option('-c, --config <file>', 'config file')
    .action(async (action: string, options: ModelsCommandOptions) => {
      if (action !== 'list' && action !== 'sync') throw new Error(`unknown models action "${action}" (use list or sync)`);
      const ai = createCliClient(options.config);
      try {
        if (action === 'sync') {
          const providers = options.provider ? [options.provider] : Object.keys(ai.config.providers);
          const results = [];
          for (const provider of providers) results.push(await ai.syncModels({ provider, dryRun: options.dryRun }));
          if (options.json) printJson(results);
          else
            for (const result of results) {
              printLine(
                `${result.provider}: ${result.listed} listed, ${result.added} added, ${result.updated} updated, ${result.deactivated} deactivated${result.dryRun ? ' (dry run)' : ''}`,
              );
            }
          return;
        }
        const models = await ai.models({ provider: options.provider, refresh: options.refresh });
        if (options.json) printJson(models);
        else for (const model of models) printLine(model.id);
      } finally {
        await ai.close();
      }
    });
}
