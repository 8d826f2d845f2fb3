import { z } from 'zod';
import { redisClusterNodesSchema, routeConfigSchema } from './scale-schema.js';

const positiveMs = z.number().int().positive();

/** One provider's settings; every field overrides the profile default for that provider. */
export const providerConfigSchema = z.strictObject({
  /** The wire format; known provider names imply it. */
  type: z.enum(['openai', 'openai-compatible', 'anthropic', 'gemini', 'ollama', 'mock']).optional(),
  enabled: z.boolean().optional(),
  baseURL: z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' }).optional(),
  apiKey: z.string().min(1).optional(),
  headers: z.record(z.string(), z.string()).optional(),
  timeoutMs: positiveMs.optional(),
  connectTimeoutMs: positiveMs.optional(),
  headersTimeoutMs: positiveMs.optional(),
  bodyTimeoutMs: positiveMs.optional(),
  /** A stream's wait, once the upstream answered, for its first content part (default `bodyTimeoutMs`); a route then falls back. */
  firstContentTimeoutMs: positiveMs.optional(),
  keepAliveTimeoutMs: positiveMs.optional(),
  maxConnections: z.number().int().positive().max(10_000).optional(),
  retries: z.number().int().min(0).max(20).optional(),
  /** Largest non-streamed upstream answer read before `response_too_large` (default 32 MiB). */
  maxResponseBytes: z.number().int().positive().optional(),
  /** Upstream connections are closed after this many requests (default 1000). */
  maxRequestsPerConnection: z.number().int().positive().optional(),
  /** Response caching for this provider's models (default `cache.responses`). */
  cacheResponses: z.boolean().optional(),
  /** Log level of this provider's calls (default `observability.logLevel`). */
  logLevel: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).optional(),
});

/** A fixed reply of the mock provider, chosen when `pattern` (a regular expression) matches the last user message. */
export const mockReplySchema = z.strictObject({ pattern: z.string().min(1), reply: z.string() });

/** The mock provider: latency, streaming pace, error injection and fixed replies. */
export const mockConfigSchema = z.strictObject({
  latencyMs: z.number().int().min(0).optional(),
  streamChunkSize: z.number().int().positive().optional(),
  streamDelayMs: z.number().int().min(0).optional(),
  errorRate: z.number().min(0).max(1).optional(),
  errorKinds: z.array(z.enum(['429', '500', '503', 'timeout'])).min(1).optional(),
  seed: z.number().int().optional(),
  replies: z.array(mockReplySchema).optional(),
  /** The most `max_tokens` the mock honours; more is a 400 naming the field (default 8192). */
  maxOutputTokens: z.number().int().positive().optional(),
  /** The most embedding dimensions the mock makes; more is a 400 naming the field (default 8192). */
  maxDimensions: z.number().int().positive().optional(),
});

/** Response-cache settings. */
export const cacheConfigSchema = z.strictObject({
  responses: z.boolean().optional(),
  temperatureThreshold: z.number().min(0).max(2).optional(),
  ttlSeconds: z.number().int().positive().optional(),
  memoryMaxBytes: z.number().int().positive().optional(),
  maxEntryBytes: z.number().int().positive().optional(),
  /** Expired SQL cache rows are pruned this often, in bounded batches (default 600; 0 turns it off). */
  pruneIntervalSeconds: z.number().int().min(0).optional(),
});

/** Limits on what a gateway request may contain; each is checked before any work on it. */
export const requestLimitsSchema = z.strictObject({
  maxDepth: z.number().int().min(2).max(1000).optional(),
  maxJsonValues: z.number().int().positive().optional(),
  maxStringLength: z.number().int().positive().optional(),
  maxMessages: z.number().int().positive().optional(),
  maxContentParts: z.number().int().positive().optional(),
  maxModelNameLength: z.number().int().positive().max(4096).optional(),
});

/** Gateway settings. */
export const serverConfigSchema = z.strictObject({
  port: z.number().int().min(0).max(65_535).optional(),
  host: z.string().min(1).optional(),
  apiKeys: z.array(z.string().min(1)).optional(),
  bodyLimitBytes: z.number().int().positive().optional(),
  shutdownTimeoutMs: positiveMs.optional(),
  requestLimits: requestLimitsSchema.optional(),
  headersTimeoutMs: positiveMs.optional(),
  minBodyBytesPerSecond: z.number().int().min(0).optional(),
  keepAliveTimeoutMs: positiveMs.optional(),
  maxRequestsPerConnection: z.number().int().min(0).optional(),
  maxConnectionsPerIp: z.number().int().min(0).optional(),
  /** `SWITCHYARD_ADMIN_KEY`: needed for /admin/* and the operator routes (/, /api/stats, /metrics) when set. */
  adminKey: z.string().min(16, 'must be at least 16 characters').optional(),
  /** `SWITCHYARD_METRICS_PUBLIC`: leaves /metrics open for scrapers even with an admin key. */
  metricsPublic: z.boolean().optional(),
});

