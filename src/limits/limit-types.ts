import type { RateLimits } from '../access/key-policy.js';

/** One thing limits are counted for: a key or a tenant. */
export interface LimitSubject {
  /** The Redis key base, hash-tagged by tenant (`switchyard:limits:{TAG}:key:ID`), also the in-process map key. */
  base: string;
  limits: RateLimits;
  /** The budget of the current period, when one is set. */
  budget?: {
    usd: number;
    /** Id of the current period (`day:2026-12-01`, `month:2026-12`, `total`), part of the counter's key. */
    periodId: string;
    /** Spend already recorded in the database for this period: the counter's start when it has none. */
    seedUsd: number;
    /** Milliseconds until the period ends (0: never). */
    remainingMs: number;
  };
}

/** Why a request was refused. */
export type RejectionReason = 'rpm' | 'tpm' | 'concurrency' | 'budget';

/** Limit, remaining and time to full reset of one kind (requests or tokens), for the rate-limit headers. */
export interface LimitFigure {
  limit: number;
  remaining: number;
  resetMs: number;
}

/** What one admission decided. */
export interface AdmitResult {
  allowed: boolean;
  reason?: RejectionReason;
  /** When to try again (refused requests). */
  retryAfterMs: number;
  /** The window slot the request was counted in (settling adjusts that slot's tokens). */
  slot: number;
  /** The most restrictive subject's figures, when any subject limits requests / tokens. */
  requests?: LimitFigure;
  tokens?: LimitFigure;
}

/** What a finished request settles: its real tokens minus those reserved, its cost, and its lease. */
export interface Settlement {
  slot: number;
  tokenDelta: number;
  costUsd: number;
  leaseId: string;
}

/** Window geometry: how long a window lasts and how finely it slides. */
export interface WindowShape {
  windowMs: number;
  slotMs: number;
  /** How long a concurrency lease lives when its request never settles (a crashed process). */
  leaseTtlMs: number;
}

/**
 * A place where limits are counted: Redis (shared by instances) or this
 * process. `now` pins the time (tests); without it each backend reads its
 * own clock when it decides (Redis: the server's, one for every instance),
 * never a time taken before a round trip.
 */
export interface LimitBackend {
  admit(subjects: readonly LimitSubject[], tokens: number, leaseId: string, now?: number): Promise<AdmitResult>;
  settle(subjects: readonly LimitSubject[], settlement: Settlement, now?: number): Promise<void>;
}
