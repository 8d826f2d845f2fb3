import type { Kysely, Selectable } from 'kysely';
import type { DatabaseSchema } from '../store/database-schema.js';
import type { GatewayKeysTable } from '../store/team-tables.js';
import type { BudgetPeriod, GatewayIdentity, RateLimits } from './key-policy.js';
import { generateKey, hashKey } from './key-secret.js';

/** A stored key as routes and commands show it: id and name, never the key or its hash. */
export interface KeyRecord {
  id: string;
  tenant: string;
  name: string;
  models: string[];
  rpm: number | null;
  tpm: number | null;
  concurrency: number | null;
  budgetUsd: number | null;
  budgetPeriod: BudgetPeriod | null;
  createdAt: string;
  expiresAt: string | null;
  revokedAt: string | null;
}

/** What a new key gets; everything but the tenant optional. */
export interface NewKey extends RateLimits {
  tenant: string;
  name?: string;
  models?: string[];
  budgetUsd?: number;
  budgetPeriod?: BudgetPeriod;
  /** Epoch ms after which the key is refused. */
  expiresAt?: number;
}

type KeyRow = Selectable<GatewayKeysTable>;
type Database = Kysely<DatabaseSchema>;

const iso = (value: number | null): string | null => (value === null ? null : new Date(value).toISOString());

function parseModels(text: string): string[] {
  try {
    const value: unknown = JSON.parse(text);
    return Array.isArray(value) ? value.filter((item): item is string => typeof item === 'string') : [];
  } catch {
    return [];
  }
}

/** The public view of a row. */
export function toKeyRecord(row: KeyRow): KeyRecord {
  return {
    id: row.id,
    tenant: row.tenant,
    name: row.name,
    models: parseModels(row.models),
    rpm: row.rpm,
    tpm: row.tpm,
    concurrency: row.concurrency,
    budgetUsd: row.budget_usd,
    budgetPeriod: row.budget_period as BudgetPeriod | null,
    createdAt: iso(row.created_at)!,
    expiresAt: iso(row.expires_at),
    revokedAt: iso(row.revoked_at),
  };
}

/** The identity a live row grants, or undefined for a revoked or expired key. */
export function identityOfRow(row: KeyRow, now = Date.now()): GatewayIdentity | undefined {
  if (row.revoked_at !== null || (row.expires_at !== null && row.expires_at <= now)) return undefined;
  const limits: RateLimits = {};
  if (row.rpm !== null) limits.rpm = row.rpm;
  if (row.tpm !== null) limits.tpm = row.tpm;
  if (row.concurrency !== null) limits.concurrency = row.concurrency;
  return {
    keyId: row.id,
    keyName: row.name,
    tenant: row.tenant,
    models: parseModels(row.models),
    limits,
    ...(row.budget_usd !== null ? { budget: { usd: row.budget_usd, period: (row.budget_period ?? 'total') as BudgetPeriod } } : {}),
  };
}

/** Creates a key; returns its record and the key itself, which is never stored and cannot be shown again. */
export async function createKey(db: Database, input: NewKey, now = Date.now()): Promise<{ record: KeyRecord; key: string }> {
  const { id, key } = generateKey();
  const row: KeyRow = {
    id,
    tenant: input.tenant,
    name: input.name ?? id,
    key_hash: hashKey(key),
    models: JSON.stringify(input.models ?? []),
    rpm: input.rpm ?? null,
    tpm: input.tpm ?? null,
    concurrency: input.concurrency ?? null,
    budget_usd: input.budgetUsd ?? null,
    budget_period: input.budgetUsd !== undefined ? (input.budgetPeriod ?? 'month') : null,
    created_at: now,
    expires_at: input.expiresAt ?? null,
    revoked_at: null,
    updated_at: now,
  };
  await db.insertInto('gateway_keys').values(row).execute();
  return { record: toKeyRecord(row), key };
}

/** Every key (optionally of one tenant), newest first. */
export async function listKeys(db: Database, options: { tenant?: string } = {}): Promise<KeyRecord[]> {
  let query = db.selectFrom('gateway_keys').selectAll().orderBy('created_at', 'desc').orderBy('id');
  if (options.tenant !== undefined) query = query.where('tenant', '=', options.tenant);
  return (await query.execute()).map(toKeyRecord);
}

/** Revokes a key; false when no key has this id. Revoking twice keeps the first time. */
export async function revokeKey(db: Database, id: string, now = Date.now()): Promise<KeyRecord | undefined> {
  await db.updateTable('gateway_keys').set({ revoked_at: now, updated_at: now }).where('id', '=', id).where('revoked_at', 'is', null).execute();
  const row = await db.selectFrom('gateway_keys').selectAll().where('id', '=', id).executeTakeFirst();
  return row && toKeyRecord(row);
}

/** The row stored under a key's hash. */
export async function findKeyByHash(db: Database, keyHash: string): Promise<KeyRow | undefined> {
  return db.selectFrom('gateway_keys').selectAll().where('key_hash', '=', keyHash).executeTakeFirst();
}

/** The row of a key id. */
export async function findKeyById(db: Database, id: string): Promise<KeyRow | undefined> {
  return db.selectFrom('gateway_keys').selectAll().where('id', '=', id).executeTakeFirst();
}

/** Rows changed at or after `since` (epoch ms), for the instances' poll. */
export async function keysChangedSince(db: Database, since: number): Promise<KeyRow[]> {
  return db.selectFrom('gateway_keys').selectAll().where('updated_at', '>=', since).execute();
}

/** Whether the table holds any key (then requests need one). */
export async function hasStoredKeys(db: Database): Promise<boolean> {
  return (await db.selectFrom('gateway_keys').select('id').limit(1).executeTakeFirst()) !== undefined;
}
