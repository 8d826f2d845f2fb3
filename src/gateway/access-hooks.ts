import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { GatewayIdentity } from '../access/key-policy.js';
import type { Switchyard } from '../client/types.js';
import { SwitchyardError } from '../spec/errors.js';
import { createAccessControl, modelNotAllowed, type AccessControl, type Admission, type CallResult, type LimitRefusal } from './access-control.js';
import { presentedKey } from './auth.js';
import type { GatewayMonitor } from './gateway-monitor.js';
import { rateLimitHeaders } from './rate-limit-headers.js';
import { promptText, reservedTokens } from './request-tokens.js';
import { estimatedUsage } from './stream-progress.js';
import { wireOf, type GatewayRouteConfig, type WireFlavor } from './route-support.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** Who sent the request (set for authenticated routes): key id and name, tenant, limits; never the key. */
    identity: GatewayIdentity | null;
    /** The settlement of limits and budgets the response waits for (set once the answer is known). */
    settling: Promise<void> | null;
  }
}

/** Routes for operators: the dashboard, its JSON and the metrics. */
const OPERATOR_ROUTES = new Set(['/', '/api/stats', '/metrics']);

const digest = (value: string): Buffer => createHash('sha256').update(value, 'utf8').digest();

/** The admin key a request presents: Bearer, x-api-key, or the password of HTTP Basic (what a browser sends for the dashboard). */
function presentedAdminKey(headers: IncomingHttpHeaders): string | undefined {
  const authorization = headers.authorization;
  if (typeof authorization === 'string') {
    const basic = /^Basic\s+([A-Za-z0-9+/=]{1,1024})$/i.exec(authorization.trim());
    if (basic) {
      const decoded = Buffer.from(basic[1], 'base64').toString('utf8');
      return decoded.slice(decoded.indexOf(':') + 1);
    }
  }
  return presentedKey(headers);
}

/**
 * Adds keys, model access, rate limits, budgets and spend to the gateway:
 * authenticated routes get `request.identity` (401 without a valid key when
 * keys are configured or stored); every authenticated POST whose body names a
 * `model` is admitted (403 `model_not_allowed`, 429 `rate_limit_exceeded` /
 * `budget_exceeded`) and settled when its response closes (routes that are
 * not model calls opt out with `limited: false`: model access only);
 * operator routes (`/`, `/api/stats`, `/metrics`) and `/admin/*` need `SWITCHYARD_ADMIN_KEY` when it is set (/metrics stays open
 * with `SWITCHYARD_METRICS_PUBLIC=true`); /admin/* is refused without one.
 */
