import type { ResolvedBalancedRoute } from '../config/scale-schema.js';
import { SwitchyardError } from '../spec/errors.js';
import type { BreakerSettings, BreakerStore } from './breaker-store.js';
import { createMemoryBreakerStore } from './breaker-store.js';
import { createCircuitBreakers, type BreakerState } from './circuit-breakers.js';
import { createDeploymentStats, type Headroom } from './deployment-stats.js';
import { orderCandidates, type Candidate } from './strategies.js';

/** What the balancer needs of a target: its `provider/model`. */
export interface RoutedTarget {
  provider: string;
  model: string;
}

/** One deployment's state and figures in this instance, for the dashboard and `/metrics`. */
export interface DeploymentSnapshot {
  route: string;
  deployment: string;
  state: BreakerState;
  inFlight: number;
  /** Moving-average latency; null before the first answer. */
  latencyMs: number | null;
  requests: number;
  successes: number;
  failures: number;
  /** This deployment's part of the calls sent to its route's deployments by this instance, 0..1. */
  share: number;
}

/** Options for {@link createBalancer}. */
export interface BalancerOptions {
  routes: Record<string, ResolvedBalancedRoute>;
  /** Shared breaker state (Redis); default this process's memory. */
  store?: BreakerStore;
  /** How long a half-open probe may take, per provider (its timeout). Default 30 s. */
  probeMs?: (provider: string) => number;
  onTransition?: (route: string, deployment: string, state: BreakerState) => void;
  onStoreError?: (error: unknown) => void;
  random?: () => number;
}

/**
 * Picks among a route's deployments per its strategy, skipping those cooled
 * down by their circuit breaker or at their limits, and counts every call
 * made to them. A route name that is not balanced passes through unchanged.
 */
export interface Balancer {
  /**
   * Orders one request's targets: the deployments to use, best first (a
   * half-open probe before all), then the route's fallbacks. Throws
   * `upstream_unavailable` (503) when no deployment may be used and there
   * is no fallback.
   */
  arrange<T extends RoutedTarget>(route: string, targets: T[]): Promise<T[]>;
  /** True when `route` is a balanced route (`arrange` has something to do). */
  balances(route: string): boolean;
  /** Runs one call to `target` (a value `arrange` returned), counting it for its deployment and breaker. */
  observe<T>(target: RoutedTarget, run: () => Promise<T>): Promise<T>;
  /** Records what a provider's rate-limit headers said (for `most-headroom`). */
  reportHeadroom(provider: string, headroom: Headroom): void;
  snapshot(): DeploymentSnapshot[];
  close(): Promise<void>;
}

interface Placement {
  route: ResolvedBalancedRoute;
  key: string;
  probe: boolean;
  settings: BreakerSettings;
}

/** Errors that count against a deployment: its side failed (5xx, 429, timeouts, connections), not the request. */
function isDeploymentFailure(error: unknown): boolean {
  if (!SwitchyardError.is(error) || error.code === 'aborted') return false;
  return error.isRetryable || error.code === 'rate_limited' || error.code.endsWith('_timeout') || error.code === 'connection_failed' || (error.status !== undefined && error.status >= 500);
}

/** Failures further apart than this do not add up. */
const FAILURE_WINDOW_MS = 60_000;

