import { describe, expect, it } from 'vitest';
import { decideResponseCaching, isCacheableResult, MAX_TTL_SECONDS } from './response-cache-policy.js';

describe('decideResponseCaching', () => {
  const on = { enabled: true };

  it('bypasses when caching is off', () => {
    expect(decideResponseCaching({ enabled: false }, { temperature: 0 })).toMatchObject({ read: false, write: false, reason: 'disabled' });
  });

  it('caches at or below the temperature threshold, treating a missing temperature as 1.0', () => {
    expect(decideResponseCaching(on, { temperature: 0.5 })).toEqual({ read: true, write: true, ttlMs: 3_600_000 });
    expect(decideResponseCaching(on, { temperature: 0.51 })).toMatchObject({ read: false, write: false, reason: 'temperature' });
    expect(decideResponseCaching(on, {})).toMatchObject({ read: false, reason: 'temperature' });
    expect(decideResponseCaching({ enabled: true, temperatureThreshold: 1 }, {})).toMatchObject({ read: true, write: true });
  });

  it('honours per-call read, write and ttl (seconds)', () => {
    expect(decideResponseCaching(on, { temperature: 0, cache: { read: false } })).toMatchObject({ read: false, write: true });
    expect(decideResponseCaching(on, { temperature: 0, cache: { write: false } })).toMatchObject({ read: true, write: false });
    expect(decideResponseCaching(on, { temperature: 0, cache: { read: false, write: false } })).toMatchObject({ reason: 'request' });
    expect(decideResponseCaching(on, { temperature: 0, cache: { ttl: 30 } })).toMatchObject({ ttlMs: 30_000, write: true });
    expect(decideResponseCaching(on, { temperature: 0, cache: { ttl: 0 } })).toMatchObject({ read: true, write: false });
    expect(decideResponseCaching({ enabled: true, defaultTtlMs: 5_000 }, { temperature: 0 })).toMatchObject({ ttlMs: 5_000 });
  });
});

describe('isCacheableResult', () => {
  it('refuses failed, aborted and unfinished answers', () => {
    expect(isCacheableResult({ finishReason: 'stop' })).toBe(true);
    expect(isCacheableResult({ finishReason: 'length' })).toBe(true);
    expect(isCacheableResult({ finishReason: 'tool-calls' })).toBe(true);
    expect(isCacheableResult({ finishReason: 'error' })).toBe(false);
    expect(isCacheableResult({ finishReason: 'stop', aborted: true })).toBe(false);
    expect(isCacheableResult({})).toBe(false);
  });
});

describe('ttl bound', () => {
  it('caps a huge per-call ttl at 30 days', () => {
    expect(decideResponseCaching({ enabled: true }, { temperature: 0, cache: { ttl: 1e15 } }).ttlMs).toBe(MAX_TTL_SECONDS * 1000);
  });
});
