import type { ServerResponse } from 'node:http';
import { performance } from 'node:perf_hooks';
import type { Switchyard } from '../client/types.js';
import { createObservability, type Observability, type ResponseEvent, type StatsSnapshot, type TrackHandle } from '../observability/index.js';
import type { RequestOperation } from '../observability/events.js';
import type { PoolStats } from '../spec/driver.js';
import type { CacheStatus, FinishReason, Usage } from '../spec/response.js';

/** What a model route learned about its answer, for stats and headers. */
export interface CallOutcome {
  provider: string;
  model: string;
  cache: CacheStatus;
  usage?: Usage;
  cost?: number | null;
  finishReason?: FinishReason;
  /** The client's own latency for this call (`response.latencyMs`). */
  clientLatencyMs?: number;
}

/** One gateway HTTP request as the monitor follows it. */
export interface GatewayCall {
  readonly requestId: string;
  tenant?: string;
  /** Starts following a model call (chat, stream, embed) on this request. */
  beginModelCall(operation: RequestOperation, model: string): void;
  /** Records the answer of the model call. */
  succeed(outcome: CallOutcome): void;
  /** Records the failure of the model call (the HTTP status comes from the reply). */
  fail(error: unknown): void;
  /** Upstream time of the model call: the client's `response` event when it reports one, else an estimate. */
  upstreamMs(outcome?: Pick<CallOutcome, 'cache' | 'clientLatencyMs'>): number;
  /** Milliseconds since the request arrived. */
  elapsedMs(): number;
  /** Time in the gateway, upstream excluded: the `x-switchyard-overhead-ms` figure. */
  overheadMs(outcome?: Pick<CallOutcome, 'cache' | 'clientLatencyMs'>): number;
}

/** The dashboard's JSON: the observability snapshot plus the gateway's own figures. */
export interface GatewayStats extends StatsSnapshot {
  pools: Record<string, PoolStats>;
  gateway: { uptimeSeconds: number; startedAt: string; tenants: number; authRequired: boolean };
}

/** Gateway tracking: one place that records every HTTP request and feeds /metrics and /api/stats. */
export interface GatewayMonitor {
  readonly observability: Observability;
  /** Starts following a request; `route` is the route pattern, never the raw URL. */
  begin(requestId: string, route: string, method: string): GatewayCall;
  /** Finishes the request once its response closed (sent, or the client went away). */
  finish(call: GatewayCall, response: ServerResponse): void;
  stats(extra: { tenants: number; authRequired: boolean }): GatewayStats;
  close(): Promise<void>;
}

interface ClientWithObservability {
  observability?: Observability;
}

/**
 * Creates the gateway monitor. When the client exposes `ai.observability`
 * with monitoring on (it then records its own client requests), the gateway
 * records only its HTTP requests there; otherwise it builds its own
 * observability, with monitoring on whatever the profile (the dashboard is
 * part of the gateway), and records each model call as a client request too. Upstream time comes from the client's
 * `response` event when it emits one, else a miss counts the client's whole
 * latency as upstream (so the overhead figure errs low, never high).
 */
