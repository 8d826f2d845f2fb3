import type { ResolvedConfig } from '../config/load.js';
import type { Observability } from '../observability/index.js';
import { createBalancer, type Balancer } from '../routing/balancer.js';
import { createRedisBreakerStore } from '../routing/redis-breaker-store.js';
import type { ClientServices } from './services.js';

/** Warn about a failing breaker store at most this often. */
const STORE_WARNING_INTERVAL_MS = 10_000;

/**
 * The client's balancer: breaker state in Redis when one is configured (so
 * every instance cools a deployment down together), else in this process;
 * a half-open probe may take as long as its provider's timeout. Breaker
 * transitions are logged as warnings.
 */
export function createClientBalancer(config: ResolvedConfig, services: ClientServices, observability: Observability): Balancer {
  const { logger } = observability;
  let warnedAt = 0;
  const hasBalancedRoutes = Object.keys(config.balancedRoutes).length > 0;
  return createBalancer({
    routes: config.balancedRoutes,
    store: hasBalancedRoutes && services.redis ? createRedisBreakerStore({ client: services.redis }) : undefined,
    probeMs: (provider) => config.providers[provider]?.timeoutMs ?? 30_000,
    onTransition: (route, deployment, state) => logger.warn({ route, deployment, state }, `deployment ${deployment} of route ${route} is now ${state}`),
    onStoreError: (error) => {
      if (Date.now() - warnedAt < STORE_WARNING_INTERVAL_MS) return;
      warnedAt = Date.now();
      logger.warn({ error: error instanceof Error ? error.message : String(error) }, 'circuit breaker state in Redis unavailable; using this instance\'s own');
    },
  });
}
