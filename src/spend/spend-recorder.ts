import type { Database } from '../store/database.js';
import { utcDay } from './budget-period.js';
import { addSpend, type SpendDelta } from './spend-store.js';

/** One finished (or refused) gateway request, as spend sees it. */
export interface SpendEntry {
  tenant: string;
  keyId: string;
  /** The model that answered (or was asked for, when refused). */
  model: string;
  inputTokens?: number;
  outputTokens?: number;
  /** Dollars paid upstream (0 for a cache hit). */
  costUsd: number;
  /** Dollars a cache hit saved. */
  savingsUsd?: number;
  cacheHit?: boolean;
  /** A 403/429 of the gateway's own: counted, costs nothing. */
  rejected?: boolean;
  now?: number;
}

/** Write-behind spend: entries add up in memory and reach the `spend` table once per flush. */
export interface SpendRecorder {
  record(entry: SpendEntry): void;
  /** Writes what has added up (one statement); on failure it is kept for the next flush. */
  flush(): Promise<void>;
  /** Stops the timer and flushes what is left (graceful shutdown). */
  close(): Promise<void>;
}

/** Options of {@link createSpendRecorder}. */
export interface SpendRecorderOptions {
  database: () => Promise<Database>;
  /** Default 1000 ms: a kill -9 loses at most this much spend. */
  flushMs?: number;
  onError?: (error: unknown) => void;
}

/**
 * Creates the spend recorder. `record` only adds to an in-memory row per
 * (day, tenant, key, model), so a request never waits on SQL and the database
 * sees at most one statement per flush interval per instance, whatever the
 * request rate. Rows are added to (`spend.cost_usd + excluded.cost_usd`), so
 * instances never overwrite each other.
 */
export function createSpendRecorder(options: SpendRecorderOptions): SpendRecorder {
  let pending = new Map<string, SpendDelta>();
  let flushing: Promise<void> | undefined;
  let timer: NodeJS.Timeout | undefined;

  function add(delta: SpendDelta): void {
    const id = `${delta.day}\u0000${delta.tenant}\u0000${delta.keyId}\u0000${delta.model}`;
    const row = pending.get(id);
    if (!row) {
      pending.set(id, delta);
      return;
    }
    row.requests += delta.requests;
    row.cacheHits += delta.cacheHits;
    row.rejections += delta.rejections;
    row.inputTokens += delta.inputTokens;
    row.outputTokens += delta.outputTokens;
    row.costUsd += delta.costUsd;
    row.savingsUsd += delta.savingsUsd;
  }

  async function write(): Promise<void> {
    if (pending.size === 0) return;
    const batch = pending;
    pending = new Map();
    try {
      await addSpend((await options.database()).db, [...batch.values()]);
    } catch (error) {
      for (const delta of batch.values()) add(delta);
      options.onError?.(error);
    }
  }

  function flush(): Promise<void> {
    // One flush at a time: a second caller waits for the running one, then writes what came since.
    flushing = (flushing ?? Promise.resolve()).then(write).finally(() => undefined);
    return flushing;
  }

  return {
    record(entry) {
      if (timer === undefined) {
        timer = setInterval(() => void flush(), options.flushMs ?? 1_000);
        timer.unref();
      }
      add({
        day: utcDay(entry.now ?? Date.now()),
        tenant: entry.tenant,
        keyId: entry.keyId,
        model: entry.model,
        requests: entry.rejected ? 0 : 1,
        cacheHits: entry.cacheHit ? 1 : 0,
        rejections: entry.rejected ? 1 : 0,
        inputTokens: entry.inputTokens ?? 0,
        outputTokens: entry.outputTokens ?? 0,
        costUsd: entry.costUsd,
        savingsUsd: entry.savingsUsd ?? 0,
      });
    },
    flush,
    async close() {
      if (timer) clearInterval(timer);
      timer = undefined;
      await flush();
    },
  };
}
