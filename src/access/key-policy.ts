/** How long a budget lasts before it starts again: a UTC day, a UTC month, or for ever. */
export type BudgetPeriod = 'day' | 'month' | 'total';

/** Rate limits of a key or a tenant; an absent field is no limit. */
export interface RateLimits {
  /** Requests per window (a minute unless `limits.windowSeconds` says otherwise). */
  rpm?: number;
  /** Tokens per window: the input estimate plus `max_tokens`, settled with the real usage. */
  tpm?: number;
  /** Requests in flight at once. */
  concurrency?: number;
}

/** A spending cap in US dollars over a period. */
export interface Budget {
  usd: number;
  period: BudgetPeriod;
}

/** What the gateway knows about the caller once its key is recognised: never the key itself. */
export interface GatewayIdentity {
  /** The key's id (`key_...` for database keys, `static_...` for `SWITCHYARD_API_KEYS`, `anonymous` without keys). */
  keyId: string;
  keyName: string;
  tenant: string;
  /** Model patterns the key may use (`openai/*`, `mock/echo`, `*`); empty: every model. */
  models: readonly string[];
  limits: RateLimits;
  budget?: Budget;
}

/** The limits and budget of a tenant, shared by all its keys (config `limits.tenants`). */
export interface TenantPolicy {
  limits: RateLimits;
  budget?: Budget;
}

/** Whether any limit is set. */
export function hasRateLimits(limits: RateLimits): boolean {
  return limits.rpm !== undefined || limits.tpm !== undefined || limits.concurrency !== undefined;
}
