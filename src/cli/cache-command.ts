import type { Command } from 'commander';
import { createCliClient } from './cli-client.js';
import { printJson, printLine } from './output.js';

interface CacheCommandOptions {
  namespace?: string;
  json?: boolean;
  config?: string;
}

/** `switchyard cache stats|clear|prune`: the shared cache layers (SQL, and Redis when configured). */
export function registerCacheCommand(program: Command): void {
  program
    .command('cache')
    .description('inspect, clear or prune the response and catalog cache')
    .argument('[action]', 'stats, clear or prune', 'stats')
    .option('-n, --namespace <name>', 'with clear: only this namespace (response, catalog)')
    .option('--json', 'print JSON')
    .option('-c, --config <file>', 'config file')
    .action(async (action: string, options: CacheCommandOptions) => {
      if (!['stats', 'clear', 'prune'].includes(action)) throw new Error(`unknown cache action "${action}" (use stats, clear or prune)`);
      const ai = createCliClient(options.config);
      const services = ai.services;
      try {
        const cache = await services.cache();
        if (action === 'clear') {
          await cache.clear(options.namespace);
          printLine(`cleared ${options.namespace ? `namespace "${options.namespace}"` : 'every namespace'} in ${cache.layerNames.join(', ')}`);
          return;
        }
        if (action === 'prune') {
          const removed = await cache.prune();
          if (options.json) printJson(removed);
          else printLine(`pruned ${Object.entries(removed).map(([layer, count]) => `${count} from ${layer}`).join(', ') || 'nothing'}`);
          return;
        }
        const { sqlCacheInventory } = await import('../cache/cache-inventory.js');
        const [usage, inventory] = await Promise.all([cache.usage(), sqlCacheInventory((await services.database()).db)]);
        if (options.json) {
          printJson({ layers: usage, sql: inventory });
          return;
        }
        for (const [layer, figures] of Object.entries(usage)) {
          printLine(`${layer}: ${figures.entries} entries${figures.bytes === null ? '' : `, ${figures.bytes} bytes`}`);
        }
        for (const row of inventory) printLine(`  sql ${row.namespace}: ${row.entries} entries, ${row.bytes} bytes, ${row.expired} expired`);
      } finally {
        await ai.close();
      }
    });
}
