import type { CacheOptions } from '../spec/request.js';
import type { FinishReason } from '../spec/response.js';

/** Response-caching settings from config. */
export interface ResponseCacheSettings {
  /** Whether response caching is on (production profile: yes; development: no). */
  enabled: boolean;
  /** Highest temperature still cached; above it answers are meant to vary. Default 0.5. */
  temperatureThreshold?: number;
  /** Entry TTL when the call gives none. Default 1 hour. */
  defaultTtlMs?: number;
}

/** What to do with the cache for one call. `read`/`write` false both mean `bypass`. */
export interface ResponseCacheDecision {
  read: boolean;
  write: boolean;
  ttlMs: number;
  /** Why the cache is bypassed, when it is. */
  reason?: 'disabled' | 'temperature' | 'request';
}

/** The request fields the policy looks at. */
export interface CachePolicyRequest {
  temperature?: number;
  cache?: CacheOptions;
}

/** The longest TTL a call may ask for (30 days): a huge `max-age` must not pin entries for ever or overflow a store. */
export const MAX_TTL_SECONDS = 30 * 24 * 60 * 60;

/**
 * Decides whether one call may read and write the response cache: only when
 * caching is on, the temperature (1.0 when absent, as providers default) is at
 * most the threshold, and the call's `cache` options allow it. `cache.ttl` is
 * in seconds, at most MAX_TTL_SECONDS; a ttl of 0 means do not store.
 */
export function decideResponseCaching(settings: ResponseCacheSettings, request: CachePolicyRequest): ResponseCacheDecision {
  const defaultTtlMs = settings.defaultTtlMs ?? 60 * 60 * 1000;
  const ttlMs = request.cache?.ttl !== undefined ? Math.min(Math.max(0, request.cache.ttl), MAX_TTL_SECONDS) * 1000 : defaultTtlMs;
  if (!settings.enabled) return { read: false, write: false, ttlMs, reason: 'disabled' };
  const temperature = request.temperature ?? 1;
  if (temperature > (settings.temperatureThreshold ?? 0.5)) return { read: false, write: false, ttlMs, reason: 'temperature' };
  const read = request.cache?.read !== false;
  const write = request.cache?.write !== false && ttlMs > 0;
  if (!read && !write) return { read, write, ttlMs, reason: 'request' };
  return { read, write, ttlMs };
}

/**
 * Whether a finished answer may be stored: never a failed one (`error`) nor a
 * stream that was aborted or ended without its finish part.
 */
export function isCacheableResult(result: { finishReason?: FinishReason; aborted?: boolean }): boolean {
  if (result.aborted === true) return false;
  return result.finishReason !== undefined && result.finishReason !== 'error';
}
