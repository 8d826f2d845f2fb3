import type { Kysely } from 'kysely';
import type { ModelInfo } from '../spec/response.js';
import type { DatabaseSchema, ProviderModelsTable } from '../store/database-schema.js';
import { parseJson } from '../core/safe-json.js';

/** Counts from one sync of a provider's models into `provider_models`. */
export interface SyncCounts {
  /** Listed now, not in the table before. */
  added: number;
  /** In the table and listed now, with a changed field (or reactivated). */
  updated: number;
  /** Listed now and unchanged. */
  unchanged: number;
  /** Active before, not listed now: marked inactive. */
  deactivated: number;
}

const CHUNK_SIZE = 100;

function toRow(model: ModelInfo, now: number): ProviderModelsTable {
  return {
    id: model.id,
    provider: model.provider,
    model_id: model.modelId,
    name: model.name,
    capabilities: JSON.stringify(model.capabilities ?? []),
    context_length: model.contextLength ?? null,
    input_price_per_million: model.inputPricePerMillion ?? null,
    output_price_per_million: model.outputPricePerMillion ?? null,
    is_active: 1,
    created_at: now,
    updated_at: now,
  };
}

function sameContent(a: ProviderModelsTable, b: ProviderModelsTable): boolean {
  return (
    a.name === b.name &&
    a.capabilities === b.capabilities &&
    (a.context_length ?? null) === (b.context_length ?? null) &&
    (a.input_price_per_million ?? null) === (b.input_price_per_million ?? null) &&
    (a.output_price_per_million ?? null) === (b.output_price_per_million ?? null) &&
    Number(a.is_active) === Number(b.is_active)
  );
}

/**
 * Writes one provider's current list to `provider_models` in one
 * transaction: a bulk upsert in chunks of 100 on (provider, model_id), then
 * every model of the provider no longer listed is marked inactive. With
 * `dryRun` nothing is written; the counts say what would change.
 */
export async function syncProviderModels(
  db: Kysely<DatabaseSchema>,
  provider: string,
  models: readonly ModelInfo[],
  options: { dryRun?: boolean; now?: number } = {},
): Promise<SyncCounts> {
  const now = options.now ?? Date.now();
  return db.transaction().execute(async (transaction) => {
    const existing = await transaction.selectFrom('provider_models').selectAll().where('provider', '=', provider).execute();
    const byModelId = new Map(existing.map((row) => [row.model_id, row]));
    const counts: SyncCounts = { added: 0, updated: 0, unchanged: 0, deactivated: 0 };
    const rows: ProviderModelsTable[] = [];
    const listed = new Set<string>();
    for (const model of models) {
      if (listed.has(model.modelId)) continue;
      listed.add(model.modelId);
      const row = toRow(model, now);
      const before = byModelId.get(model.modelId);
      if (before === undefined) counts.added += 1;
      else if (sameContent(before, row)) {
        counts.unchanged += 1;
        continue;
      } else counts.updated += 1;
      rows.push(row);
    }
    const gone = existing.filter((row) => Number(row.is_active) === 1 && !listed.has(row.model_id)).map((row) => row.model_id);
    counts.deactivated = gone.length;
    if (options.dryRun === true) return counts;

    for (let start = 0; start < rows.length; start += CHUNK_SIZE) {
      await transaction
        .insertInto('provider_models')
        .values(rows.slice(start, start + CHUNK_SIZE))
        .onConflict((conflict) =>
          conflict.columns(['provider', 'model_id']).doUpdateSet((update) => ({
            name: update.ref('excluded.name'),
            capabilities: update.ref('excluded.capabilities'),
            context_length: update.ref('excluded.context_length'),
            input_price_per_million: update.ref('excluded.input_price_per_million'),
            output_price_per_million: update.ref('excluded.output_price_per_million'),
            is_active: 1,
            updated_at: update.ref('excluded.updated_at'),
          })),
        )
        .execute();
    }
    for (let start = 0; start < gone.length; start += CHUNK_SIZE) {
      await transaction
        .updateTable('provider_models')
        .set({ is_active: 0, updated_at: now })
        .where('provider', '=', provider)
        .where('model_id', 'in', gone.slice(start, start + CHUNK_SIZE))
        .execute();
    }
    return counts;
  });
}

function toModelInfo(row: ProviderModelsTable): ModelInfo {
  let capabilities: string[] = [];
  try {
    const parsed = parseJson(row.capabilities, 'provider_models.capabilities');
    if (Array.isArray(parsed)) capabilities = parsed.filter((item): item is string => typeof item === 'string');
  } catch {
    // A damaged row lists no capabilities rather than failing the list.
  }
  return {
    id: row.id,
    provider: row.provider,
    modelId: row.model_id,
    name: row.name,
    contextLength: row.context_length === null ? null : Number(row.context_length),
    capabilities,
    inputPricePerMillion: row.input_price_per_million === null ? null : Number(row.input_price_per_million),
    outputPricePerMillion: row.output_price_per_million === null ? null : Number(row.output_price_per_million),
  };
}

/** The active models of one provider stored in `provider_models`, by model id. */
export async function listStoredModels(db: Kysely<DatabaseSchema>, provider: string): Promise<ModelInfo[]> {
  const rows = await db
    .selectFrom('provider_models')
    .selectAll()
    .where('provider', '=', provider)
    .where('is_active', '=', 1)
    .orderBy('model_id')
    .execute();
  return rows.map(toModelInfo);
}
