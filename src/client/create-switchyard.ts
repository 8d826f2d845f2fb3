import { randomUUID } from 'node:crypto';
import pLimit from 'p-limit';
import { batchPricingFor, costOf, pricingFor } from '../catalog/cost.js';
import { estimateTokens } from '../catalog/estimate-tokens.js';
import type { ModelCatalog } from '../catalog/model-catalog.js';
import { pino, type DestinationStream, type Logger } from 'pino';
import { loadConfig, type ResolvedConfig } from '../config/load.js';
import type { LogLevel } from '../observability/logger.js';
import { createObservability } from '../observability/index.js';
import type { RequestOperation } from '../observability/events.js';
import type { TrackHandle } from '../observability/tracked-operation.js';
import { SwitchyardError } from '../spec/errors.js';
import { embedInputFor } from './embed-input.js';
import type { ChatRequest, EmbedRequest } from '../spec/request.js';
import type { ChatResponse, EmbedResponse, ModelInfo, Usage } from '../spec/response.js';
import type { StreamPart } from '../spec/stream.js';
import { createClientBalancer } from './balancing.js';
import { runChat } from './chat.js';
import type { ClientContext, RequestScope } from './context.js';
import { createDriverRegistry } from './driver-registry.js';
import { resolveTargets } from './model-resolver.js';
import { checkChatRequest, driverCallOptions, generationSettings } from './request-check.js';
import { createClientServices } from './services.js';
import { createSharedFlights } from './shared-flights.js';
import { createTrackedLayer } from './tracked-layer.js';
import type { PipelineCall } from './pipeline.js';
import { planResponseCache } from './response-caching.js';
import type { PartReader } from './shared-streams.js';
import { createStreamFlights } from './stream-flights.js';
import { openStream } from './stream.js';
import type { CallOptions, ChatManyOptions, Switchyard, SwitchyardOptions } from './types.js';

/**
 * Creates the client. Synchronous: configuration is loaded and validated now
 * (an invalid one throws `invalid_config` naming every bad field), while
 * connections, Redis and the database open lazily on first use.
 */