/** Creates a balancer over the configured balanced routes. */
export function createBalancer(options: BalancerOptions): Balancer {
  const stats = createDeploymentStats();
  const headrooms = new Map<string, Headroom>();
  const placements = new WeakMap<object, Placement>();
  const random = options.random ?? Math.random;
  const breakers = createCircuitBreakers({
    store: options.store ?? createMemoryBreakerStore(),
    fallback: createMemoryBreakerStore(),
    onStoreError: options.onStoreError,
    onTransition: (key, state) => {
      const [route, deployment] = splitKey(key);
      options.onTransition?.(route, deployment, state);
    },
  });

  const keyOf = (route: string, model: string) => `${route}|${model}`;
  const splitKey = (key: string): [string, string] => [key.slice(0, key.indexOf('|')), key.slice(key.indexOf('|') + 1)];

  function settingsOf(route: ResolvedBalancedRoute, provider: string): BreakerSettings {
    return {
      failures: route.cooldown.failures,
      cooldownMs: Math.round(route.cooldown.seconds * 1000),
      windowMs: Math.max(FAILURE_WINDOW_MS, Math.round(route.cooldown.seconds * 1000)),
      probeMs: options.probeMs?.(provider) ?? 30_000,
    };
  }

  return {
    balances: (routeName) => Object.hasOwn(options.routes, routeName),
    async arrange(routeName, targets) {
      const route = Object.hasOwn(options.routes, routeName) ? options.routes[routeName] : undefined;
      if (route === undefined) return targets;
      const deployments = targets.slice(0, route.deployments.length);
      const fallbacks = targets.slice(route.deployments.length);
      const now = Date.now();
      const decided = await Promise.all(
        deployments.map(async (target, index) => {
          const configured = route.deployments[index];
          const key = keyOf(route.name, configured.model);
          const figures = stats.figures(key);
          const atLimit =
            (configured.maxConcurrency !== undefined && figures.inFlight >= configured.maxConcurrency) ||
            (configured.rpm !== undefined && stats.callsInLastMinute(key, now) >= configured.rpm);
          const settings = settingsOf(route, target.provider);
          const admission = atLimit ? 'skip' : await breakers.admit(key, settings);
          return { target, key, settings, admission, candidate: { key, weight: configured.weight, figures, headroom: headrooms.get(target.provider) } satisfies Candidate };
        }),
      );
      const probes = decided.filter((entry) => entry.admission === 'probe');
      const open = decided.filter((entry) => entry.admission === 'go');
      const order = orderCandidates(route.strategy, open.map((entry) => entry.candidate), random, now);
      const chosen = [...probes, ...order.map((candidate) => open.find((entry) => entry.candidate === candidate)!)];
      if (chosen.length === 0 && fallbacks.length === 0) {
        throw new SwitchyardError({
          code: 'upstream_unavailable',
          status: 503,
          isRetryable: true,
          message: `every deployment of route "${route.name}" is cooling down or at its limit`,
        });
      }
      return [
        ...chosen.map((entry) => {
          const placed = { ...entry.target };
          placements.set(placed, { route, key: entry.key, probe: entry.admission === 'probe', settings: entry.settings });
          return placed;
        }),
        ...fallbacks,
      ];
    },
    async observe(target, run) {
      const placement = placements.get(target);
      if (placement === undefined) return run();
      const end = stats.start(placement.key);
      const startedAt = performance.now();
      try {
        const value = await run();
        end({ ok: true, latencyMs: performance.now() - startedAt });
        breakers.success(placement.key, placement.probe);
        return value;
      } catch (error) {
        end({ ok: false });
        if (isDeploymentFailure(error)) await breakers.failure(placement.key, placement.settings, placement.probe);
        else if (placement.probe) breakers.abandon(placement.key);
        throw error;
      }
    },
    reportHeadroom(provider, headroom) {
      headrooms.set(provider, headroom);
    },
    snapshot() {
      const snapshots: DeploymentSnapshot[] = [];
      for (const route of Object.values(options.routes)) {
        const keys = route.deployments.map((deployment) => keyOf(route.name, deployment.model));
        const total = keys.reduce((sum, key) => sum + stats.figures(key).requests, 0);
        route.deployments.forEach((deployment, index) => {
          const figures = stats.figures(keys[index]);
          snapshots.push({
            route: route.name,
            deployment: deployment.model,
            state: breakers.state(keys[index]),
            inFlight: figures.inFlight,
            latencyMs: figures.latencyMs === undefined ? null : Math.round(figures.latencyMs * 10) / 10,
            requests: figures.requests,
            successes: figures.successes,
            failures: figures.failures,
            share: total === 0 ? 0 : figures.requests / total,
          });
        });
      }
      return snapshots;
    },
    close: () => breakers.stop(),
  };
}
