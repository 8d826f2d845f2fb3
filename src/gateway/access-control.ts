import { createHash, randomUUID } from 'node:crypto';
import { Counter } from 'prom-client';
import type { Budget, GatewayIdentity, RateLimits, TenantPolicy } from '../access/key-policy.js';
import { hasRateLimits } from '../access/key-policy.js';
import { createKeyDirectory, type KeyDirectory } from '../access/key-directory.js';
import { isModelAllowed } from '../access/model-access.js';
import { findKnownModel } from '../catalog/known-models.js';
import { resolveTargets } from '../client/model-resolver.js';
import { UNKNOWN_MODEL_LABEL } from '../observability/tracker.js';
import type { Switchyard } from '../client/types.js';
import type { TenantLimitsConfig } from '../config/schema.js';
import type { LimitSubject } from '../limits/limit-types.js';
import { createMemoryLimitBackend } from '../limits/memory-limiter.js';
import { createRateLimiter, type Admitted, type RateLimiter } from '../limits/rate-limiter.js';
import { createRedisLimitBackend, type RedisScriptClient } from '../limits/redis-limiter.js';
import { createRedisOpener } from '../cache/redis-like.js';
import type { Usage } from '../spec/response.js';
import { SwitchyardError } from '../spec/errors.js';
import { currentPeriod } from '../spend/budget-period.js';
import { createSpendRecorder, type SpendRecorder } from '../spend/spend-recorder.js';
import { spendReport, spentSince, type SpendLine } from '../spend/spend-store.js';
import type { GatewayMonitor } from './gateway-monitor.js';

/** The caller when no keys are configured. */
export const ANONYMOUS: GatewayIdentity = { keyId: 'anonymous', keyName: 'anonymous', tenant: 'default', models: [], limits: {} };

/** What a finished model call tells the limits and the spend. */
export interface CallResult {
  model: string;
  usage?: Usage;
  cost?: number | null;
  cacheHit: boolean;
}

/** A request let through: its rate-limit figures, and how to settle it once it ends. */
export interface Admission {
  figures: Pick<Admitted, 'requests' | 'tokens'>;
  /** Settles tokens, releases the concurrency slot, adds the cost to the budgets and the spend (once); resolves when the limits are settled. */
  settle(result: CallResult | undefined): Promise<void>;
  /**
   * True when the settlement moves a limit or a budget: the response waits
   * for it, so the caller's next request, on any instance, finds its
   * concurrency slot free and its tokens and cost counted.
   */
  readonly settleBeforeAnswer: boolean;
}

/** Keys, model access, rate limits, budgets and spend for the gateway. */
export interface AccessControl {
  readonly directory: KeyDirectory;
  readonly spend: SpendRecorder;
  /** The caller of a presented key; throws `authentication_failed` (401) for a missing or unknown key when keys are required. */
  identify(key: string | undefined): Promise<GatewayIdentity>;
  /** The caller of a presented key when it is known at once (the usual case: a key seen before, or no keys); undefined when `identify` must decide. */
  identifyNow(key: string | undefined): GatewayIdentity | undefined;
  /** Whether `identity` may use `model` (a route name, `provider/model` or a bare model). */
  allows(identity: GatewayIdentity, model: string): boolean;
  /**
   * Admits a model call of `identity` reserving `tokens`, or throws:
   * `model_not_allowed` (403), `rate_limit_exceeded` or `budget_exceeded`
   * (429, with `retryAfterMs` and the figures on the error's `rateLimits`).
   * Batch lines and every model route go through here.
   */
  admit(identity: GatewayIdentity, model: string, tokens: () => Promise<number>): Promise<Admission>;
  /** Adds the cost of a call made outside a request (a line a provider's batch API answered) to the budgets and the spend; no rate limit applies. */
  charge(identity: GatewayIdentity, result: CallResult): Promise<void>;
  /**
   * `admit` without waiting, for a caller with no limits and no budget (the
   * usual case, known once its subjects are built): the admission, or
   * undefined when `admit` must decide. Throws `model_not_allowed` as `admit` does.
   */
  admitNow(identity: GatewayIdentity, model: string): Admission | undefined;
  /** Spend, savings and rejections of every instance by tenant and by model (the `spend` table, read at most once a second). */
  spendSummary(): Promise<{ byTenant: SpendLine[]; byModel: SpendLine[] }>;
  close(): Promise<void>;
}

/** A refusal of the gateway's own, carrying the figures for the rate-limit headers. */
export interface LimitRefusal extends SwitchyardError {
  rateLimits?: Admission['figures'];
}

