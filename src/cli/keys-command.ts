import type { Command } from 'commander';
import { InvalidArgumentError } from 'commander';
import { createKey, listKeys, revokeKey, type KeyRecord } from '../access/key-store.js';
import { invalidModelPatterns } from '../access/model-access.js';
import { createCliClient } from './cli-client.js';
import { printJson, printLine } from './output.js';

interface CreateOptions {
  tenant: string;
  name?: string;
  rpm?: number;
  tpm?: number;
  concurrency?: number;
  budgetUsd?: number;
  budgetPeriod?: 'day' | 'month' | 'total';
  models?: string[];
  json?: boolean;
  config?: string;
}

function positiveInteger(name: string): (value: string) => number {
  return (value) => {
    const number = Number(value);
    if (!Number.isInteger(number) || number <= 0) throw new InvalidArgumentError(`${name} must be a positive integer, got "${value}"`);
    return number;
  };
}

function dollars(value: string): number {
  const number = Number(value);
  if (!Number.isFinite(number) || number < 0) throw new InvalidArgumentError(`--budget-usd must be a number of dollars >= 0, got "${value}"`);
  return number;
}

function period(value: string): 'day' | 'month' | 'total' {
  if (value !== 'day' && value !== 'month' && value !== 'total') throw new InvalidArgumentError(`--budget-period must be day, month or total, got "${value}"`);
  return value;
}

function modelPatterns(value: string): string[] {
  const patterns = value.split(',').map((pattern) => pattern.trim()).filter(Boolean);
  const invalid = invalidModelPatterns(patterns);
  if (invalid.length > 0) throw new InvalidArgumentError(`--models: "${invalid.join('", "')}" is not provider/model, provider/* or *`);
  return patterns;
}

function describeKey(record: KeyRecord): string {
  const limits = [
    record.rpm !== null ? `rpm ${record.rpm}` : '',
    record.tpm !== null ? `tpm ${record.tpm}` : '',
    record.concurrency !== null ? `concurrency ${record.concurrency}` : '',
    record.budgetUsd !== null ? `budget $${record.budgetUsd}/${record.budgetPeriod}` : '',
    record.models.length > 0 ? `models ${record.models.join(',')}` : '',
  ].filter(Boolean);
  const state = record.revokedAt ? 'revoked' : 'active';
  return `${record.id}\t${record.tenant}\t${record.name}\t${state}\t${limits.join(', ') || 'no limits'}`;
}

/**
 * `switchyard keys create|list|revoke`: gateway keys in the database
 * (`SWITCHYARD_DATABASE_URL`). `create` prints the new key once, as its own
 * line (with `--json`, one document with `key`); only its SHA-256 hash is
 * stored. Running gateways see a revocation within a second.
 */
export function registerKeysCommand(program: Command): void {
  const keys = program.command('keys').description('create, list and revoke gateway keys');
  keys
    .command('create')
    .description('create a key (shown once)')
    .requiredOption('-t, --tenant <tenant>', 'the tenant the key belongs to')
    .option('-n, --name <name>', 'a name to recognise it by')
    .option('--rpm <n>', 'requests per minute', positiveInteger('--rpm'))
    .option('--tpm <n>', 'tokens per minute', positiveInteger('--tpm'))
    .option('--concurrency <n>', 'requests in flight at once', positiveInteger('--concurrency'))
    .option('--budget-usd <x>', 'spending cap in US dollars', dollars)
    .option('--budget-period <period>', 'day, month or total (default month)', period)
    .option('--models <patterns>', 'allowed models, e.g. openai/*,mock/echo', modelPatterns)
    .option('--json', 'print JSON')
    .option('-c, --config <file>', 'config file')
    .action(async (options: CreateOptions) => {
      const ai = createCliClient(options.config);
      try {
        const { db } = await ai.services.database();
        const { record, key } = await createKey(db, {
          tenant: options.tenant,
          name: options.name,
          rpm: options.rpm,
          tpm: options.tpm,
          concurrency: options.concurrency,
          budgetUsd: options.budgetUsd,
          budgetPeriod: options.budgetPeriod,
          models: options.models,
        });
        if (options.json) printJson({ ...record, key });
        else {
          printLine(key);
          process.stderr.write(`created ${record.id} for tenant ${record.tenant}; the key above is shown only once\n`);
        }
      } finally {
        await ai.close();
      }
    });
  keys
    .command('list')
    .description('list keys (never the keys themselves)')
    .option('-t, --tenant <tenant>', 'one tenant only')
    .option('--json', 'print JSON')
    .option('-c, --config <file>', 'config file')
    .action(async (options: { tenant?: string; json?: boolean; config?: string }) => {
      const ai = createCliClient(options.config);
      try {
        const records = await listKeys((await ai.services.database()).db, { tenant: options.tenant });
        if (options.json) printJson(records);
        else for (const record of records) printLine(describeKey(record));
      } finally {
        await ai.close();
      }
    });
  keys
    .command('revoke')
    .description('revoke a key by id')
    .argument('<id>', 'the key id (key_...)')
    .option('-c, --config <file>', 'config file')
    .action(async (id: string, options: { config?: string }) => {
      const ai = createCliClient(options.config);
      try {
        const record = await revokeKey((await ai.services.database()).db, id);
        if (!record) throw new Error(`no key with id "${id}"`);
        printLine(`revoked ${record.id} (${record.tenant}, ${record.name})`);
      } finally {
        await ai.close();
      }
    });
}
