/**
 * One row of `gateway_keys`: a tenant's key, known only by the SHA-256 hex
 * digest of its secret (the key is shown once, at creation, and never
 * stored). `models` is a JSON array of patterns (`openai/*`; empty: every
 * model); limits and budget are null when unset; times are epoch ms.
 */
export interface GatewayKeysTable {
  id: string;
  tenant: string;
  name: string;
  key_hash: string;
  models: string;
  rpm: number | null;
  tpm: number | null;
  concurrency: number | null;
  budget_usd: number | null;
  /** `day`, `month` or `total`; null without a budget. */
  budget_period: string | null;
  created_at: number;
  expires_at: number | null;
  revoked_at: number | null;
  /** Bumped on every change, so instances can poll for what changed. */
  updated_at: number;
}

/**
 * One row of `spend`: what one key of one tenant spent on one model on one
 * UTC day (`YYYY-MM-DD`). Rows are added to, never rewritten, by each
 * instance's write-behind flush. Cache hits add to `savings_usd`, not
 * `cost_usd`; `rejections` counts 403/429 answers of the gateway's own.
 */
export interface SpendTable {
  day: string;
  tenant: string;
  key_id: string;
  model: string;
  requests: number;
  cache_hits: number;
  rejections: number;
  input_tokens: number;
  output_tokens: number;
  cost_usd: number;
  savings_usd: number;
  updated_at: number;
}