function tenantPolicy(config: TenantLimitsConfig | undefined): TenantPolicy | undefined {
  if (!config) return undefined;
  const limits: RateLimits = {};
  if (config.rpm !== undefined) limits.rpm = config.rpm;
  if (config.tpm !== undefined) limits.tpm = config.tpm;
  if (config.concurrency !== undefined) limits.concurrency = config.concurrency;
  return { limits, ...(config.budgetUsd !== undefined ? { budget: { usd: config.budgetUsd, period: config.budgetPeriod ?? 'month' } } : {}) };
}

const SETTLED: Promise<void> = Promise.resolve();

/** The 403 for a model the key may not use. */
export function modelNotAllowed(model: string): SwitchyardError {
  return new SwitchyardError({ code: 'model_not_allowed', status: 403, param: 'model', message: `this key may not use model "${model}"` });
}

const subjectId = (identity: GatewayIdentity): string => `${identity.tenant}\u0000${identity.keyId}`;

const errorMessage = (error: unknown): string => (error instanceof Error ? error.message : String(error));

/**
 * Creates the gateway's access control over a client: the key directory
 * (static keys plus `gateway_keys`, cached, polled for revocations), the rate
 * limiter (Redis when configured, in process otherwise or while Redis is
 * down), budget counters seeded from the `spend` table, and the write-behind
 * spend recorder.
 */
