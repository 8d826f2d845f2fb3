/** A breaker's settings: `failures` in a row open it for `cooldownMs`; failures older than `windowMs` are forgotten. */
export interface BreakerSettings {
  failures: number;
  cooldownMs: number;
  windowMs: number;
  /** How long one half-open probe may take before another instance may probe. */
  probeMs: number;
}

/** The shared state after an operation; `remainingMs` is how long it stays open (or the probe runs). */
export type BreakerReply =
  | { state: 'closed'; failures: number }
  | { state: 'open'; remainingMs: number; opened: boolean }
  | { state: 'probing'; remainingMs: number }
  | { state: 'probe' };

/** A transition one instance tells the others about. */
export type BreakerMessage = { key: string; state: 'open'; remainingMs: number } | { key: string; state: 'closed' };

/**
 * Where breaker state lives: in this process, or in Redis for the whole
 * fleet. Every operation is atomic on one deployment's state.
 */
export interface BreakerStore {
  /** Counts a failure; opens at the threshold, or at once when `probe` (a failed half-open probe). */
  recordFailure(key: string, settings: BreakerSettings, probe: boolean): Promise<BreakerReply>;
  /** Forgets counted failures (a success). */
  resetFailures(key: string): Promise<void>;
  /** After the cooldown: one caller gets `probe`, the others `probing` until it reports; `closed` if it closed meanwhile. */
  tryProbe(key: string, settings: BreakerSettings): Promise<BreakerReply>;
  /** Closes after a successful probe. */
  close(key: string): Promise<void>;
  /** Tells the other instances (no-op in one process). */
  announce(message: BreakerMessage): Promise<void>;
  /** Starts receiving other instances' announcements. */
  listen(handler: (message: BreakerMessage) => void): Promise<void>;
  stop(): Promise<void>;
}

interface MemoryState {
  failures: number;
  lastFailureAt: number;
  openUntil: number;
  probeUntil: number;
}

/** Breaker state in this process only (no Redis, or Redis failing). */
export function createMemoryBreakerStore(now: () => number = Date.now): BreakerStore {
  const states = new Map<string, MemoryState>();
  const state = (key: string): MemoryState => {
    let found = states.get(key);
    if (found === undefined) {
      found = { failures: 0, lastFailureAt: 0, openUntil: 0, probeUntil: 0 };
      states.set(key, found);
    }
    return found;
  };
  return {
    async recordFailure(key, settings, probe) {
      const entry = state(key);
      const time = now();
      if (entry.openUntil > time) return { state: 'open', remainingMs: entry.openUntil - time, opened: false };
      if (time - entry.lastFailureAt > settings.windowMs) entry.failures = 0;
      entry.failures += 1;
      entry.lastFailureAt = time;
      if (probe || entry.failures >= settings.failures) {
        Object.assign(entry, { failures: 0, openUntil: time + settings.cooldownMs, probeUntil: 0 });
        return { state: 'open', remainingMs: settings.cooldownMs, opened: true };
      }
      return { state: 'closed', failures: entry.failures };
    },
    async resetFailures(key) {
      const entry = states.get(key);
      if (entry !== undefined && entry.openUntil === 0) entry.failures = 0;
    },
    async tryProbe(key, settings) {
      const entry = state(key);
      const time = now();
      if (entry.openUntil === 0) return { state: 'closed', failures: entry.failures };
      if (entry.openUntil > time) return { state: 'open', remainingMs: entry.openUntil - time, opened: false };
      if (entry.probeUntil > time) return { state: 'probing', remainingMs: entry.probeUntil - time };
      entry.probeUntil = time + settings.probeMs;
      return { state: 'probe' };
    },
    async close(key) {
      states.delete(key);
    },
    async announce() {},
    async listen() {},
    async stop() {},
  };
}