export function createSwitchyard(options: SwitchyardOptions = {}): Switchyard {
  const { configFile, environment, drivers: driverOverrides, logDestination, logger: hostLogger, defaults, ...configInput } = options;
  const config = loadConfig({ env: environment, configFile, options: configInput, defaults });
  const observability = createObservability({
    profile: config.env,
    logLevel: libraryLogLevel(config, options),
    providerLogLevels: providerLogLevels(config),
    includeContent: config.observability.includeContent,
    monitoring: config.observability.monitoring,
    logDestination: logDestination ?? (hostLogger ? destinationOf(hostLogger) : undefined),
    thresholds: {
      slowRequestMs: config.observability.slowRequestMs,
      heapMb: config.observability.heapMb,
      rssMb: config.observability.rssMb,
      providerCallsPerMinute: config.observability.providerCallsPerMinute,
    },
  });
  const { events, tracker, logger } = observability;
  for (const warning of config.warnings) logger.warn(warning);
  const services = createClientServices(config, { logger, wrapLayer: (layer) => createTrackedLayer(layer, tracker) });
  const balancer = createClientBalancer(config, services, observability);
  // The balancer hears each provider's rate-limit headers when a route balances by headroom.
  const byHeadroom = Object.values(config.balancedRoutes).some((route) => route.strategy === 'most-headroom');
  const drivers = createDriverRegistry(config, driverOverrides, byHeadroom ? { onRateLimit: (provider, report) => balancer.reportHeadroom(provider, report) } : {});
  observability.metrics.registerPoolSource(() => drivers.poolStats());
  let catalog: ModelCatalog | undefined;
  let closed = false;

  function cost(usage: Usage, model: string, costOptions: { batch?: boolean } = {}): number | null {
    const [provider, modelId] = splitModel(model);
    if (config.providers[provider]?.type === 'mock') return 0;
    return costOf(usage, costOptions.batch ? batchPricingFor(provider, modelId) : pricingFor(provider, modelId));
  }

  const context: ClientContext = { config, drivers, observability, services, cost, flights: createSharedFlights(), streamFlights: createStreamFlights(), balancer };

  function assertOpen(): void {
    if (closed) throw new SwitchyardError({ code: 'invalid_request', message: 'this Switchyard client is closed' });
  }

  function startRequest(operation: RequestOperation, request: ChatRequest, callOptions: CallOptions): RequestScope {
    const requestId = request.requestId ?? randomUUID();
    const handle = tracker.start('request', { requestId, operation, model: request.model, tenant: request.tenant }, { parent: callOptions.parent });
    return { requestId, startedAt: performance.now(), handle };
  }

  function annotate(handle: TrackHandle<'request'>, response: ChatResponse): ChatResponse {
    handle.set({
      provider: response.provider,
      model: response.model,
      cache: response.cache,
      usage: response.usage,
      cost: response.cost,
      finishReason: response.finishReason,
    });
    return response;
  }

  async function getCatalog(): Promise<ModelCatalog> {
    if (catalog) return catalog;
    const [{ db }, cache, { createModelCatalog }, lease] = await Promise.all([
      services.database(),
      services.cache(),
      import('../catalog/model-catalog.js'),
      services.redis ? import('../cache/redis-lock.js').then(async ({ createRedisLock }) => createRedisLock({ client: await services.redis!() })) : undefined,
    ]);
    catalog ??= createModelCatalog({
      cache,
      db,
      lease,
      leaseTtlMs: Math.max(30_000, ...Object.values(config.providers).map((provider) => provider.timeoutMs)),
      listFromProvider: (provider, signal) => drivers.get(provider).listModels({ signal }),
      freshMs: config.catalog.freshMs,
      keepMs: config.catalog.keepMs,
    });
    return catalog;
  }

  function pipelineCall(request: ChatRequest, scope: RequestScope, stream: boolean): PipelineCall {
    checkChatRequest(request);
    const targets = resolveTargets(request.model, config);
    return { context, request, scope, targets, plan: planResponseCache(context, request, targets, stream) };
  }

  async function chat(request: ChatRequest, callOptions: CallOptions = {}): Promise<ChatResponse> {
    assertOpen();
    const scope = startRequest('chat', request, callOptions);
    try {
      const response = annotate(scope.handle, await runChat(pipelineCall(request, scope, false)));
      scope.handle.end();
      return response;
    } catch (error) {
      scope.handle.fail(error);
      throw error;
    }
  }

  function stream(request: ChatRequest, callOptions: CallOptions = {}): AsyncIterable<StreamPart> {
    // The request is tracked from the first read, so an iterator dropped unread leaves nothing open. The first
    // part says who answers (stream-start); the rest come straight from this caller's reader, with no extra step.
    return {
      [Symbol.asyncIterator](): AsyncIterator<StreamPart> {
        let reader: PartReader | undefined;
        let done = false;
        let scope: RequestScope | undefined;
        async function open(): Promise<IteratorResult<StreamPart>> {
          assertOpen();
          scope = startRequest('stream', request, callOptions);
          try {
            const opened = await openStream(pipelineCall(request, scope, true));
            reader = opened.reader;
            return { done: false, value: opened.start };
          } catch (error) {
            done = true;
            scope.handle.fail(error);
            throw error;
          }
        }
        return {
          next: () => (reader ? reader.next() : done ? Promise.resolve({ done: true, value: undefined }) : open()),
          async return() {
            done = true;
            if (reader) return reader.return!();
            scope?.handle.end();
            return { done: true, value: undefined };
          },
        };
      },
    };
  }

  async function chatMany(requests: ChatRequest[], manyOptions: ChatManyOptions = {}): Promise<PromiseSettledResult<ChatResponse>[]> {
    const limit = pLimit(Math.max(1, manyOptions.concurrency ?? 8));
    let completed = 0;
    let failed = 0;
    return Promise.allSettled(
      requests.map((request) =>
        limit(async () => {
          try {
            if (manyOptions.signal?.aborted) throw new SwitchyardError({ code: 'aborted', message: 'chatMany was aborted' });
            return await chat(manyOptions.signal && !request.signal ? { ...request, signal: manyOptions.signal } : request);
          } catch (error) {
            failed++;
            throw error;
          } finally {
            completed++;
            manyOptions.onProgress?.({ completed, total: requests.length, failed });
          }
        }),
      ),
    );
  }

  async function models(modelOptions: { provider?: string; refresh?: boolean; signal?: AbortSignal } = {}): Promise<ModelInfo[]> {
    assertOpen();
    const providers = modelOptions.provider ? [modelOptions.provider] : Object.keys(config.providers);
    for (const provider of providers) {
      if (!Object.hasOwn(config.providers, provider)) {
        throw new SwitchyardError({ code: 'model_not_found', status: 404, message: `unknown or disabled provider "${provider}"` });
      }
    }
    const modelCatalog = await getCatalog();
    const lists = await Promise.allSettled(
      providers.map((provider) => modelCatalog.models({ provider, refresh: modelOptions.refresh, signal: modelOptions.signal })),
    );
    // One provider that cannot list its models must not hide the others'; asked for one provider, its error is the answer.
    const failed = lists.filter((list): list is PromiseRejectedResult => list.status === 'rejected');
    if (failed.length === lists.length && failed.length > 0) throw failed[0].reason;
    failed.forEach((list) => logger.warn({ err: list.reason }, 'a provider could not list its models; serving the others'));
    return lists.flatMap((list) => (list.status === 'fulfilled' ? list.value : []));
  }

  async function embed(request: EmbedRequest, callOptions: CallOptions = {}): Promise<EmbedResponse> {
    assertOpen();
    const requestId = randomUUID();
    return tracker.track(
      'request',
      { requestId, operation: 'embed', model: request.model },
      async (handle) => {
        const [target] = resolveTargets(request.model, config);
        const driver = drivers.get(target.provider);
        if (!driver.doEmbed) {
          throw new SwitchyardError({ code: 'unsupported', status: 400, provider: target.provider, message: `provider "${target.provider}" has no embeddings` });
        }
        const input = embedInputFor(request, driver, target.provider);
        const result = await tracker.track(
          'upstream',
          { requestId, provider: target.provider, model: target.model, operation: 'embed' },
          () => driver.doEmbed!({ modelId: target.modelId, ...input, dimensions: request.dimensions, signal: request.signal }),
          { parent: handle },
        );
        handle.set({ provider: target.provider, model: target.model, usage: result.usage, cost: cost(result.usage, target.model), cache: 'bypass' });
        return { provider: target.provider, model: target.model, embeddings: result.embeddings, usage: result.usage };
      },
      { parent: callOptions.parent },
    );
  }

  return {
    config,
    services,
    chat,
    stream,
    chatMany,
    models,
    embed,
    async deleteProviderResponse(provider, id, deleteOptions) {
      assertOpen();
      const driver = drivers.get(provider);
      return driver.doDeleteResponse === undefined ? undefined : driver.doDeleteResponse(id, deleteOptions);
    },
    async syncModels(syncOptions) {
      assertOpen();
      return (await getCatalog()).sync(syncOptions);
    },
    async countTokens(request) {
      assertOpen();
      checkChatRequest(request);
      const [target] = resolveTargets(request.model, config);
      const driver = drivers.get(target.provider);
      const identity = { provider: target.provider, model: target.model };
      if (!driver.doCountTokens) return { ...estimateTokens(request.messages, target), ...identity };
      const counted = await driver.doCountTokens(driverCallOptions(generationSettings(request), target.modelId, request, request.requestId ?? randomUUID()));
      return { tokens: counted.inputTokens, estimated: false, ...identity };
    },
    estimateTokens(input, model) {
      assertOpen();
      const [target] = resolveTargets(model ?? `${config.defaultProvider}/gpt-4o`, config);
      return estimateTokens(input, target);
    },
    cost,
    providerBatch(model) {
      assertOpen();
      const targets = resolveTargets(model, config);
      if (targets.length !== 1) return undefined;
      const api = drivers.get(targets[0].provider).doBatch;
      return api === undefined ? undefined : { ...targets[0], api };
    },
    poolStats: () => drivers.poolStats(),
    deployments: () => balancer.snapshot(),
    observability,
    on: (event, listener) => events.on(event, listener),
    off: (event, listener) => events.off(event, listener),
    once: (event, listener) => events.once(event, listener),
    async close() {
      if (closed) return;
      closed = true;
      await catalog?.close();
      await balancer.close();
      await Promise.all([drivers.close(), services.close()]);
      await observability.close();
    },
  };
}