/** Rate limits and budget of one tenant (shared by all its keys). */
export const tenantLimitsSchema = z.strictObject({
  rpm: z.number().int().positive().optional(),
  tpm: z.number().int().positive().optional(),
  concurrency: z.number().int().positive().optional(),
  budgetUsd: z.number().min(0).optional(),
  budgetPeriod: z.enum(['day', 'month', 'total']).optional(),
});

/** Rate limits, budgets and spend: window length, timings, and per-tenant limits. */
export const limitsConfigSchema = z.strictObject({
  /** The window `rpm` and `tpm` count over. Default 60 (tests shorten it). */
  windowSeconds: z.number().positive().max(3600).optional(),
  /** How long a concurrency slot is held for a request that never ends (a crashed instance). Default 600. */
  leaseSeconds: z.number().positive().optional(),
  /** How often each instance polls the database for changed keys (revocations). Default 500. */
  keyRefreshMs: positiveMs.optional(),
  /** How often spend is written to the database. Default 1000. */
  spendFlushMs: positiveMs.optional(),
  /** Longest wait for a Redis that does not answer (one that is down fails at once) before a limit decision falls back to this process. Default 1000. */
  redisTimeoutMs: positiveMs.optional(),
  tenants: z.record(z.string().min(1), tenantLimitsSchema).optional(),
});

/** Batch settings: the gateway's Batch API and `switchyard worker`. */
export const batchConfigSchema = z.strictObject({
  /** Requests in flight at once in one worker. Default 16. */
  workerConcurrency: z.number().int().positive().optional(),
  /** Whether `switchyard serve` runs a worker in-process. Default true. */
  inProcessWorker: z.boolean().optional(),
  /** A job (100 lines) running longer is presumed lost with its worker and retried. Default 900. */
  jobTimeoutSeconds: z.number().int().positive().optional(),
  /** The PostgreSQL schema of the job queue (pg-boss). Default `pgboss`. */
  queueSchema: z.string().regex(/^[A-Za-z_][A-Za-z0-9_]{0,62}$/, 'a plain identifier').optional(),
  /** Largest upload to POST /v1/files. Default 512 MiB. */
  maxFileBytes: z.number().int().positive().optional(),
  /** Seconds between polls of a provider batch. Default 30. */
  pollSeconds: z.number().positive().optional(),
});

/** Logging and monitoring settings. */
export const observabilityConfigSchema = z.strictObject({
  logLevel: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).optional(),
  includeContent: z.boolean().optional(),
  monitoring: z.boolean().optional(),
  slowRequestMs: positiveMs.optional(),
  heapMb: z.number().positive().optional(),
  rssMb: z.number().positive().optional(),
  providerCallsPerMinute: z.number().int().positive().optional(),
});

/** Model catalog freshness: a list younger than `freshHours` is served as is; one younger than `keepHours` is served while it refreshes. `freshHours: 0` turns the catalog cache off (every listing asks the provider). */
export const catalogConfigSchema = z.strictObject({
  freshHours: z.number().min(0).optional(),
  keepHours: z.number().min(0).optional(),
});

/** The whole configuration as written in a file or passed as options: every field optional. */
export const configSchema = z.strictObject({
  env: z.enum(['production', 'development', 'test']).optional(),
  defaultProvider: z.string().min(1).optional(),
  providers: z.record(z.string().regex(/^[a-z0-9][a-z0-9_-]*$/, 'provider names are lowercase letters, digits, - and _'), providerConfigSchema).optional(),
  routes: z.record(z.string().min(1), routeConfigSchema).optional(),
  redisUrl: z.url({ protocol: /^rediss?$/, error: 'must be a redis:// or rediss:// URL' }).optional(),
  /** Seed nodes of a Redis Cluster (`SWITCHYARD_REDIS_CLUSTER_NODES`); takes the place of `redisUrl`. */
  redisClusterNodes: redisClusterNodesSchema.optional(),
  databaseUrl: z.string().min(1).optional(),
  cache: cacheConfigSchema.optional(),
  server: serverConfigSchema.optional(),
  observability: observabilityConfigSchema.optional(),
  mock: mockConfigSchema.optional(),
  batch: batchConfigSchema.optional(),
  limits: limitsConfigSchema.optional(),
  catalog: catalogConfigSchema.optional(),
});

/** Configuration input: a file's JSON or `createSwitchyard` options. */
export type SwitchyardConfigInput = z.input<typeof configSchema>;
/** One provider's configuration input. */
export type ProviderConfigInput = z.input<typeof providerConfigSchema>;
/** The mock provider's configuration. */
export type MockConfig = z.output<typeof mockConfigSchema>;
/** One tenant's limits as configured. */
export type TenantLimitsConfig = z.output<typeof tenantLimitsSchema>;