export function createAccessControl(ai: Switchyard, monitor: Pick<GatewayMonitor, 'observability'>): AccessControl {
  const { logger, metrics } = monitor.observability;
  const settings = ai.config.limits;
  const registry = metrics.registry;
  const fallbacks =
    (registry.getSingleMetric('switchyard_rate_limit_fallbacks_total') as Counter | undefined) ??
    new Counter({ name: 'switchyard_rate_limit_fallbacks_total', help: 'Rate-limit decisions made in process because Redis was unreachable.', registers: [registry] });
  const rejections =
    (registry.getSingleMetric('switchyard_gateway_rejections_total') as Counter<'reason'> | undefined) ??
    new Counter({ name: 'switchyard_gateway_rejections_total', help: 'Requests refused by key limits, by reason.', labelNames: ['reason'], registers: [registry] });

  const directory = createKeyDirectory({
    staticKeys: ai.config.server.apiKeys,
    database: ai.services.database,
    refreshMs: settings.keyRefreshMs,
    onError: (error) => logger.warn({ error: errorMessage(error) }, 'gateway keys: the database could not be read'),
  });
  const spend = createSpendRecorder({
    database: ai.services.database,
    flushMs: settings.spendFlushMs,
    onError: (error) => logger.warn({ error: errorMessage(error) }, 'spend: flush failed; kept for the next one'),
  });
  const shape = { windowMs: settings.windowMs, slotMs: settings.slotMs, leaseTtlMs: settings.leaseTtlMs };
  const openRedis = ai.services.redis;
  let redisBackend: ReturnType<typeof createRedisLimitBackend> | undefined;
  if (openRedis) {
    let opener: (() => Promise<void>) | undefined;
    /** The client once opened: a ready client is called at once, without the awaits of opening it. */
    let opened: (RedisScriptClient & { readonly isReady: boolean }) | undefined;
    const client = async (): Promise<RedisScriptClient> => {
      const redis = await openRedis();
      opener ??= createRedisOpener(redis, settings.redisTimeoutMs);
      await opener();
      opened = redis as unknown as RedisScriptClient & { readonly isReady: boolean };
      return opened;
    };
    // Connect now, so the first requests do not wait for the connection.
    client().catch(() => undefined);
    redisBackend = createRedisLimitBackend(
      {
        evalSha: (sha, options) => (opened?.isReady ? opened.evalSha(sha, options) : client().then((redis) => redis.evalSha(sha, options))),
        eval: (script, options) => (opened?.isReady ? opened.eval(script, options) : client().then((redis) => redis.eval(script, options))),
      },
      shape,
    );
  }
  const limiter: RateLimiter = createRateLimiter({
    memory: createMemoryLimitBackend(shape),
    redis: redisBackend,
    redisTimeoutMs: settings.redisTimeoutMs,
    onFallback: (error, first) => {
      fallbacks.inc();
      if (first) logger.warn({ error: errorMessage(error) }, 'rate limits: Redis is unreachable; limits are enforced per process until it returns');
    },
    onRecovered: () => logger.warn('rate limits: Redis is back; limits are shared again'),
  });

  const seeds = new Map<string, Promise<number>>();
  function seedFor(subject: { keyId: string } | { tenant: string }, base: string, periodId: string, firstDay: string | undefined): Promise<number> {
    const id = `${base}|${periodId}`;
    let seed = seeds.get(id);
    if (!seed) {
      seed = ai.services.database().then(({ db }) => spentSince(db, subject, firstDay));
      seed.catch(() => seeds.delete(id));
      seeds.set(id, seed);
    }
    return seed;
  }

  async function subjectOf(base: string, who: { keyId: string } | { tenant: string }, limits: RateLimits, budget: Budget | undefined, now: number): Promise<LimitSubject> {
    if (!budget) return { base, limits };
    const period = currentPeriod(budget.period, now);
    const seedUsd = await seedFor(who, base, period.id, period.firstDay);
    return { base, limits, budget: { usd: budget.usd, periodId: period.id, seedUsd, remainingMs: period.remainingMs } };
  }

  /** Subjects by key id, reused until the earliest budget period among them ends (keys do not change, only their revocation). */
  const subjectCache = new Map<string, { subjects: LimitSubject[]; until: number; builtAt: number }>();

  async function buildSubjects(identity: GatewayIdentity, now: number): Promise<LimitSubject[]> {
    // Every key of one call carries the tenant's hash tag: one Redis Cluster slot per tenant.
    const tag = createHash('sha256').update(identity.tenant).digest('hex').slice(0, 16);
    const subjects: Promise<LimitSubject>[] = [];
    if (hasRateLimits(identity.limits) || identity.budget) {
      subjects.push(subjectOf(`switchyard:limits:{${tag}}:key:${identity.keyId}`, { keyId: identity.keyId }, identity.limits, identity.budget, now));
    }
    const policy = tenantPolicy(settings.tenants[identity.tenant]);
    if (policy && (hasRateLimits(policy.limits) || policy.budget)) {
      subjects.push(subjectOf(`switchyard:limits:{${tag}}:tenant`, { tenant: identity.tenant }, policy.limits, policy.budget, now));
    }
    return Promise.all(subjects);
  }

  async function subjectsOf(identity: GatewayIdentity): Promise<LimitSubject[]> {
    const now = Date.now();
    const id = subjectId(identity);
    const cached = subjectCache.get(id);
    if (cached && now < cached.until) {
      if (!cached.subjects.some((subject) => subject.budget)) return cached.subjects;
      // Only the time left in the period moves.
      return cached.subjects.map((subject) => (subject.budget ? { ...subject, budget: { ...subject.budget, remainingMs: subject.budget.remainingMs - (now - cached.builtAt) } } : subject));
    }
    const subjects = await buildSubjects(identity, now);
    const ends = subjects.filter((subject) => subject.budget && subject.budget.remainingMs > 0).map((subject) => now + subject.budget!.remainingMs);
    if (subjectCache.size > 10_000) subjectCache.clear();
    subjectCache.set(id, { subjects, until: Math.min(Number.POSITIVE_INFINITY, ...ends), builtAt: now });
    return subjects;
  }

  let summary: { at: number; value: Promise<{ byTenant: SpendLine[]; byModel: SpendLine[] }> } | undefined;
  function spendSummary(): Promise<{ byTenant: SpendLine[]; byModel: SpendLine[] }> {
    if (summary === undefined || Date.now() - summary.at > 1_000) {
      const value = ai.services.database().then(async ({ db }) => {
        const [byTenant, byModel] = await Promise.all([spendReport(db, { by: 'tenant' }), spendReport(db, { by: 'model' })]);
        return { byTenant: byTenant.slice(0, 20), byModel: byModel.slice(0, 20) };
      });
      value.catch(() => (summary = undefined));
      summary = { at: Date.now(), value };
    }
    return summary.value;
  }

  function refuse(identity: GatewayIdentity, model: string, reason: string, error: LimitRefusal): never {
    rejections.inc({ reason });
    spend.record({ tenant: identity.tenant, keyId: identity.keyId, model: knownModel(model), costUsd: 0, rejected: true });
    throw error;
  }

  function allows(identity: GatewayIdentity, model: string): boolean {
    if (identity.models.length === 0 || isModelAllowed(identity.models, model)) return true;
    try {
      return resolveTargets(model, ai.config).every((target) => isModelAllowed(identity.models, target.model));
    } catch {
      return false; // unknown to the resolver: not among the key's models either
    }
  }

  let directoryReady = false;
  void directory.ready().then(() => (directoryReady = true));

  return {
    directory,
    spend,
    identifyNow(key) {
      if (!directoryReady) return undefined;
      const cached = key === undefined ? { identity: undefined } : directory.identifyCached(key);
      if (cached === undefined) return undefined;
      return cached.identity ?? (directory.required ? undefined : ANONYMOUS);
    },
    async identify(key) {
      await directory.ready();
      // A presented key is always looked up, so a key created a moment ago has its limits before every instance has polled.
      const identity = key === undefined ? undefined : await directory.identify(key);
      if (identity) return identity;
      if (!directory.required) return ANONYMOUS;
      if (key === undefined) {
        throw new SwitchyardError({ code: 'authentication_failed', status: 401, message: 'missing API key: send "Authorization: Bearer KEY" or "x-api-key: KEY"' });
      }
      throw new SwitchyardError({ code: 'authentication_failed', status: 401, message: 'invalid API key' });
    },
    allows,
    spendSummary,
    async admit(identity, model, tokens) {
      if (!allows(identity, model)) {
        refuse(identity, model, 'model', modelNotAllowed(model));
      }
      const subjects = await subjectsOf(identity);
      if (subjects.length === 0) return unlimitedAdmission(identity, model);
      const reserved = subjects.some((subject) => subject.limits.tpm !== undefined) ? await tokens() : 0;
      const leaseId = randomUUID();
      const decision = await limiter.admit(subjects, reserved, leaseId);
      const figures = { ...(decision.requests ? { requests: decision.requests } : {}), ...(decision.tokens ? { tokens: decision.tokens } : {}) };
      if (!decision.allowed) {
        const budget = decision.reason === 'budget';
        const error: LimitRefusal = new SwitchyardError({
          code: budget ? 'budget_exceeded' : 'rate_limit_exceeded',
          status: 429,
          retryAfterMs: decision.retryAfterMs,
          message: budget
            ? 'this key or its tenant has spent its budget for the period'
            : `rate limit exceeded (${decision.reason === 'rpm' ? 'requests' : decision.reason === 'tpm' ? 'tokens' : 'concurrent requests'}); try again later`,
        });
        error.rateLimits = figures;
        refuse(identity, model, decision.reason ?? 'rpm', error);
      }
      let settled: Promise<void> | undefined;
      return {
        figures,
        settleBeforeAnswer: true,
        settle(result) {
          if (settled) return settled;
          const used = result && !result.cacheHit && result.usage ? result.usage.inputTokens + result.usage.outputTokens : 0;
          const costUsd = result && !result.cacheHit ? (result.cost ?? 0) : 0;
          settled = limiter.settle(decision.store, subjects, { slot: decision.slot, tokenDelta: used - reserved, costUsd, leaseId });
          recordSpend(identity, model, result);
          return settled;
        },
      };
    },
    async charge(identity, result) {
      recordSpend(identity, result.model, result);
      const costUsd = result.cacheHit ? 0 : (result.cost ?? 0);
      if (costUsd <= 0) return;
      const budgeted = (await subjectsOf(identity)).filter((subject) => subject.budget !== undefined);
      if (budgeted.length === 0) return;
      // A settlement of cost alone: no window slot, no lease.
      await limiter.settle(redisBackend && !limiter.degraded ? 'redis' : 'memory', budgeted, { slot: 0, tokenDelta: 0, costUsd, leaseId: 'charge' });
    },
    admitNow(identity, model) {
      const cached = subjectCache.get(subjectId(identity));
      if (cached === undefined || cached.subjects.length > 0 || Date.now() >= cached.until) return undefined;
      if (!allows(identity, model)) {
        refuse(identity, model, 'model', modelNotAllowed(model));
      }
      return unlimitedAdmission(identity, model);
    },
    async close() {
      directory.close();
      await spend.close();
    },
  };

  /** A caller without limits or budget: nothing to reserve, only the spend to record (once). */
  function unlimitedAdmission(identity: GatewayIdentity, model: string): Admission {
    let recorded = false;
    return {
      figures: {},
      settleBeforeAnswer: false,
      settle(result) {
        if (!recorded) {
          recorded = true;
          recordSpend(identity, model, result);
        }
        return SETTLED;
      },
    };
  }

  /** The model a refused or failed request is counted under: a name the catalog or the routes know, else `(unknown model)` (never a caller's arbitrary string). */
  function knownModel(requested: string): string {
    if (Object.hasOwn(ai.config.routes, requested)) return requested;
    try {
      const [target] = resolveTargets(requested, ai.config);
      if (findKnownModel(target.provider, target.modelId) !== undefined) return target.model;
    } catch {
      // an unknown provider: the label below
    }
    return UNKNOWN_MODEL_LABEL;
  }

  function recordSpend(identity: GatewayIdentity, requested: string, result: CallResult | undefined): void {
    const model = result?.model ?? knownModel(requested);
    const costUsd = result && !result.cacheHit ? (result.cost ?? 0) : 0;
    const savingsUsd = result?.cacheHit && result.usage ? (ai.cost(result.usage, model) ?? 0) : 0;
    spend.record({
      tenant: identity.tenant,
      keyId: identity.keyId,
      model,
      inputTokens: result?.usage?.inputTokens,
      outputTokens: result?.usage?.outputTokens,
      costUsd,
      savingsUsd,
      cacheHit: result?.cacheHit,
    });
  }
}
