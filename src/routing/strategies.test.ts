import { describe, expect, it } from 'vitest';
import type { DeploymentFigures } from './deployment-stats.js';
import { orderCandidates, type Candidate } from './strategies.js';

function candidate(key: string, figures: Partial<DeploymentFigures> = {}, extra: Partial<Candidate> = {}): Candidate {
  return { key, weight: 1, figures: { inFlight: 0, sampledAt: 0, requests: 0, successes: 0, failures: 0, recentStarts: [], ...figures }, ...extra };
}

const keys = (order: Candidate[]) => order.map((entry) => entry.key);

describe('orderCandidates', () => {
  it('least-busy puts the deployment with the fewest calls in flight first', () => {
    for (let seed = 0; seed < 20; seed += 1) {
      const order = orderCandidates('least-busy', [candidate('a', { inFlight: 4 }), candidate('b', { inFlight: 1 }), candidate('c', { inFlight: 2 })], () => seed / 20);
      expect(keys(order)).toEqual(['b', 'c', 'a']);
    }
  });

  it('most-headroom prefers the deployment whose rate-limit headers leave the most, and treats unknown or stale as full', () => {
    const now = 1_000_000;
    const order = orderCandidates(
      'most-headroom',
      [
        candidate('low', {}, { headroom: { requests: 0.1, at: now } }),
        candidate('tokens-low', {}, { headroom: { requests: 0.9, tokens: 0.2, at: now } }),
        candidate('high', {}, { headroom: { requests: 0.8, at: now } }),
      ],
      () => 0.5,
      now,
    );
    expect(keys(order)).toEqual(['high', 'tokens-low', 'low']);
    const stale = orderCandidates('most-headroom', [candidate('stale', {}, { headroom: { requests: 0.01, at: now - 120_000 } }), candidate('half', {}, { headroom: { requests: 0.5, at: now } })], () => 0.5, now);
    expect(keys(stale)).toEqual(['stale', 'half']);
  });

  it('least-latency tries an unmeasured deployment first, then the lowest moving average', () => {
    expect(keys(orderCandidates('least-latency', [candidate('measured', { latencyMs: 5, sampledAt: 1 }), candidate('new')], () => 0.9))).toEqual(['new', 'measured']);
    expect(keys(orderCandidates('least-latency', [candidate('slow', { latencyMs: 100, sampledAt: 2 }), candidate('fast', { latencyMs: 10, sampledAt: 3 })], () => 0.9))).toEqual(['fast', 'slow']);
    // A small share of picks re-measures the least recently sampled one.
    expect(keys(orderCandidates('least-latency', [candidate('slow', { latencyMs: 100, sampledAt: 2 }), candidate('fast', { latencyMs: 10, sampledAt: 3 })], () => 0.01))).toEqual(['slow', 'fast']);
  });

  it('weighted draws in proportion to the weights and lists every deployment once', () => {
    const counts = { a: 0, b: 0 };
    for (let index = 0; index < 400; index += 1) {
      const order = orderCandidates('weighted', [candidate('a', {}, { weight: 3 }), candidate('b', {}, { weight: 1 })], () => (index + 0.5) / 400);
      expect(keys(order).sort()).toEqual(['a', 'b']);
      counts[order[0].key as 'a' | 'b'] += 1;
    }
    expect(counts).toEqual({ a: 300, b: 100 });
  });
});
