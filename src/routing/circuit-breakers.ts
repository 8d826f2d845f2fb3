import type { BreakerMessage, BreakerReply, BreakerSettings, BreakerStore } from './breaker-store.js';

/** A deployment's breaker as this instance sees it. */
export type BreakerState = 'closed' | 'open' | 'half-open';

/** Whether a request may use a deployment: `go`, `probe` (it carries the half-open probe) or `skip`. */
export type Admission = 'go' | 'probe' | 'skip';

interface LocalView {
  /** 0 while closed; else when the cooldown ends (this instance's clock). */
  openUntil: number;
  /** This instance sends the half-open probe now. */
  probing: boolean;
  /** After the cooldown, while another instance probes: when to ask again. */
  askAgainAt: number;
  /** Failures this instance counted since its last success, so a success resets only what needs it. */
  unresetFailures: number;
}

/** Options for {@link createCircuitBreakers}. */
export interface CircuitBreakersOptions {
  /** The shared state (Redis) — on failure, `fallback` (this process's memory) stands in. */
  store: BreakerStore;
  fallback: BreakerStore;
  /** Called on each transition this instance sees, for logs and metrics. */
  onTransition?: (key: string, state: BreakerState) => void;
  onStoreError?: (error: unknown) => void;
}

/** The breakers of every deployment, keyed by `route` and deployment model. */
export interface CircuitBreakers {
  state(key: string): BreakerState;
  /** Decides whether a request may use the deployment now; asks the store only after a cooldown ends. */
  admit(key: string, settings: BreakerSettings): Promise<Admission>;
  success(key: string, probe: boolean): void;
  failure(key: string, settings: BreakerSettings, probe: boolean): Promise<void>;
  /** A probe that ended without a verdict (the caller went away): another request may probe. */
  abandon(key: string): void;
  stop(): Promise<void>;
}

/** How often an instance asks whether another one's probe has finished. */
const PROBE_POLL_MS = 100;

/**
 * Circuit breakers, one per deployment, whose state is shared: failures are
 * counted in the store (Redis: fleet-wide), the instance whose failure opens a
 * breaker announces it so every instance stops sending at once, and after
 * the cooldown exactly one request in the fleet probes; its success closes
 * the breaker everywhere, its failure opens it for another cooldown.
 * Admission is local (no Redis round trip) except right after a cooldown.
 */
export function createCircuitBreakers(options: CircuitBreakersOptions): CircuitBreakers {
  const views = new Map<string, LocalView>();
  let listening: Promise<void> | undefined;

  function view(key: string): LocalView {
    let found = views.get(key);
    if (found === undefined) {
      found = { openUntil: 0, probing: false, askAgainAt: 0, unresetFailures: 0 };
      views.set(key, found);
    }
    return found;
  }

  function stateOf(entry: LocalView): BreakerState {
    if (entry.openUntil === 0) return 'closed';
    return entry.openUntil > Date.now() ? 'open' : 'half-open';
  }

  function apply(key: string, message: BreakerMessage): void {
    const entry = view(key);
    const before = stateOf(entry);
    if (message.state === 'open') Object.assign(entry, { openUntil: Date.now() + message.remainingMs, probing: false, askAgainAt: 0 });
    else Object.assign(entry, { openUntil: 0, probing: false, askAgainAt: 0, unresetFailures: 0 });
    const after = stateOf(entry);
    if (after !== before) options.onTransition?.(key, after);
  }

  function listen(): void {
    listening ??= options.store
      .listen((message) => apply(message.key, message))
      .catch((error: unknown) => {
        listening = undefined;
        options.onStoreError?.(error);
      });
  }

  /** Runs on the shared store; on its failure, on this process's memory. */
  async function shared<T>(operation: (store: BreakerStore) => Promise<T>): Promise<T> {
    try {
      return await operation(options.store);
    } catch (error) {
      options.onStoreError?.(error);
      return operation(options.fallback);
    }
  }

  function announce(message: BreakerMessage): void {
    options.store.announce(message).catch((error: unknown) => options.onStoreError?.(error));
  }

  function applyReply(key: string, reply: BreakerReply): void {
    if (reply.state === 'open') apply(key, { key, state: 'open', remainingMs: reply.remainingMs });
    else if (reply.state === 'closed') apply(key, { key, state: 'closed' });
  }

  return {
    state: (key) => stateOf(view(key)),
    async admit(key, settings) {
      listen();
      const entry = view(key);
      const now = Date.now();
      if (entry.openUntil === 0) return 'go';
      if (entry.openUntil > now || entry.probing || entry.askAgainAt > now) return 'skip';
      const reply = await shared((store) => store.tryProbe(key, settings));
      if (reply.state === 'probe') {
        entry.probing = true;
        return 'probe';
      }
      if (reply.state === 'probing') entry.askAgainAt = Date.now() + Math.min(reply.remainingMs, PROBE_POLL_MS);
      applyReply(key, reply);
      return stateOf(entry) === 'closed' ? 'go' : 'skip';
    },
    success(key, probe) {
      const entry = view(key);
      if (probe) {
        apply(key, { key, state: 'closed' });
        void shared((store) => store.close(key)).then(() => announce({ key, state: 'closed' }));
        return;
      }
      if (entry.unresetFailures === 0) return;
      entry.unresetFailures = 0;
      void shared((store) => store.resetFailures(key));
    },
    async failure(key, settings, probe) {
      const entry = view(key);
      entry.unresetFailures += 1;
      if (probe) entry.probing = false;
      const reply = await shared((store) => store.recordFailure(key, settings, probe));
      applyReply(key, reply);
      if (reply.state === 'open' && reply.opened) announce({ key, state: 'open', remainingMs: reply.remainingMs });
    },
    abandon(key) {
      view(key).probing = false;
    },
    async stop() {
      await options.store.stop().catch(() => undefined);
    },
  };
}
