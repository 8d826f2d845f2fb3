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

/** Redis Cluster's hash tag of a key: the text between its first `{` and the next `}`, when not empty; else the whole key. */
function hashTagOf(key: string): string {
  const open = key.indexOf('{');
  const close = open < 0 ? -1 : key.indexOf('}', open + 1);
  return close > open + 1 ? key.slice(open + 1, close) : key;
}

/** A settlement waiting for its turn's script call. */
interface PendingSettlement {
  subjects: readonly LimitSubject[];
  settlement: Settlement;
  now: number | undefined;
  resolve: () => void;
  reject: (error: unknown) => void;
}

/** Most settlements one script call carries (a bounded time inside Redis). */
const MAX_SETTLEMENTS_PER_CALL = 64;

const limitArgument = (value: number | undefined): string => String(value ?? -1);

function figureOf(limit: number, remaining: number, resetMs: number): LimitFigure | undefined {
  return limit < 0 ? undefined : { limit, remaining, resetMs: Math.max(0, resetMs) };
}

/**
 * Limits counted in Redis: one script call (EVALSHA, EVAL on NOSCRIPT) admits
 * or refuses a request against every subject at once, atomically. Calls that
 * end in the same turn of the event loop are settled together, one script
 * call per hash tag, at the end of that turn. Errors (Redis down, timeouts)
 * are thrown for the caller to fall back on.
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

  /** Settlements waiting for the end of this turn of the event loop, by hash tag (one script call may not span Cluster slots). */
  const pending = new Map<string, PendingSettlement[]>();
  let flushScheduled = false;

  function flush(): void {
    flushScheduled = false;
    for (const [tag, batch] of pending) {
      pending.delete(tag);
      for (let from = 0; from < batch.length; from += MAX_SETTLEMENTS_PER_CALL) void settleBatch(batch.slice(from, from + MAX_SETTLEMENTS_PER_CALL));
    }
  }

  async function settleBatch(batch: PendingSettlement[]): Promise<void> {
    const keys: string[] = [];
    const argumentsList = [String(shape.windowMs), String(shape.slotMs), String(batch.length)];
    for (const { subjects, settlement, now } of batch) {
      keys.push(...keysOf(subjects));
      argumentsList.push(
        now === undefined ? '' : String(now),
        String(settlement.slot),
        String(settlement.tokenDelta),
        settlement.leaseId,
        String(settlement.costUsd),
        String(subjects.length),
      );
      for (const subject of subjects) {
        const { rpm, tpm, concurrency } = subject.limits;
        argumentsList.push(
          rpm !== undefined || tpm !== undefined ? '1' : '0',
          concurrency !== undefined ? '1' : '0',
          subject.budget ? '1' : '0',
          String(subject.budget?.remainingMs ?? 0),
        );
      }
    }
    try {
      await run(SETTLE_SHA, SETTLE_SCRIPT, keys, argumentsList);
      for (const entry of batch) entry.resolve();
    } catch (error) {
      for (const entry of batch) entry.reject(error);
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
    settle(subjects, settlement: Settlement, now) {
      if (subjects.length === 0) return Promise.resolve();
      return new Promise<void>((resolve, reject) => {
        const tag = hashTagOf(subjects[0].base);
        let batch = pending.get(tag);
        if (batch === undefined) pending.set(tag, (batch = []));
        batch.push({ subjects, settlement, now, resolve, reject });
        if (!flushScheduled) {
          flushScheduled = true;
          setImmediate(flush);
        }
      });
    },
  };
}
