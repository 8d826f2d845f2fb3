import { randomUUID } from 'node:crypto';
import multipart from '@fastify/multipart';
import { nextLoopTurn } from '../core/loop-turns.js';
import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import type { Switchyard } from '../client/types.js';
import { SwitchyardError } from '../spec/errors.js';
import { createBatchService, type BatchService } from '../batch/batch-service.js';
import { registerAnthropicMessagesRoute } from './anthropic-messages-route.js';
import { registerCountTokensRoute } from './count-tokens-route.js';
import { registerAccessHooks } from './access-hooks.js';
import { registerAdminRoutes } from './admin-routes.js';
import { createBatchLineGate } from './batch-line-gate.js';
import { registerBatchRoutes } from './batch-routes.js';
import { registerDashboardRoutes } from './dashboard-routes.js';
import { registerEmbeddingsRoute } from './embeddings-route.js';
import { createGatewayMonitor, type GatewayMonitor } from './gateway-monitor.js';
import { registerHealthRoutes } from './health-routes.js';
import { registerMetricsRoute } from './metrics-route.js';
import { registerModelsRoute } from './models-route.js';
import { registerOpenAIChatRoute } from './openai-chat-route.js';
import { answerClientError, installConnectionGuards, lingerOnRefusedBody } from './connection-guards.js';
import { watchLongStrings } from './long-string-cut.js';
import { registerOpenAIResponsesRoutes } from './openai-responses-route.js';
import { checkRequestLimits, scanJsonText, scanJsonTextNow } from './request-limits.js';
import type { RequestLimits } from '../config/load.js';
import { sendError } from './route-support.js';

/** Options of `createGateway`; each defaults from `ai.config.server`. */
export interface GatewayOptions {
  /** Largest accepted request body; larger ones get 413. Default `server.bodyLimitBytes` (10 MiB). */
  bodyLimitBytes?: number;
  /** The Files and Batch APIs' service. Default: one over `ai`, closed with the gateway. */
  batches?: BatchService;
}

declare module 'fastify' {
  interface FastifyInstance {
    /** Counts an error the process guard caught in this gateway's `/metrics` (switchyard_process_errors_total). */
    recordProcessError(kind: 'exception' | 'rejection'): void;
  }
}

/** Bodies longer than this yield to the event loop between parsing, checking and handling. */
const LARGE_BODY_CHARACTERS = 256 * 1024;

function refuseEmpty(source: string): string {
  if (source.trim() === '') throw new SwitchyardError({ code: 'invalid_request', status: 400, param: 'body', message: 'the request body is empty; send a JSON object' });
  return source;
}

function parseBody(source: string): unknown {
  try {
    return JSON.parse(source);
  } catch (error) {
    throw new SwitchyardError({ code: 'invalid_request', status: 400, param: 'body', message: `the request body is not valid JSON (${(error as Error).message.slice(0, 200)})` });
  }
}

/** A large body: scanned (yielding every MiB), parsed and checked, each in its own turn of the event loop. */
async function parseLargeBody(source: string, limits: RequestLimits): Promise<unknown> {
  await scanJsonText(refuseEmpty(source), limits);
  const body = parseBody(source);
  await nextLoopTurn();
  checkRequestLimits(body, limits);
  await nextLoopTurn();
  return body;
}


const REQUEST_ID_PATTERN = /^[\w.:-]{1,128}$/;

/**
 * Creates the gateway over a client: OpenAI routes (/v1/chat/completions,
 * /v1/embeddings, /v1/models), Anthropic's /v1/messages, /healthz, /readyz,
 * /metrics, the dashboard at / and its /api/stats, and the OpenAI Files
 * and Batch APIs (/v1/files, /v1/batches) with an in-process batch worker
 * started on first use (`startBatchWorker()` starts it at once). Tenant keys come from
 * `ai.config.server.apiKeys`. The instance is not listening yet; its
 * `close()` stops the gateway's own monitoring but leaves `ai` open (its
 * owner closes it; `startGateway` does).
 */
