import type { BalancingStrategy } from '../config/scale-schema.js';
import type { DeploymentFigures, Headroom } from './deployment-stats.js';

/** A deployment as a strategy sees it. */
export interface Candidate {
  key: string;
  weight: number;
  figures: DeploymentFigures;
  headroom?: Headroom;
}

/** Share of picks that go to the least recently measured deployment under `least-latency`, so a slow one that recovered is noticed. */
const LATENCY_EXPLORATION = 0.05;
/** Headroom reports older than this no longer count. */
const HEADROOM_MAX_AGE_MS = 60_000;

function weightedPick(candidates: Candidate[], random: () => number): number {
  const total = candidates.reduce((sum, candidate) => sum + candidate.weight, 0);
  let point = random() * total;
  for (let index = 0; index < candidates.length; index += 1) {
    point -= candidates[index].weight;
    if (point < 0) return index;
  }
  return candidates.length - 1;
}

/** A weighted random order: each next one drawn by weight from those left (the first is the pick, the rest the order to fall back in). */
function weightedOrder(candidates: Candidate[], random: () => number): Candidate[] {
  const left = [...candidates];
  const order: Candidate[] = [];
  while (left.length > 0) order.push(...left.splice(weightedPick(left, random), 1));
  return order;
}

function headroomOf(candidate: Candidate, now: number): number {
  const headroom = candidate.headroom;
  if (headroom === undefined || now - headroom.at > HEADROOM_MAX_AGE_MS) return 1;
  return Math.min(headroom.requests ?? 1, headroom.tokens ?? 1);
}

/** Sorts by `score` (lower first); ties keep a weighted random order, so equal deployments share the load. */
function sortedBy(candidates: Candidate[], random: () => number, score: (candidate: Candidate) => number): Candidate[] {
  const shuffled = weightedOrder(candidates, random);
  const scores = new Map(shuffled.map((candidate) => [candidate, score(candidate)]));
  return shuffled.sort((left, right) => scores.get(left)! - scores.get(right)!);
}

/**
 * Orders the available deployments of a route for one request: the first is
 * the one to send to, the others the order to fall back in.
 * - `weighted`: drawn at random in proportion to the weights;
 * - `least-busy`: fewest calls in flight from this instance;
 * - `least-latency`: lowest moving-average latency; one never measured goes
 *   first, and 5% of picks go to the least recently measured one;
 * - `most-headroom`: most requests/tokens left per the upstream's last
 *   rate-limit headers (unknown counts as full).
 */
export function orderCandidates(strategy: BalancingStrategy, candidates: Candidate[], random: () => number = Math.random, now = Date.now()): Candidate[] {
  if (candidates.length <= 1) return [...candidates];
  switch (strategy) {
    case 'weighted':
      return weightedOrder(candidates, random);
    case 'least-busy':
      return sortedBy(candidates, random, (candidate) => candidate.figures.inFlight / candidate.weight);
    case 'most-headroom':
      return sortedBy(candidates, random, (candidate) => -headroomOf(candidate, now));
    case 'least-latency': {
      const unmeasured = candidates.filter((candidate) => candidate.figures.latencyMs === undefined && candidate.figures.inFlight === 0);
      if (unmeasured.length === 0 && random() < LATENCY_EXPLORATION) {
        const stalest = candidates.reduce((oldest, candidate) => (candidate.figures.sampledAt < oldest.figures.sampledAt ? candidate : oldest));
        return [stalest, ...sortedBy(candidates.filter((candidate) => candidate !== stalest), random, (candidate) => candidate.figures.latencyMs ?? 0)];
      }
      return sortedBy(candidates, random, (candidate) => (unmeasured.includes(candidate) ? -1 : (candidate.figures.latencyMs ?? Number.MAX_SAFE_INTEGER)));
    }
  }
}