export function registerAccessHooks(app: FastifyInstance, ai: Switchyard, monitor: GatewayMonitor): AccessControl {
  const access = createAccessControl(ai, monitor);
  const { adminKey, metricsPublic } = ai.config.server;
  const adminDigest = adminKey === undefined ? undefined : digest(adminKey);
  app.decorateRequest('identity', null);
  app.decorateRequest('settling', null);

  function checkAdmin(request: FastifyRequest, route: string): void {
    const isAdminRoute = route.startsWith('/admin/');
    if (!isAdminRoute && (!OPERATOR_ROUTES.has(route) || (route === '/metrics' && metricsPublic))) return;
    if (adminDigest === undefined) {
      if (!isAdminRoute) return;
      throw new SwitchyardError({ code: 'permission_denied', status: 403, message: 'the admin API is off: set SWITCHYARD_ADMIN_KEY to use it' });
    }
    const key = presentedAdminKey(request.headers);
    if (key !== undefined && timingSafeEqual(digest(key), adminDigest)) return;
    throw Object.assign(new SwitchyardError({ code: 'authentication_failed', status: 401, message: key === undefined ? 'this route needs the admin key' : 'invalid admin key' }), {
      basicChallenge: route === '/' || route === '/api/stats',
    });
  }

  function setIdentity(request: FastifyRequest, identity: GatewayIdentity): void {
    request.identity = identity;
    request.tenant = identity.tenant;
    request.gatewayCall.tenant = identity.tenant;
  }

  // Callback hooks, not async ones: on the usual request (a key seen before, no limits) they finish
  // without a promise; only a first lookup or a limit decision waits.
  app.addHook('onRequest', (request, reply, done) => {
    const route = request.routeOptions.url ?? '';
    let key: string | undefined;
    try {
      checkAdmin(request, route);
      if (!(request.routeOptions.config as GatewayRouteConfig | undefined)?.authenticated) return done();
      key = presentedKey(request.headers);
    } catch (error) {
      // The browser asks for the admin key (any user name) when the dashboard needs it.
      if ((error as { basicChallenge?: boolean }).basicChallenge) reply.header('www-authenticate', 'Basic realm="switchyard", charset="UTF-8"');
      return done(error as Error);
    }
    const known = access.identifyNow(key);
    if (known !== undefined) {
      setIdentity(request, known);
      return done();
    }
    access.identify(key).then(
      (identity) => {
        setIdentity(request, identity);
        done();
      },
      (error: Error) => done(error),
    );
  });

  /** The estimated result of a stream that ended before its finish part (its client left), else undefined. */
  function cutShort(request: FastifyRequest, body: Record<string, unknown>): CallResult | undefined {
    const progress = request.gatewayCall.progress;
    if (progress === undefined || request.gatewayCall.outcome !== undefined) return undefined;
    // Four characters a token, as for the output: a tokenizer here would hold the event loop on a large prompt.
    const usage = estimatedUsage(progress, Math.ceil(promptText(body).length / 4));
    const cacheHit = progress.cache.startsWith('hit-');
    let cost: number | null = 0;
    try {
      if (!cacheHit) cost = ai.cost(usage, progress.model);
    } catch {
      cost = null; // a model the catalog cannot price: tokens settle, the cost is unknown
    }
    return { model: progress.model, usage, cost, cacheHit };
  }

  function admitted(request: FastifyRequest, reply: FastifyReply, admission: Admission, flavor: WireFlavor, body: Record<string, unknown>): void {
    const figures = admission.figures;
    if (figures.requests !== undefined || figures.tokens !== undefined) {
      for (const [name, value] of Object.entries(rateLimitHeaders(flavor, figures))) reply.raw.setHeader(name, value);
    }
    // Settled as soon as the answer is known, before the response ends: the caller's next request sees its cost and tokens.
    request.gatewayCall.onOutcome = (outcome) => {
      const settling = admission.settle({ model: outcome.model, usage: outcome.usage, cost: outcome.cost, cacheHit: outcome.cache.startsWith('hit-') });
      // The answer waits for it (onSend; a stream before its last write), so a next request on any instance sees it settled.
      if (admission.settleBeforeAnswer) request.settling = settling;
    };
    // A request that failed settles with nothing used; a stream its client left, with what it had sent (settle runs once).
    request.gatewayCall.onClose = () => void admission.settle(cutShort(request, body));
  }

  function refused(reply: FastifyReply, error: unknown, flavor: WireFlavor): Error {
    const figures = (error as LimitRefusal).rateLimits;
    if (figures) for (const [name, value] of Object.entries(rateLimitHeaders(flavor, figures))) reply.raw.setHeader(name, value);
    return error as Error;
  }

  app.addHook('preHandler', (request, reply, done) => {
    const config = request.routeOptions.config as GatewayRouteConfig | undefined;
    if (!config?.authenticated || request.method !== 'POST' || request.identity === null) return done();
    const body = request.body as Record<string, unknown> | null | undefined;
    const model = typeof body === 'object' && body !== null && typeof body.model === 'string' ? body.model : undefined;
    if (model === undefined) return done(); // the route's own validation names the missing field
    const identity = request.identity;
    if (config.limited === false) {
      // Not a model call (token counting): the key's models still bound it, its limits and budget do not.
      if (!access.allows(identity, model)) return done(modelNotAllowed(model));
      return done();
    }
    const flavor = wireOf(request);
    let now: Admission | undefined;
    try {
      now = access.admitNow(identity, model);
    } catch (error) {
      return done(refused(reply, error, flavor));
    }
    if (now !== undefined) {
      admitted(request, reply, now, flavor, body!);
      return done();
    }
    access.admit(identity, model, () => reservedTokens(body!)).then(
      (admission) => {
        admitted(request, reply, admission, flavor, body!);
        done();
      },
      (error: unknown) => done(refused(reply, error, flavor)),
    );
  });

  // A callback hook, not an async one: most responses have nothing to wait for and should not pay for a promise.
  app.addHook('onSend', (request, _reply, payload, done) => {
    if (request.settling === null) return done(null, payload);
    request.settling.then(() => done(null, payload));
  });

  app.addHook('onClose', async () => {
    await access.close();
  });
  return access;
}
