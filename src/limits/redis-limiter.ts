import { createHash } from 'node:crypto';
import type { AdmitResult, LimitBackend, LimitFigure, LimitSubject, RejectionReason, Settlement, WindowShape } from './limit-types.js';
import { ADMIT_SCRIPT, SETTLE_SCRIPT } from './window-script.js';

/** The part of a Redis client the limiter uses (node-redis v5/v6, single node or cluster: every key of a call shares one hash tag). */
export interface RedisScriptClient {
  evalSha(sha: string, options: { keys: string[]; arguments: string[] }): Promise<unknown>;
  eval(script: string, options: { keys: string[]; arguments: string[] }): Promise<unknown>;
}

const REASONS: readonly (RejectionReason | undefined)[] = [undefined, 'rpm', 'tpm', 'concurrency', 'budget'];
const sha1 = (text: string): string => createHash('sha1').update(text).digest('hex');
const ADMIT_SHA = sha1(ADMIT_SCRIPT);
const SETTLE_SHA = sha1(SETTLE_SCRIPT);

function keysOf(subjects: readonly LimitSubject[]): string[] {
  return subjects.flatMap((subject) => [`${subject.base}:window`, `${subject.base}:leases`, `${subject.base}:budget:${subject.budget?.periodId ?? 'none'}`]);
}

const limitArgument = (value: number | undefined): string => String(value ?? -1);

function figureOf(limit: number, remaining: number, resetMs: number): LimitFigure | undefined {
  return limit < 0 ? undefined : { limit, remaining, resetMs: Math.max(0, resetMs) };
}

/**
 * Limits counted in Redis: one script call (EVALSHA, EVAL on NOSCRIPT) admits
 * or refuses a request against every subject at once, atomically, and one
 * more settles it when it ends. Errors (Redis down, timeouts) are thrown for
 * the caller to fall back on.
 */
export function createRedisLimitBackend(client: RedisScriptClient, shape: WindowShape): LimitBackend {
  async function run(sha: string, script: string, keys: string[], argumentsList: string[]): Promise<unknown> {
    try {
      return await client.evalSha(sha, { keys, arguments: argumentsList });
    } catch (error) {
      if (!(error instanceof Error) || !error.message.includes('NOSCRIPT')) throw error;
      return client.eval(script, { keys, arguments: argumentsList });
    }
  }

  return {
    async admit(subjects, tokens, leaseId, now) {
      const argumentsList = [now === undefined ? '' : String(now), String(shape.windowMs), String(shape.slotMs), String(tokens), leaseId, String(shape.leaseTtlMs), String(subjects.length)];
      for (const subject of subjects) {
        argumentsList.push(
          limitArgument(subject.limits.rpm),
          limitArgument(subject.limits.tpm),
          limitArgument(subject.limits.concurrency),
          limitArgument(subject.budget?.usd),
          String(subject.budget?.seedUsd ?? 0),
          String(subject.budget?.remainingMs ?? 0),
        );
      }
      const reply = (await run(ADMIT_SHA, ADMIT_SCRIPT, keysOf(subjects), argumentsList)) as number[];
      const [allowed, reason, retryMs, slot, requestLimit, requestRemaining, requestReset, tokenLimit, tokenRemaining, tokenReset] = reply.map(Number);
      const result: AdmitResult = { allowed: allowed === 1, retryAfterMs: retryMs, slot };
      const requests = figureOf(requestLimit, requestRemaining, requestReset);
      const tokenFigure = figureOf(tokenLimit, tokenRemaining, tokenReset);
      if (REASONS[reason]) result.reason = REASONS[reason];
      if (requests) result.requests = requests;
      if (tokenFigure) result.tokens = tokenFigure;
      return result;
    },
    async settle(subjects, settlement: Settlement, now) {
      const argumentsList = [
        now === undefined ? '' : String(now),
        String(shape.windowMs),
        String(shape.slotMs),
        String(settlement.slot),
        String(settlement.tokenDelta),
        settlement.leaseId,
        String(settlement.costUsd),
        String(subjects.length),
      ];
      for (const subject of subjects) {
        const { rpm, tpm, concurrency } = subject.limits;
        argumentsList.push(
          rpm !== undefined || tpm !== undefined ? '1' : '0',
          concurrency !== undefined ? '1' : '0',
          subject.budget ? '1' : '0',
          String(subject.budget?.remainingMs ?? 0),
        );
      }
      await run(SETTLE_SHA, SETTLE_SCRIPT, keysOf(subjects), argumentsList);
    },
  };
}
