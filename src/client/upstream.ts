import { withRetry } from '../core/retry.js';
import { trackStream } from '../observability/track-stream.js';
import type { DriverCallOptions, DriverGenerateResult, DriverV1 } from '../spec/driver.js';
import type { SwitchyardError } from '../spec/errors.js';
import type { ChatRequest } from '../spec/request.js';
import type { ClientContext, RequestScope } from './context.js';
import { runWithFallback } from './fallback.js';
import type { ModelTarget } from './model-resolver.js';
import { openStream, type OpenedStream } from './open-stream.js';
import { driverCallOptions, generationSettings } from './request-check.js';

/** A result together with the route member that produced it. */
export interface Answered<T> {
  target: ModelTarget;
  value: T;
}

/** Runs `attempt` with the target provider's retry settings, reporting each retry. */
function retryingOn<T>(context: ClientContext, target: ModelTarget, request: ChatRequest, scope: RequestScope, attempt: (number: number) => Promise<T>): Promise<T> {
  return withRetry(attempt, {
    maxRetries: context.config.providers[target.provider].retries,
    signal: request.signal,
    onRetry: ({ attempt: failed, delayMs, error }) =>
      context.observability.tracker.recordRetry({
        requestId: scope.requestId,
        provider: target.provider,
        model: target.model,
        attempt: failed + 1,
        delayMs,
        code: error.code,
      }),
  });
}

function fallbackReporter(context: ClientContext, request: ChatRequest, scope: RequestScope) {
  const route = Object.hasOwn(context.config.routes, request.model) ? request.model : undefined;
  return (from: ModelTarget, to: ModelTarget, error: SwitchyardError) =>
    context.observability.tracker.recordFallback({ requestId: scope.requestId, route, from: from.model, to: to.model, code: error.code });
}

/**
 * Runs `attempt` on the first target that answers: a balanced route's
 * deployments in the balancer's order, each target's driver with its
 * provider's retries, moving on to the next target per the fallback rules.
 */
function onFirstTarget<T>(
  context: ClientContext,
  request: ChatRequest,
  targets: ModelTarget[],
  scope: RequestScope,
  attempt: (driver: DriverV1, target: ModelTarget, options: DriverCallOptions, attempt: number) => Promise<T>,
): Promise<Answered<T>> {
  const settings = generationSettings(request);
  const { balancer } = context;
  return balancer.arrange(request.model, targets).then((arranged) =>
    runWithFallback(
      arranged,
      async (target) => {
        const driver = context.drivers.get(target.provider);
        const options = driverCallOptions(settings, target.modelId, request, scope.requestId);
        const value = await retryingOn(context, target, request, scope, (number) => balancer.observe(target, () => attempt(driver, target, options, number)));
        return { target, value };
      },
      fallbackReporter(context, request, scope),
    ),
  );
}

/** Generates on the first target that answers, retrying each per its provider's settings; every attempt is tracked. */
export function generateUpstream(context: ClientContext, request: ChatRequest, targets: ModelTarget[], scope: RequestScope): Promise<Answered<DriverGenerateResult>> {
  const { tracker } = context.observability;
  return onFirstTarget(context, request, targets, scope, (driver, target, options, attempt) =>
    tracker.track(
      'upstream',
      { requestId: scope.requestId, provider: target.provider, model: target.model, operation: 'generate', attempt },
      async (handle) => {
        const result = await driver.doGenerate(options);
        handle.set({ usage: result.usage, finishReason: result.finishReason });
        return result;
      },
      { parent: scope.handle },
    ),
  );
}

/**
 * Opens a stream on the first target that answers: retries and fallback act
 * until the first part arrives; after that a failure ends the stream. The
 * upstream operation stays open, tracked, until the stream ends.
 */
export function openUpstreamStream(context: ClientContext, request: ChatRequest, targets: ModelTarget[], scope: RequestScope): Promise<Answered<OpenedStream>> {
  const { tracker } = context.observability;
  return onFirstTarget(context, request, targets, scope, (driver, target, options, attempt) => {
    const handle = tracker.start(
      'upstream',
      { requestId: scope.requestId, provider: target.provider, model: target.model, operation: 'stream', attempt },
      { parent: scope.handle },
    );
    return openStream(trackStream(handle, driver.doStream(options)));
  });
}