export function createGateway(ai: Switchyard, options: GatewayOptions = {}): FastifyInstance {
  const monitor: GatewayMonitor = createGatewayMonitor(ai);
  let closing = false;
  const { server } = ai.config;
  const app = Fastify({
    keepAliveTimeout: server.keepAliveTimeoutMs,
    maxRequestsPerSocket: server.maxRequestsPerConnection,
    clientErrorHandler: answerClientError,
    frameworkErrors: (error, request, reply) => {
      sendError(request, reply, error);
    },
    loggerInstance: monitor.observability.logger as FastifyBaseLogger,
    // The monitor records requests; Fastify's per-request log lines would only repeat it.
    logController: new LogController({ disableRequestLogging: true }),
    // No per-request child logger: nothing logs through request.log (the monitor's records carry the
    // request id), and building one (with its bindings scrubbed of secrets) cost 3.5 % of gateway CPU.
    childLoggerFactory: (logger) => logger,
    bodyLimit: options.bodyLimitBytes ?? ai.config.server.bodyLimitBytes,
    requestIdHeader: false,
    genReqId: (raw) => {
      const given = raw.headers['x-request-id'];
      return typeof given === 'string' && REQUEST_ID_PATTERN.test(given) ? given : randomUUID();
    },
    return503OnClosing: true,
  });

  installConnectionGuards(app, {
    maxConnectionsPerIp: server.maxConnectionsPerIp,
    minBodyBytesPerSecond: server.minBodyBytesPerSecond,
    bodyGraceMs: server.headersTimeoutMs,
  });
  // A body that may hold an over-long string is watched as it arrives and cut once one passes the limit (see long-string-cut.ts).
  const bodyLimit = options.bodyLimitBytes ?? ai.config.server.bodyLimitBytes;
  const stringLimits = { maxStringLength: server.requestLimits.maxStringLength, bodyLimit };
  app.addHook('preParsing', (request, _reply, payload, done) => done(null, watchLongStrings(request.raw, payload, stringLimits)));
  // JSON bodies are scanned for depth and size before parsing and checked against the limits after, on every route.
  app.removeContentTypeParser(['application/json', 'text/plain']);
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (_request: unknown, text: string | Buffer, done: (error: Error | null, body?: unknown) => void) => {
    const source = typeof text === 'string' ? text : text.toString('utf8');
    // The usual small body in one go (no promise); a large one is scanned, parsed and checked in separate turns of the event loop, so other requests run between.
    if (source.length > LARGE_BODY_CHARACTERS) {
      parseLargeBody(source, server.requestLimits).then((body) => done(null, body), done);
      return;
    }
    let body: unknown;
    try {
      scanJsonTextNow(refuseEmpty(source), server.requestLimits);
      body = parseBody(source);
      checkRequestLimits(body, server.requestLimits);
    } catch (error) {
      return done(error as Error);
    }
    done(null, body);
  });

  app.decorate('recordProcessError', (kind: 'exception' | 'rejection') => monitor.observability.metrics.recordProcessError(kind));
  app.decorateRequest('gatewayCall', null as never);
  app.decorateRequest('tenant', 'default');

  // The one place every request is recorded: begun here, finished when its response closes.
  // One `close` listener per request: it finishes the record, settles what the request holds and aborts its model call if the client left.
  app.addHook('onRequest', (request, reply, done) => {
    const call = monitor.begin(request.id, request.routeOptions.url ?? 'unmatched', request.method);
    request.gatewayCall = call;
    reply.raw.once('close', () => monitor.finish(call, reply.raw));
    reply.header('x-request-id', request.id);
    done();
  });
  // Keys, admin key, model access, rate limits, budgets and spend.
  const access = registerAccessHooks(app, ai, monitor);

  app.setErrorHandler(async (error, request, reply) => {
    // An error answered while the body is still arriving (too large, a string over the limit cut it short, refused
    // before it was read): the rest is read and discarded first, so a client still sending it gets the answer, not EPIPE.
    if (!request.raw.complete) await lingerOnRefusedBody(request.raw);
    return sendError(request, reply, error);
  });
  app.setNotFoundHandler((request, reply) =>
    sendError(request, reply, new SwitchyardError({ code: 'not_found', message: `no route for ${request.method} ${request.url.split('?')[0]}` })),
  );
  app.addHook('preClose', async () => {
    closing = true;
  });
  // Lines run by the gateway's own workers go through the batch owner's key limits, budget and spend.
  const batches = options.batches ?? createBatchService(ai, { gate: createBatchLineGate(access) });
  let worker: Promise<void> | undefined;
  // The gateway works batches itself unless told not to; on SQLite (no shared queue) it always does.
  const ensureWorker = () =>
    (worker ??= (async () => {
      if (ai.config.batch.inProcessWorker || !(await batches.isShared())) await batches.startWorker();
    })().catch((error: unknown) => {
      worker = undefined;
      throw error;
    }));
  app.decorate('startBatchWorker', ensureWorker);
  app.addHook('onClose', async () => {
    await monitor.close();
    if (options.batches === undefined) await batches.close();
  });

  registerOpenAIChatRoute(app, ai);
  registerOpenAIResponsesRoutes(app, ai);
  registerAnthropicMessagesRoute(app, ai);
  registerCountTokensRoute(app, ai);
  registerEmbeddingsRoute(app, ai);
  registerModelsRoute(app, ai);
  void app.register(multipart);
  registerBatchRoutes(app, batches, { maxFileBytes: ai.config.batch.maxFileBytes, ensureWorker });
  registerHealthRoutes(app, ai, () => closing);
  registerMetricsRoute(app, monitor);
  registerAdminRoutes(app, ai, access);
  const staticTenants = new Set(ai.config.server.apiKeys.map((key) => key.tenant)).size;
  registerDashboardRoutes(app, monitor, {
    get tenants() {
      return staticTenants;
    },
    get authRequired() {
      return access.directory.required;
    },
  }, access.spendSummary);
  return app;
}
