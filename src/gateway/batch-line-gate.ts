import type { GatewayIdentity } from '../access/key-policy.js';
import type { BatchLineGate, BatchOwner } from '../batch/batch-line-gate.js';
import { SwitchyardError } from '../spec/errors.js';
import { ANONYMOUS, modelNotAllowed, type AccessControl, type LimitRefusal } from './access-control.js';
import { reservedTokens } from './request-tokens.js';

/** Refusals that a later try cannot change: the line gets the error as its result. */
const FINAL_REFUSALS: ReadonlySet<string> = new Set(['budget_exceeded', 'model_not_allowed', 'authentication_failed']);

/**
 * The batch lines Switchyard's workers run go through the gateway's access
 * control as the owner's requests would: the key that created the batch
 * (looked up by id, so a revocation stops its remaining lines), its allowed
 * models, its and its tenant's rate limits (tokens reserved as for a request:
 * the prompt's estimate plus `max_tokens`) and budgets; each line is settled
 * with its usage and cost, recorded as spend (a cache hit as savings). A
 * full rate limit makes the line wait (`later`), except a line larger than
 * the tokens limit itself, which could never run.
 */
export function createBatchLineGate(access: AccessControl): BatchLineGate {
  async function identityOf(owner: BatchOwner): Promise<GatewayIdentity | undefined> {
    // A batch without a recorded key (or created without keys) runs under its tenant's limits only.
    if (owner.keyId === null || owner.keyId === ANONYMOUS.keyId) return { ...ANONYMOUS, tenant: owner.tenant };
    const identity = await access.directory.byId(owner.keyId);
    return identity?.tenant === owner.tenant ? identity : undefined;
  }

  const revoked = (owner: BatchOwner) =>
    new SwitchyardError({ code: 'authentication_failed', status: 401, message: `the key that created this batch (${owner.keyId}) is revoked or expired` });

  return {
    async refusal(owner, model) {
      const identity = await identityOf(owner);
      if (identity === undefined) return revoked(owner);
      if (!access.allows(identity, model)) return modelNotAllowed(model);
      return undefined;
    },
    async admit(owner, body) {
      const identity = await identityOf(owner);
      if (identity === undefined) return { kind: 'refused', error: revoked(owner) };
      let reserved = 0;
      try {
        const admission = await access.admit(identity, body.model, async () => (reserved = await reservedTokens(body as unknown as Record<string, unknown>)));
        return { kind: 'run', settle: (result) => admission.settle(result) };
      } catch (error) {
        if (!SwitchyardError.is(error)) throw error; // the limits could not be read: the job is retried
        const refusal = error as LimitRefusal;
        if (FINAL_REFUSALS.has(refusal.code)) return { kind: 'refused', error };
        if (refusal.code !== 'rate_limit_exceeded') throw error;
        const tokenLimit = refusal.rateLimits?.tokens?.limit;
        if (tokenLimit !== undefined && reserved > tokenLimit) {
          const message = `this request reserves ${reserved} tokens (its prompt and max_tokens), more than the ${tokenLimit} tokens per window its key or tenant may use: it can never run`;
          return { kind: 'refused', error: new SwitchyardError({ code: 'rate_limit_exceeded', status: 429, message }) };
        }
        return { kind: 'later', retryAfterMs: refusal.retryAfterMs ?? 1_000 };
      }
    },
    async record(owner, result) {
      // A key revoked since still pays for what its batch used.
      const identity = (await identityOf(owner)) ?? { ...ANONYMOUS, tenant: owner.tenant, keyId: owner.keyId ?? ANONYMOUS.keyId };
      await access.charge(identity, result);
    },
  };
}
