import type { CacheLayerName } from '../cache/cache-layer.js';
import { parseCachedResponse, type CachedResponse } from '../cache/response-cache-entry.js';
import { startDeadline, type Deadline } from '../core/deadline.js';
import { withRetry } from '../core/retry.js';
import type { DriverCallOptions } from '../spec/driver.js';
import type { SwitchyardError } from '../spec/errors.js';
import type { ChatRequest } from '../spec/request.js';
import type { ClientContext, RequestScope } from './context.js';
import { runWithFallback } from './fallback.js';
import type { ModelTarget } from './model-resolver.js';
import { driverCallOptions, generationSettings } from './request-check.js';
import type { ResponseCachePlan } from './response-caching.js';

/** One call as every layer of the pipeline sees it. */
export interface PipelineCall {
  readonly context: ClientContext;
  /** The request; a single flight replaces its signal with the flight's own. */
  readonly request: ChatRequest;
  readonly scope: RequestScope;
  /** The route's members in order (one for a plain model). */
  readonly targets: ModelTarget[];
  /** How this call uses the response cache; undefined bypasses it. */
  readonly plan: ResponseCachePlan | undefined;
}

/** The rest of the pipeline below a layer. */
export type Next<Answer> = (call: PipelineCall) => Promise<Answer>;

/**
 * What differs between the two shapes of call, generate and stream, in one
 * place. The layers (cache lookup, single flight, cache write, fallback,
 * retry) are written once against it and apply to both alike.
 */
export interface CallShape<Answer> {
  readonly operation: 'generate' | 'stream';
  /** One attempt on one target's driver, tracked as an upstream operation, under the target's `deadline`; a stream has surfaced its first content. */
  attempt(call: PipelineCall, target: ModelTarget, options: DriverCallOptions, attempt: number, deadline: Deadline): Promise<Answer>;
  /** The answer of a cache hit. */
  fromCache(call: PipelineCall, cached: CachedResponse, layer: CacheLayerName): Answer;
  /** Arranges for the answer to be written (`write` takes the serialized entry) once complete and finished well. */
  store(call: PipelineCall, answer: Answer, write: (entry: string) => Promise<void>): Promise<Answer>;
  /** Runs `next` once for identical concurrent calls (key: the cache key); each caller gets its own answer. */
  share(call: PipelineCall, key: string, next: Next<Answer>): Promise<Answer>;
}

/** One layer around the driver call. */
export type Layer = <Answer>(call: PipelineCall, shape: CallShape<Answer>, next: Next<Answer>) => Promise<Answer>;

// A layer with nothing to do passes the call straight down (no async step of its own).

/** Cache lookup: a readable, cached answer is returned without going further. */
export const cacheLookup: Layer = (call, shape, next) => (call.plan?.decision.read ? lookUp(call, call.plan.key, shape, next) : next(call));

async function lookUp<Answer>(call: PipelineCall, key: string, shape: CallShape<Answer>, next: Next<Answer>): Promise<Answer> {
  const cache = await call.context.services.cache();
  const hit = await cache.get(key);
  const cached = hit && parseCachedResponse(hit.value);
  return hit && cached ? shape.fromCache(call, cached, hit.layer) : next(call);
}

/** Single flight: identical concurrent calls that may both read and write the cache share one upstream answer. */
export const singleFlight: Layer = (call, shape, next) => {
  const plan = call.plan;
  return plan?.decision.read && plan.decision.write ? shape.share(call, plan.key, next) : next(call);
};

/** Cache write: the answer is stored once complete (a stream: when its finish part passes). */
export const cacheWrite: Layer = (call, shape, next) => (call.plan?.decision.write ? store(call, call.plan, shape, next) : next(call));

async function store<Answer>(call: PipelineCall, plan: ResponseCachePlan, shape: CallShape<Answer>, next: Next<Answer>): Promise<Answer> {
  const answer = await next(call);
  const cache = await call.context.services.cache();
  return shape.store(call, answer, async (entry) => {
    await cache.set(plan.key, entry, plan.decision.ttlMs);
  });
}

/**
 * Fallback and retry around the driver: the route's targets in order (a
 * balanced route's deployments as the balancer arranges them), each with its
 * provider's retries; a failure on the provider's side moves on to
 * the next target. A stream is retried only until its first content part.
 */
export const upstream = async <Answer>(call: PipelineCall, shape: CallShape<Answer>): Promise<Answer> => {
  const { context, request, scope } = call;
  const { tracker } = context.observability;
  const { balancer } = context;
  const settings = generationSettings(request);
  // A balanced route's deployments in the balancer's order; each attempt is counted for the balancer.
  const arranged = balancer.balances(request.model) ? await balancer.arrange(request.model, call.targets) : call.targets;
  return runWithFallback(
    arranged,
    async (target) => {
      // One deadline over the target's whole call, retries included (a stream's: until its first content); no retry wait passes it.
      const deadline = startDeadline(context.config.providers[target.provider].timeoutMs, { provider: target.provider, signal: request.signal });
      const driverOptions = driverCallOptions(settings, target.modelId, { ...request, signal: deadline.signal }, scope.requestId);
      try {
        return await withRetry((attempt) => balancer.observe(target, () => shape.attempt(call, target, driverOptions, attempt, deadline)), {
          maxRetries: context.config.providers[target.provider].retries,
          signal: deadline.signal,
          deadline: deadline.expiresAt,
          onRetry: ({ attempt, delayMs, error }) =>
            tracker.recordRetry({ requestId: scope.requestId, provider: target.provider, model: target.model, attempt: attempt + 1, delayMs, code: error.code }),
        });
      } catch (error) {
        throw deadline.explain(error);
      } finally {
        deadline.clear();
      }
    },
    (from: ModelTarget, to: ModelTarget, error: SwitchyardError) =>
      tracker.recordFallback({ requestId: scope.requestId, route: routeOf(call), from: from.model, to: to.model, code: error.code }),
  );
};

/** The layers, outermost first; the driver call (through fallback and retry) is below the last. */
export const LAYERS: readonly Layer[] = [cacheLookup, singleFlight, cacheWrite];

/** Runs one call through every layer, for either shape. */
export function runPipeline<Answer>(call: PipelineCall, shape: CallShape<Answer>): Promise<Answer> {
  const dispatch = (index: number, current: PipelineCall): Promise<Answer> =>
    index < LAYERS.length ? LAYERS[index](current, shape, (below) => dispatch(index + 1, below)) : upstream(current, shape);
  return dispatch(0, call);
}

/** The call with the request's signal replaced (a single flight runs under its own). */
export function withSignal(call: PipelineCall, signal: AbortSignal): PipelineCall {
  return { ...call, request: { ...call.request, signal } };
}

function routeOf(call: PipelineCall): string | undefined {
  return Object.hasOwn(call.context.config.routes, call.request.model) ? call.request.model : undefined;
}
