import type { ResolvedConfig } from '../config/load.js';
import { withRetry } from '../core/retry.js';
import type { SwitchyardEvents } from '../observability/events.js';
import type { DriverGenerateResult } from '../spec/driver.js';
import type { ChatRequest } from '../spec/request.js';
import type { DriverRegistry } from './driver-registry.js';
import { runWithFallback } from './fallback.js';
import type { ModelTarget } from './model-resolver.js';
import { openStream, type OpenedStream } from './open-stream.js';
import { generationSettings } from './request-check.js';

/** What an upstream call needs from the client. */
export interface UpstreamContext {
  config: ResolvedConfig;
  drivers: DriverRegistry;
  events: SwitchyardEvents;
}

/** Accumulates the time spent waiting on providers, over every attempt. */
export interface UpstreamTiming {
  upstreamMs: number;
}

/** A result together with the route member that produced it. */
export interface Answered<T> {
  target: ModelTarget;
  value: T;
}

function retryingOn<T>(
  context: UpstreamContext,
  target: ModelTarget,
  request: ChatRequest,
  requestId: string,
  timing: UpstreamTiming,
  call: () => Promise<T>,
): Promise<T> {
  return withRetry(
    async () => {
      const started = performance.now();
      try {
        return await call();
      } finally {
        timing.upstreamMs += performance.now() - started;
      }
    },
    {
      maxRetries: context.config.providers[target.provider].retries,
      signal: request.signal,
      onRetry: ({ attempt, delayMs, error }) => {
        if (context.events.has('retry')) {
          context.events.emit('retry', { requestId, provider: target.provider, model: target.model, attempt: attempt + 1, delayMs, code: error.code, timestamp: Date.now() });
        }
      },
    },
  );
}

function onFallback(context: UpstreamContext, request: ChatRequest, requestId: string) {
  return (from: ModelTarget, to: ModelTarget, error: { code: import('../spec/errors.js').ErrorCode }) => {
    if (context.events.has('fallback')) {
      const route = context.config.routes[request.model] ? request.model : undefined;
      context.events.emit('fallback', { requestId, route, from: from.model, to: to.model, code: error.code, timestamp: Date.now() });
    }
  };
}

/** Generates on the first target that answers, retrying each per its provider's settings. */
export function generateUpstream(
  context: UpstreamContext,
  request: ChatRequest,
  targets: ModelTarget[],
  requestId: string,
  timing: UpstreamTiming,
): Promise<Answered<DriverGenerateResult>> {
  const settings = generationSettings(request);
  return runWithFallback(
    targets,
    async (target) => {
      const driver = context.drivers.get(target.provider);
      const value = await retryingOn(context, target, request, requestId, timing, () =>
        driver.doGenerate({ ...settings, modelId: target.modelId, signal: request.signal, requestId }),
      );
      return { target, value };
    },
    onFallback(context, request, requestId),
  );
}

/**
 * Opens a stream on the first target that answers: retries and fallback act
 * until the first part arrives; after that a failure ends the stream.
 */
export function openUpstreamStream(
  context: UpstreamContext,
  request: ChatRequest,
  targets: ModelTarget[],
  requestId: string,
  timing: UpstreamTiming,
): Promise<Answered<OpenedStream>> {
  const settings = generationSettings(request);
  return runWithFallback(
    targets,
    async (target) => {
      const driver = context.drivers.get(target.provider);
      const value = await retryingOn(context, target, request, requestId, timing, () =>
        openStream(driver.doStream({ ...settings, modelId: target.modelId, signal: request.signal, requestId })),
      );
      return { target, value };
    },
    onFallback(context, request, requestId),
  );
}