/**
 * A library is quiet by default: with no level configured and nowhere to
 * write given, nothing is logged. A configured level wins; a given pino
 * logger lends its level; a given destination takes the profile's level.
 */
function libraryLogLevel(config: ResolvedConfig, options: SwitchyardOptions): LogLevel {
  if (config.observability.logLevelConfigured) return config.observability.logLevel;
  if (options.logger) return options.logger.level as LogLevel;
  if (options.logDestination) return config.observability.logLevel;
  return 'silent';
}

/** The providers whose calls log at their own level (`providers.<name>.logLevel` set, differing from the general one). */
function providerLogLevels(config: ResolvedConfig): Record<string, LogLevel> {
  const levels: Record<string, LogLevel> = {};
  for (const [name, provider] of Object.entries(config.providers)) {
    if (provider.logLevel !== config.observability.logLevel) levels[name] = provider.logLevel;
  }
  return levels;
}

/** The stream a pino logger writes to, so the client's sanitized lines go to the same place. */
function destinationOf(logger: Logger): DestinationStream {
  return (logger as unknown as Record<symbol, DestinationStream>)[pino.symbols.streamSym];
}

function splitModel(model: string): [string, string] {
  const slash = model.indexOf('/');
  return slash > 0 ? [model.slice(0, slash), model.slice(slash + 1)] : ['', model];
}
