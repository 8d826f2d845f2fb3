import type { DeploymentSnapshot } from '../routing/balancer.js';
import { registerDeploymentMetrics } from '../observability/deployment-metrics.js';
import type { ServerResponse } from 'node:http';
import type { Switchyard } from '../client/types.js';
import { createObservability, type Observability, type StatsSnapshot, type TrackHandle } from '../observability/index.js';
import type { RequestOperation } from '../observability/events.js';
import type { PoolStats } from '../spec/driver.js';
import type { CacheStatus, FinishReason, Usage } from '../spec/response.js';

/** What a model route learned about its answer, for stats. */
export interface CallOutcome {
  provider: string;
  model: string;
  cache: CacheStatus;
  usage?: Usage;
  cost?: number | null;
  finishReason?: FinishReason;
}

/** One gateway HTTP request as the monitor follows it. */
export interface GatewayCall {
  readonly requestId: string;
  tenant?: string;
  /** The answer of the model call, once it succeeded. */
  readonly outcome?: CallOutcome;
  /** Called once with the answer as soon as it is known, before the response ends (limits settle and spend record it then). */
  onOutcome?: (outcome: CallOutcome) => void;
  /** Called once when the response closes (after the record is finished): settles what the request holds. */
  onClose?: () => void;
  /** Aborts when the client goes away before the response ended (made on first use: one per request at most). */
  readonly signal: AbortSignal;
  /** Starts following a model call (chat, stream, embed) on this request. */
  beginModelCall(operation: RequestOperation, model: string): void;
  /**
   * The operation to hand the client as `parent` (its CallOptions): the
   * client's upstream time then adds up to this request, so the overhead
   * figure is the gateway's and the client's own time only.
   */
  parent(): TrackHandle;
  /** Records the answer of the model call. */
  succeed(outcome: CallOutcome): void;
  /** Records the failure of the model call (the HTTP status comes from the reply). */
  fail(error: unknown): void;
  /** Milliseconds since the request arrived. */
  elapsedMs(): number;
  /** Time in the gateway so far, upstream excluded: the `x-switchyard-overhead-ms` figure. */
  overheadMs(): number;
}

/** The dashboard's JSON: the observability snapshot plus the gateway's own figures. */
export interface GatewayStats extends StatsSnapshot {
  pools: Record<string, PoolStats>;
  /** Balanced routes' deployments: breaker state, traffic share, latency. */
  deployments: DeploymentSnapshot[];
  gateway: { uptimeSeconds: number; startedAt: string; tenants: number; authRequired: boolean };
}

/** Gateway tracking: the one place that records every HTTP request, feeding /metrics and /api/stats. */
export interface GatewayMonitor {
  readonly observability: Observability;
  /** Starts following a request; `route` is the route pattern, never the raw URL. */
  begin(requestId: string, route: string, method: string): GatewayCall;
  /** Finishes the request once its response closed (sent, or the client went away: 499). */
  finish(call: GatewayCall, response: ServerResponse): void;
  stats(extra: { tenants: number; authRequired: boolean }): GatewayStats;
  close(): Promise<void>;
}

/**
 * Creates the gateway monitor. With monitoring on in the client's config, the
 * gateway records its HTTP requests in `ai.observability`, where the client
 * records its own calls (nested under them through `parent`). With
 * monitoring off (the development and test profiles) the gateway still needs
 * its dashboard: it builds its own observability with monitoring on and
 * records each model call as a client request there itself.
 */
export function createGatewayMonitor(ai: Switchyard): GatewayMonitor {
  const shared = ai.observability.monitoring ? ai.observability : undefined;
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
  const unregisterDeployments = Object.keys(ai.config.balancedRoutes).length > 0 ? registerDeploymentMetrics(observability.metrics.registry, () => ai.deployments()) : () => undefined;
  const startedAt = Date.now();
  const { tracker } = observability;

  class TrackedGatewayCall implements GatewayCall {
    tenant?: string;
    outcome?: CallOutcome;
    onOutcome?: (outcome: CallOutcome) => void;
    onClose?: () => void;
    controller: AbortController | undefined;
    modelCall: TrackHandle<'request'> | undefined;
    modelCallOpen = false;
    /** The error the response reports, for the gateway record. */
    error: unknown;

    constructor(
      readonly requestId: string,
      readonly gateway: TrackHandle<'gateway'>,
    ) {}

    get signal(): AbortSignal {
      return (this.controller ??= new AbortController()).signal;
    }

    beginModelCall(operation: RequestOperation, model: string): void {
      this.modelCallOpen = true;
      this.gateway.set({ tenant: this.tenant });
      if (recordsModelCalls) this.modelCall = tracker.start('request', { requestId: this.requestId, operation, model, tenant: this.tenant }, { parent: this.gateway });
    }

    parent(): TrackHandle {
      return this.modelCall ?? this.gateway;
    }

    succeed(outcome: CallOutcome): void {
      if (!this.modelCallOpen) return;
      this.outcome = outcome;
      this.onOutcome?.(outcome);
      this.modelCallOpen = false;
      this.modelCall?.set({ ...outcome }).end();
    }

    fail(error: unknown): void {
      this.error = error;
      if (!this.modelCallOpen) return;
      this.modelCallOpen = false;
      this.modelCall?.fail(error);
    }

    elapsedMs(): number {
      return this.gateway.elapsedMs();
    }

    overheadMs(): number {
      return this.gateway.overheadMs();
    }
  }

  return {
    observability,
    begin(requestId, route, method) {
      return new TrackedGatewayCall(requestId, tracker.start('gateway', { requestId, route, method }));
    },
    finish(call, response) {
      if (!(call instanceof TrackedGatewayCall)) return;
      const statusCode = response.writableFinished ? response.statusCode : 499;
      // A model call still open here lost its client mid-way.
      if (call.modelCallOpen) call.fail(Object.assign(new Error('the client closed the request'), { name: 'AbortError' }));
      call.gateway.set({ statusCode });
      if (statusCode >= 500) call.gateway.fail(call.error ?? new Error(`status ${statusCode}`));
      else call.gateway.end();
      call.onClose?.();
      // The request's own `close` fires once the body is read; the response's `close` before it finished is the disconnect.
      if (call.controller && !response.writableFinished) call.controller.abort(new Error('the client closed the request'));
    },
    stats(extra) {
      return {
        ...observability.snapshot(),
        pools: ai.poolStats(),
        deployments: ai.deployments(),
        gateway: { uptimeSeconds: (Date.now() - startedAt) / 1000, startedAt: new Date(startedAt).toISOString(), ...extra },
      };
    },
    async close() {
      unregisterPools();
      unregisterDeployments();
      if (recordsModelCalls) await observability.close();
    },
  };
}
