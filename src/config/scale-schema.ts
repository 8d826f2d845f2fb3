import { z } from 'zod';

/** How a balanced route picks among its deployments. */
export const BALANCING_STRATEGIES = ['weighted', 'least-busy', 'least-latency', 'most-headroom'] as const;
/** One of {@link BALANCING_STRATEGIES}. */
export type BalancingStrategy = (typeof BALANCING_STRATEGIES)[number];

/** One deployment of a balanced route: a `provider/model` (the provider carries its own URL, key and timeouts), its weight and limits. */
export const deploymentConfigSchema = z.strictObject({
  model: z.string().min(1),
  /** Share of traffic under `weighted`, relative to the others. Default 1. */
  weight: z.number().positive().optional(),
  /** Most requests in flight to it from one instance; more go to another deployment. */
  maxConcurrency: z.number().int().positive().optional(),
  /** Most requests per minute to it from one instance; more go to another deployment. */
  rpm: z.number().int().positive().optional(),
});

/** A circuit breaker's settings: this many failures in a row cool a deployment down for `seconds`. */
export const cooldownConfigSchema = z.strictObject({
  failures: z.number().int().positive().max(1000).optional(),
  seconds: z.number().positive().max(86_400).optional(),
});

/** A route standing for several deployments of one model, balanced, then its fallback models in order. */
export const balancedRouteSchema = z.strictObject({
  strategy: z.enum(BALANCING_STRATEGIES).optional(),
  deployments: z.array(deploymentConfigSchema).min(1),
  fallbacks: z.array(z.string().min(1)).optional(),
  cooldown: cooldownConfigSchema.optional(),
});

/** A route: an ordered fallback list, or balanced deployments. */
export const routeConfigSchema = z.union([z.array(z.string().min(1)).min(1), balancedRouteSchema]);

const CLUSTER_NODE = /^(\[[0-9a-fA-F:]+\]|[^:\s,[\]]+):(\d{1,5})$/;

/** `host:port,host:port,...` or a list of `host:port`: the seed nodes of a Redis Cluster. */
export const redisClusterNodesSchema = z
  .union([z.string(), z.array(z.string())])
  .transform((value, context) => {
    const entries = (Array.isArray(value) ? value : value.split(',')).map((entry) => entry.trim()).filter(Boolean);
    if (entries.length === 0) context.addIssue({ code: 'custom', message: 'names no node; expected host:port,host:port,...' });
    return entries.map((entry) => {
      const match = CLUSTER_NODE.exec(entry);
      const port = match ? Number(match[2]) : NaN;
      if (!match || port < 1 || port > 65_535) {
        context.addIssue({ code: 'custom', message: `"${entry}" is not host:port` });
        return { host: '', port: 0 };
      }
      return { host: match[1].replace(/^\[|\]$/g, ''), port };
    });
  });

/** A balanced route with every setting resolved. */
export interface ResolvedBalancedRoute {
  name: string;
  strategy: BalancingStrategy;
  deployments: { model: string; weight: number; maxConcurrency?: number; rpm?: number }[];
  fallbacks: string[];
  cooldown: { failures: number; seconds: number };
}

/** Defaults of a balanced route. */
export const BALANCED_ROUTE_DEFAULTS = { strategy: 'weighted', cooldown: { failures: 5, seconds: 30 } } as const;

/**
 * Splits the configured routes: fallback lists stay as they are; a balanced
 * route is resolved with its defaults and also listed as the fallback list
 * of its deployments then its fallbacks, so a route name resolves to every
 * member and the balancer only reorders the deployments.
 */
export function resolveRoutes(input: Record<string, z.output<typeof routeConfigSchema>> | undefined): {
  routes: Record<string, string[]>;
  balancedRoutes: Record<string, ResolvedBalancedRoute>;
} {
  // Null-prototype maps: a model named `constructor` must find nothing.
  const routes: Record<string, string[]> = Object.create(null);
  const balancedRoutes: Record<string, ResolvedBalancedRoute> = Object.create(null);
  for (const [name, route] of Object.entries(input ?? {})) {
    if (Array.isArray(route)) {
      routes[name] = route;
      continue;
    }
    const balanced: ResolvedBalancedRoute = {
      name,
      strategy: route.strategy ?? BALANCED_ROUTE_DEFAULTS.strategy,
      deployments: route.deployments.map((deployment) => ({ ...deployment, weight: deployment.weight ?? 1 })),
      fallbacks: route.fallbacks ?? [],
      cooldown: {
        failures: route.cooldown?.failures ?? BALANCED_ROUTE_DEFAULTS.cooldown.failures,
        seconds: route.cooldown?.seconds ?? BALANCED_ROUTE_DEFAULTS.cooldown.seconds,
      },
    };
    balancedRoutes[name] = balanced;
    routes[name] = [...balanced.deployments.map((deployment) => deployment.model), ...balanced.fallbacks];
  }
  return { routes, balancedRoutes };
}
