import type { AdmitResult, LimitBackend, LimitFigure, RejectionReason, WindowShape } from './limit-types.js';

interface SubjectState {
  /** slot -> [requests, tokens] */
  slots: Map<number, [number, number]>;
  /** lease id -> expiry (epoch ms) */
  leases: Map<string, number>;
  /** period id -> dollars spent */
  budgets: Map<string, number>;
}

/**
 * Limits counted in this process, with the same sliding window, leases and
 * budget counters as the Redis script: used without Redis, and while Redis is
 * unreachable (each instance then enforces the full limits on its own).
 */
export function createMemoryLimitBackend(shape: WindowShape): LimitBackend {
  const states = new Map<string, SubjectState>();
  const slotCount = Math.floor(shape.windowMs / shape.slotMs);

  function stateOf(base: string): SubjectState {
    let state = states.get(base);
    if (!state) states.set(base, (state = { slots: new Map(), leases: new Map(), budgets: new Map() }));
    return state;
  }

  function retryFor(state: SubjectState, used: number, need: number, limit: number, index: 0 | 1, now: number): number {
    if (need > limit) return shape.windowMs;
    let freed = 0;
    for (const slot of [...state.slots.keys()].sort((a, b) => a - b)) {
      freed += state.slots.get(slot)![index];
      if (used - freed + need <= limit) return (slot + slotCount) * shape.slotMs - now;
    }
    return shape.windowMs;
  }

  return {
    async admit(subjects, tokens, leaseId, now = Date.now()) {
      const current = Math.floor(now / shape.slotMs);
      const oldest = current - slotCount + 1;
      let reason: RejectionReason | undefined;
      let retryAfterMs = 0;
      let requests: LimitFigure | undefined;
      let tokenFigure: LimitFigure | undefined;
      const reject = (why: RejectionReason, retryMs: number) => {
        reason = why;
        retryAfterMs = Math.max(1, retryMs);
      };
      for (const subject of subjects) {
        const state = stateOf(subject.base);
        const { rpm, tpm, concurrency } = subject.limits;
        if (subject.budget && reason === undefined) {
          const { periodId, seedUsd, usd, remainingMs } = subject.budget;
          if (!state.budgets.has(periodId)) {
            state.budgets.clear(); // a new period: the old counter is done with
            state.budgets.set(periodId, seedUsd);
          }
          if (state.budgets.get(periodId)! >= usd) reject('budget', remainingMs > 0 ? remainingMs : 86_400_000);
        }
        if (rpm !== undefined || tpm !== undefined) {
          let usedRequests = 0;
          let usedTokens = 0;
          let newest = -1;
          for (const [slot, [slotRequests, slotTokens]] of state.slots) {
            if (slot < oldest) {
              state.slots.delete(slot);
              continue;
            }
            usedRequests += slotRequests;
            usedTokens += slotTokens;
            if (slotRequests > 0 && slot > newest) newest = slot;
          }
          if (rpm !== undefined) {
            if (reason === undefined && usedRequests + 1 > rpm) reject('rpm', retryFor(state, usedRequests, 1, rpm, 0, now));
            const last = reason === undefined ? current : newest;
            const figure = { limit: rpm, remaining: Math.max(rpm - usedRequests - (reason === undefined ? 1 : 0), 0), resetMs: last >= 0 ? (last + slotCount) * shape.slotMs - now : 0 };
            if (!requests || figure.remaining < requests.remaining) requests = figure;
          }
          if (tpm !== undefined) {
            if (reason === undefined && usedTokens + tokens > tpm) reject('tpm', retryFor(state, usedTokens, tokens, tpm, 1, now));
            const figure = { limit: tpm, remaining: Math.max(tpm - usedTokens - (reason === undefined ? tokens : 0), 0), resetMs: (current + slotCount) * shape.slotMs - now };
            if (!tokenFigure || figure.remaining < tokenFigure.remaining) tokenFigure = figure;
          }
        }
        if (concurrency !== undefined) {
          for (const [lease, expiry] of state.leases) if (expiry <= now) state.leases.delete(lease);
          if (reason === undefined && state.leases.size >= concurrency) reject('concurrency', 1000);
        }
      }
      if (reason === undefined) {
        for (const subject of subjects) {
          const state = stateOf(subject.base);
          const { rpm, tpm, concurrency } = subject.limits;
          if (rpm !== undefined || tpm !== undefined) {
            const counts = state.slots.get(current) ?? [0, 0];
            state.slots.set(current, [counts[0] + 1, counts[1] + tokens]);
          }
          if (concurrency !== undefined) state.leases.set(leaseId, now + shape.leaseTtlMs);
        }
      }
      const result: AdmitResult = { allowed: reason === undefined, retryAfterMs, slot: current };
      if (reason) result.reason = reason;
      if (requests) result.requests = requests;
      if (tokenFigure) result.tokens = tokenFigure;
      return result;
    },
    async settle(subjects, settlement, now = Date.now()) {
      const oldest = Math.floor(now / shape.slotMs) - slotCount + 1;
      for (const subject of subjects) {
        const state = stateOf(subject.base);
        const counts = state.slots.get(settlement.slot);
        if (counts && settlement.slot >= oldest) counts[1] = Math.max(0, counts[1] + settlement.tokenDelta);
        state.leases.delete(settlement.leaseId);
        if (subject.budget && settlement.costUsd > 0) {
          const { periodId, seedUsd } = subject.budget;
          state.budgets.set(periodId, (state.budgets.get(periodId) ?? seedUsd) + settlement.costUsd);
        }
      }
    },
  };
}