export function createGatewayMonitor(ai: Switchyard): GatewayMonitor {
  const candidate = (ai as unknown as ClientWithObservability).observability;
  // The client's own observability serves only when it monitors; the dashboard needs figures in every profile.
  const shared = candidate?.monitoring ? candidate : undefined;
  const observability =
    shared ??
    createObservability({
      profile: ai.config.env,
      monitoring: true,
      logLevel: ai.config.observability.logLevel,
      includeContent: ai.config.observability.includeContent,
    });
  const recordsModelCalls = shared === undefined;
  const unregisterPools = recordsModelCalls ? observability.metrics.registerPoolSource(() => ai.poolStats()) : () => undefined;
  const reportedUpstream = new Map<string, number>();
  const following = new Set<string>();
  const stopListening = ai.on('response', (event: ResponseEvent) => {
    if (following.has(event.requestId)) reportedUpstream.set(event.requestId, event.upstreamMs);
  });
  const startedAt = Date.now();
  const { tracker } = observability;

  function upstreamMsOf(requestId: string, outcome?: Pick<CallOutcome, 'cache' | 'clientLatencyMs'>): number {
    const reported = reportedUpstream.get(requestId);
    if (reported !== undefined) return reported;
    if (!outcome || outcome.cache.startsWith('hit-')) return 0;
    return outcome.clientLatencyMs ?? 0;
  }

  class TrackedGatewayCall implements GatewayCall {
    tenant?: string;
    modelCall: TrackHandle<'request'> | undefined;
    /** The error the response reports, for the gateway record. */
    error: unknown;
    modelCallStartedAt = 0;
    modelCallOpen = false;

    constructor(
      readonly requestId: string,
      readonly gateway: TrackHandle<'gateway'>,
    ) {}

    beginModelCall(operation: RequestOperation, model: string): void {
      this.modelCallStartedAt = performance.now();
      this.modelCallOpen = true;
      this.gateway.set({ tenant: this.tenant });
      if (recordsModelCalls) this.modelCall = tracker.start('request', { requestId: this.requestId, operation, model, tenant: this.tenant }, { parent: this.gateway });
    }

    succeed(outcome: CallOutcome): void {
      if (!this.modelCallOpen) return;
      this.modelCallOpen = false;
      // Upstream time added to the model call reaches its parent, the gateway record, too.
      (this.modelCall ?? this.gateway).addUpstreamTime(upstreamMsOf(this.requestId, outcome));
      if (!this.modelCall) return;
      const { provider, model, cache, usage, cost, finishReason } = outcome;
      this.modelCall.set({ provider, model, cache, usage, cost, finishReason });
      this.modelCall.end();
    }

    fail(error: unknown): void {
      this.error = error;
      if (!this.modelCallOpen) return;
      this.modelCallOpen = false;
      // As for a miss: the client's time on a failed call (attempts, retry waits) counts as upstream, so overhead errs low.
      (this.modelCall ?? this.gateway).addUpstreamTime(reportedUpstream.get(this.requestId) ?? performance.now() - this.modelCallStartedAt);
      this.modelCall?.fail(error);
    }

    upstreamMs(outcome?: Pick<CallOutcome, 'cache' | 'clientLatencyMs'>): number {
      return upstreamMsOf(this.requestId, outcome);
    }

    elapsedMs(): number {
      return this.gateway.elapsedMs();
    }

    overheadMs(outcome?: Pick<CallOutcome, 'cache' | 'clientLatencyMs'>): number {
      return Math.max(0, this.gateway.elapsedMs() - upstreamMsOf(this.requestId, outcome));
    }
  }

  function begin(requestId: string, route: string, method: string): GatewayCall {
    following.add(requestId);
    return new TrackedGatewayCall(requestId, tracker.start('gateway', { requestId, route, method }));
  }

  return {
    observability,
    begin,
    finish(call, response) {
      if (!(call instanceof TrackedGatewayCall)) return;
      const statusCode = response.writableFinished ? response.statusCode : 499;
      // A model call still open here lost its client mid-way.
      if (call.modelCallOpen) call.fail(Object.assign(new Error('the client closed the request'), { name: 'AbortError' }));
      call.gateway.set({ statusCode });
      if (statusCode >= 500) call.gateway.fail(call.error ?? new Error(`status ${statusCode}`));
      else call.gateway.end();
      following.delete(call.requestId);
      reportedUpstream.delete(call.requestId);
    },
    stats(extra) {
      return {
        ...observability.snapshot(),
        pools: ai.poolStats(),
        gateway: { uptimeSeconds: (Date.now() - startedAt) / 1000, startedAt: new Date(startedAt).toISOString(), ...extra },
      };
    },
    async close() {
      stopListening();
      unregisterPools();
      following.clear();
      reportedUpstream.clear();
      if (recordsModelCalls) await observability.close();
    },
  };
}
