/** What the upstream's rate-limit headers said last: requests and tokens left of the current window. */
export interface Headroom {
  /** Remaining / limit of requests, 0..1; undefined when not reported. */
  requests?: number;
  /** Remaining / limit of tokens, 0..1; undefined when not reported. */
  tokens?: number;
  /** When it was reported (`Date.now()`). */
  at: number;
}

/** One deployment's figures in this instance. */
export interface DeploymentFigures {
  inFlight: number;
  /** Moving average of answered calls' latency (time to the answer, or to a stream's first part); undefined before the first. */
  latencyMs?: number;
  /** When the last latency sample was taken. */
  sampledAt: number;
  /** Calls sent to it (attempts), succeeded and failed. */
  requests: number;
  successes: number;
  failures: number;
  /** Start times of the calls of the last minute, for `rpm`. */
  recentStarts: number[];
}

/** Weight of a new latency sample in the moving average (an exponential one: about the last 10 calls count). */
const LATENCY_SMOOTHING = 0.2;
const MINUTE_MS = 60_000;

/** Per-deployment figures of this instance, keyed by `route` and deployment model. */
export interface DeploymentStats {
  figures(key: string): DeploymentFigures;
  /** A call starts; returns the function that ends it (with its latency when it succeeded). */
  start(key: string): (outcome: { ok: true; latencyMs: number } | { ok: false }) => void;
  /** Calls started in the last minute. */
  callsInLastMinute(key: string, now?: number): number;
  entries(): IterableIterator<[string, DeploymentFigures]>;
}

/** Creates empty stats. Starts no timers: old start times are dropped when read. */
export function createDeploymentStats(): DeploymentStats {
  const byKey = new Map<string, DeploymentFigures>();
  function figures(key: string): DeploymentFigures {
    let found = byKey.get(key);
    if (found === undefined) {
      found = { inFlight: 0, sampledAt: 0, requests: 0, successes: 0, failures: 0, recentStarts: [] };
      byKey.set(key, found);
    }
    return found;
  }
  function prune(entry: DeploymentFigures, now: number): void {
    let drop = 0;
    while (drop < entry.recentStarts.length && now - entry.recentStarts[drop] >= MINUTE_MS) drop += 1;
    if (drop > 0) entry.recentStarts.splice(0, drop);
  }
  return {
    figures,
    start(key) {
      const entry = figures(key);
      const now = Date.now();
      prune(entry, now);
      entry.recentStarts.push(now);
      entry.inFlight += 1;
      entry.requests += 1;
      let ended = false;
      return (outcome) => {
        if (ended) return;
        ended = true;
        entry.inFlight -= 1;
        if (!outcome.ok) {
          entry.failures += 1;
          return;
        }
        entry.successes += 1;
        entry.latencyMs = entry.latencyMs === undefined ? outcome.latencyMs : entry.latencyMs + LATENCY_SMOOTHING * (outcome.latencyMs - entry.latencyMs);
        entry.sampledAt = Date.now();
      };
    },
    callsInLastMinute(key, now = Date.now()) {
      const entry = figures(key);
      prune(entry, now);
      return entry.recentStarts.length;
    },
    entries: () => byKey.entries(),
  };
}
