import type { BatchTables } from './batch-schema.js';
import type { GatewayKeysTable, SpendTable } from './team-tables.js';
import type { StoredResponsesTable } from './stored-responses.js';

/**
 * One row of `provider_models`: a model a provider lists, enriched from the
 * bundled catalog. `capabilities` is a JSON array in text; prices are USD per
 * million tokens; `is_active` is 1 or 0 (portable across SQLite and
 * PostgreSQL); timestamps are epoch milliseconds.
 */
export interface ProviderModelsTable {
  /** `provider/model_id` */
  id: string;
  provider: string;
  model_id: string;
  name: string;
  capabilities: string;
  context_length: number | null;
  input_price_per_million: number | null;
  output_price_per_million: number | null;
  is_active: number;
  created_at: number;
  updated_at: number;
}

/**
 * One row of `cache_entries`, the L3 (SQL) cache layer. `value` is the
 * serialized entry (text), `expires_at` epoch milliseconds.
 */
export interface CacheEntriesTable {
  key: string;
  namespace: string;
  value: string;
  size_bytes: number;
  expires_at: number;
  created_at: number;
}

/** The tables Switchyard keeps, for `Kysely<DatabaseSchema>`. */
export interface DatabaseSchema extends BatchTables {
  provider_models: ProviderModelsTable;
  cache_entries: CacheEntriesTable;
  gateway_keys: GatewayKeysTable;
  spend: SpendTable;
  stored_responses: StoredResponsesTable;
}
