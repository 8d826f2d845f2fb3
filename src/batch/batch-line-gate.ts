import type { Usage } from '../spec/response.js';
import type { OpenAIChatRequest } from '../wire/openai-wire-schemas.js';

/** Whom a gateway batch runs for: its tenant and the key that created it (null for batches from before keys were recorded). */
export interface BatchOwner {
  tenant: string;
  keyId: string | null;
}

/** What a line's model call used, for its settlement. */
export interface LineUsage {
  model: string;
  usage?: Usage;
  cost?: number | null;
  cacheHit: boolean;
}

/** What the gate decides for one line. */
export type LineAdmission =
  /** Run the line, then settle it once (undefined: the call failed and used nothing). */
  | { kind: 'run'; settle(result: LineUsage | undefined): Promise<void> }
  /** A rate limit is full: try the line again after `retryAfterMs`. */
  | { kind: 'later'; retryAfterMs: number }
  /** The line may never run as it is (budget spent, model not allowed, key revoked, larger than a limit): write `error` as its result. */
  | { kind: 'refused'; error: unknown };

/**
 * The gateway's key limits for the batch lines Switchyard's own workers run:
 * each line is admitted through its owner's model access, rate limits and
 * budget as a request of that key would be, and settled with its usage and
 * cost (spend, cache hits as savings). Absent outside the gateway (`switchyard
 * batch`), where lines run unlimited.
 */
export interface BatchLineGate {
  /** What refuses the owner's key `model` (`model_not_allowed`; `authentication_failed` for a revoked key), else undefined. Asked for every line, those sent to a provider's batch API too. */
  refusal(owner: BatchOwner, model: string): Promise<unknown>;
  /** Admits one line the workers run. */
  admit(owner: BatchOwner, body: OpenAIChatRequest): Promise<LineAdmission>;
  /** Records the spend of a line a provider's batch API answered (its cost at the batch price). */
  record(owner: BatchOwner, result: LineUsage): Promise<void>;
}
