import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { DEFAULT_THRESHOLDS } from '../observability/resource-monitor.js';
import { SwitchyardError } from '../spec/errors.js';
import { KNOWN_PROVIDERS, readEnvironment } from './environment.js';
import { PROFILES, resolveEnvironment, type Environment, type Profile } from './profiles.js';
import { resolveRoutes, type ResolvedBalancedRoute } from './scale-schema.js';
import { configSchema, type MockConfig, type SwitchyardConfigInput, type TenantLimitsConfig } from './schema.js';

/** A provider with every setting resolved. */
export interface ResolvedProvider {
  name: string;
  type: 'openai' | 'openai-compatible' | 'anthropic' | 'gemini' | 'ollama' | 'mock';
  baseURL?: string;
  apiKey?: string;
  headers: Record<string, string>;
  timeoutMs: number;
  connectTimeoutMs: number;
  headersTimeoutMs: number;
  bodyTimeoutMs: number;
  /** A stream's wait, once the upstream answered (2xx), for its first content part; within `timeoutMs` either way. */
  firstContentTimeoutMs: number;
  keepAliveTimeoutMs: number;
  maxConnections: number;
  retries: number;
  /** Largest non-streamed answer read before `response_too_large`. */
  maxResponseBytes: number;
  /** Upstream connections are recycled after this many requests. */
  maxRequestsPerConnection: number;
  /** Whether this provider's answers are cached (its override, else `cache.responses`). */
  cacheResponses: boolean;
  /** Log level of this provider's calls (its override, else the observability level). */
  logLevel: Profile['logLevel'];
}

/** A gateway key and the tenant it belongs to. */
export interface GatewayKey {
  tenant: string;
  key: string;
}

/** The effective configuration: profile defaults, then the file, then the environment, then options. */
export interface ResolvedConfig {
  env: Environment;
  profile: Profile;
  defaultProvider: string;
  providers: Record<string, ResolvedProvider>;
  /** Every route as the ordered list of its members (a balanced route: its deployments, then its fallbacks). */
  routes: Record<string, string[]>;
  /** The routes that balance over deployments, by name. */
  balancedRoutes: Record<string, ResolvedBalancedRoute>;
  redisUrl?: string;
  /** Seed nodes of a Redis Cluster; when set, it is the Redis (in place of `redisUrl`). */
  redisClusterNodes?: { host: string; port: number }[];
  databaseUrl: string;
  cache: { responses: boolean; temperatureThreshold: number; ttlSeconds: number; memoryMaxBytes: number; maxEntryBytes: number; pruneIntervalSeconds: number };
  server: {
    port: number;
    host: string;
    apiKeys: GatewayKey[];
    bodyLimitBytes: number;
    shutdownTimeoutMs: number;
    requestLimits: RequestLimits;
    headersTimeoutMs: number;
    minBodyBytesPerSecond: number;
    keepAliveTimeoutMs: number;
    maxRequestsPerConnection: number;
    maxConnectionsPerIp: number;
    adminKey?: string;
    metricsPublic: boolean;
  };
  /** Rate limits, budgets and spend (see `limitsConfigSchema`). */
  limits: {
    windowMs: number;
    /** The window slides in steps of this size (a sixtieth of the window, at least 10 ms). */
    slotMs: number;
    leaseTtlMs: number;
    keyRefreshMs: number;
    spendFlushMs: number;
    redisTimeoutMs: number;
    tenants: Record<string, TenantLimitsConfig>;
  };
  observability: {
    logLevel: Profile['logLevel'];
    /** True when a level was set (options, file, `SWITCHYARD_LOG_LEVEL`, a host's defaults), not taken from the profile. */
    logLevelConfigured: boolean;
    includeContent: boolean;
    monitoring: boolean;
    slowRequestMs: number;
    heapMb: number;
    rssMb: number;
    providerCallsPerMinute: number;
  };
  mock: MockConfig;
  /** Model catalog freshness in milliseconds (12 h and 24 h by default; 0 and 0 when the catalog cache is off). */
  catalog: { freshMs: number; keepMs: number };
  batch: { workerConcurrency: number; inProcessWorker: boolean; jobTimeoutSeconds: number; queueSchema: string; maxFileBytes: number; pollSeconds: number };
  /** Non-fatal findings, such as a provider key for a provider without a driver. */
  warnings: string[];
}

/** What a gateway request may contain (see README "Limits"). */
export interface RequestLimits {
  /** Deepest nesting of arrays and objects. Default 64. */
  maxDepth: number;
  /** Most JSON values (every array, object, string, number...) in one body. Default 200,000. */
  maxJsonValues: number;
  /** Longest string in any field, in characters. Default 1 MiB (1,048,576): raise it for large inline images. */
  maxStringLength: number;
  /** Most messages (or `input` items). Default 2048. */
  maxMessages: number;
  /** Most content parts over all messages. Default 4096. */
  maxContentParts: number;
  /** Longest model name. Default 256. */
  maxModelNameLength: number;
}

/** The default request limits. */
export const DEFAULT_REQUEST_LIMITS: RequestLimits = {
  maxDepth: 64,
  maxJsonValues: 200_000,
  maxStringLength: 1024 * 1024,
  maxMessages: 2048,
  maxContentParts: 4096,
  maxModelNameLength: 256,
};

/** Where configuration comes from; each defaults to the process's own. */
export interface LoadConfigOptions {
  env?: NodeJS.ProcessEnv;
  /** A config file path; default `SWITCHYARD_CONFIG`, else `./switchyard.config.json` when it exists. */
  configFile?: string;
  /** Programmatic settings, which win over everything else. */
  options?: SwitchyardConfigInput;
  /** Settings that lose to everything else, above the profile's defaults. */
  defaults?: SwitchyardConfigInput;
}

type PlainObject = Record<string, unknown>;

function isPlainObject(value: unknown): value is PlainObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Deep-merges config inputs; later ones win, arrays are replaced whole, undefined never overwrites. */
export function mergeConfig(...inputs: (SwitchyardConfigInput | undefined)[]): SwitchyardConfigInput {
  const merge = (target: PlainObject, source: PlainObject): PlainObject => {
    for (const [key, value] of Object.entries(source)) {
      if (value === undefined) continue;
      target[key] = isPlainObject(value) && isPlainObject(target[key]) ? merge({ ...(target[key] as PlainObject) }, value) : value;
    }
    return target;
  };
  return inputs.reduce<PlainObject>((merged, input) => (input ? merge(merged, input as PlainObject) : merged), {}) as SwitchyardConfigInput;
}

function readConfigFile(path: string, issues: string[]): SwitchyardConfigInput | undefined {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    issues.push(`config file ${path}: cannot be read (${(error as NodeJS.ErrnoException).code ?? String(error)})`);
    return undefined;
  }
  try {
    return JSON.parse(text) as SwitchyardConfigInput;
  } catch (error) {
    issues.push(`config file ${path}: not valid JSON (${(error as Error).message})`);
    return undefined;
  }
}

/** Parses `KEY` or `TENANT:KEY` entries; a bare key belongs to the tenant `default`. */
export function parseGatewayKeys(entries: string[]): GatewayKey[] {
  return entries.map((entry) => {
    const separator = entry.indexOf(':');
    return separator > 0 ? { tenant: entry.slice(0, separator), key: entry.slice(separator + 1) } : { tenant: 'default', key: entry };
  });
}

function checkDatabaseUrl(url: string, issues: string[]): void {
  const scheme = /^([a-z][a-z0-9+.-]*):\/\//i.exec(url)?.[1]?.toLowerCase();
  if (scheme && !['sqlite', 'postgres', 'postgresql', 'file'].includes(scheme)) {
    issues.push(`databaseUrl: must be a SQLite path, sqlite://PATH or postgres://..., got scheme "${scheme}"`);
  }
}

/**
 * Loads, merges and validates the configuration. Throws one SwitchyardError
 * (`invalid_config`) whose message names every bad field.
 */
export function loadConfig(source: LoadConfigOptions = {}): ResolvedConfig {
  const env = source.env ?? process.env;
  const environmentReading = readEnvironment(env);
  const issues = [...environmentReading.issues];
  const filePath = source.configFile ?? env.SWITCHYARD_CONFIG ?? (existsSync('switchyard.config.json') ? 'switchyard.config.json' : undefined);
  const fileInput = filePath ? readConfigFile(resolve(filePath), issues) : undefined;
  const merged = mergeConfig(source.defaults, fileInput, environmentReading.input, source.options);
  const parsed = configSchema.safeParse(merged);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      issues.push(`${issue.path.join('.') || '(root)'}: ${issue.message}`);
    }
    issues.push(...unknownProviderIssues(merged));
    throw invalidConfig(issues);
  }
  if (issues.length > 0) throw invalidConfig(issues);
  const environment = source.options?.env ?? (env.SWITCHYARD_ENV ? resolveEnvironment(env) : (parsed.data.env ?? resolveEnvironment(env)));
  const resolved = resolveConfig(parsed.data, environment, issues);
  resolved.warnings.push(...environmentReading.warnings);
  if (issues.length > 0) throw invalidConfig(issues);
  return resolved;
}

/** Provider names that imply no wire format, found even when other fields failed validation. */
function unknownProviderIssues(input: SwitchyardConfigInput): string[] {
  if (!isPlainObject(input.providers)) return [];
  return Object.entries(input.providers)
    .filter(([name, settings]) => name !== 'mock' && !(name in KNOWN_PROVIDERS) && !(isPlainObject(settings) && settings.type))
    .map(([name]) => unknownProviderMessage(name));
}

function unknownProviderMessage(name: string): string {
  return `providers.${name}: unknown provider; set "type" (openai, openai-compatible, anthropic, gemini, ollama or mock) and "baseURL"`;
}

function invalidConfig(issues: string[]): SwitchyardError {
  return new SwitchyardError({
    code: 'invalid_config',
    message: `invalid configuration:\n${issues.map((issue) => `  - ${issue}`).join('\n')}`,
  });
}

function resolveConfig(input: ReturnType<typeof configSchema.parse>, env: Environment, issues: string[]): ResolvedConfig {
  const profile = PROFILES[env];
  // Null-prototype maps: a model named `constructor/x` or `toString` must find nothing, not Object's own members.
  const providers: Record<string, ResolvedProvider> = Object.create(null);
  // What each provider inherits unless it sets its own.
  const inherited = { cacheResponses: input.cache?.responses ?? profile.cacheResponses, logLevel: input.observability?.logLevel ?? profile.logLevel };
  providers.mock = resolveProvider('mock', { type: 'mock' }, profile, inherited);
  for (const [name, settings] of Object.entries(input.providers ?? {})) {
    const known = Object.hasOwn(KNOWN_PROVIDERS, name) ? KNOWN_PROVIDERS[name] : undefined;
    const type = settings.type ?? known?.type ?? (name === 'mock' ? 'mock' : undefined);
    if (!type) {
      issues.push(unknownProviderMessage(name));
      continue;
    }
    const baseURL = settings.baseURL ?? known?.baseURL;
    if (type !== 'mock' && !baseURL) {
      issues.push(`providers.${name}.baseURL: required for an ${type} provider`);
      continue;
    }
    // Configured by name only: a known provider waits for its key (Ollama for its URL); any other entry is meant to be used.
    const enabled = settings.enabled ?? (type === 'mock' || !known || (known.keyVariable ? Boolean(settings.apiKey) : Boolean(settings.baseURL)));
    if (!enabled) continue;
    providers[name] = resolveProvider(name, { ...settings, type, baseURL }, profile, inherited);
  }
  const enabledNames = Object.keys(providers);
  const nonMock = enabledNames.filter((name) => name !== 'mock');
  const defaultProvider = input.defaultProvider ?? (nonMock.length === 1 ? nonMock[0] : 'mock');
  if (!providers[defaultProvider]) {
    issues.push(`defaultProvider: unknown or disabled provider "${defaultProvider}" (enabled: ${enabledNames.join(', ')})`);
  }
  const { routes, balancedRoutes } = resolveRoutes(input.routes);
  const checkMember = (member: string, path: string) => {
    const slash = member.indexOf('/');
    if (slash > 0 && !providers[member.slice(0, slash)]) issues.push(`${path}: unknown or disabled provider "${member.slice(0, slash)}" in "${member}"`);
    if (routes[member]) issues.push(`${path}: a route may not name another route ("${member}")`);
  };
  for (const [route, members] of Object.entries(routes)) {
    const balanced = balancedRoutes[route];
    if (!balanced) {
      members.forEach((member, index) => checkMember(member, `routes.${route}.${index}`));
      continue;
    }
    balanced.deployments.forEach((deployment, index) => checkMember(deployment.model, `routes.${route}.deployments.${index}.model`));
    balanced.fallbacks.forEach((member, index) => checkMember(member, `routes.${route}.fallbacks.${index}`));
    const models = balanced.deployments.map((deployment) => deployment.model);
    models.forEach((model, index) => {
      if (models.indexOf(model) !== index) issues.push(`routes.${route}.deployments.${index}.model: "${model}" is listed twice`);
    });
  }
  const databaseUrl = input.databaseUrl ?? './.switchyard/switchyard.db';
  checkDatabaseUrl(databaseUrl, issues);
  const observability = input.observability ?? {};
  return {
    env,
    profile,
    defaultProvider,
    providers,
    routes,
    balancedRoutes,
    // Cluster nodes take the place of the URL.
    redisUrl: input.redisClusterNodes ? undefined : input.redisUrl,
    redisClusterNodes: input.redisClusterNodes,
    databaseUrl,
    cache: {
      responses: input.cache?.responses ?? profile.cacheResponses,
      temperatureThreshold: input.cache?.temperatureThreshold ?? 0.5,
      ttlSeconds: input.cache?.ttlSeconds ?? 3600,
      memoryMaxBytes: input.cache?.memoryMaxBytes ?? 64 * 1024 * 1024,
      maxEntryBytes: input.cache?.maxEntryBytes ?? 1024 * 1024,
      pruneIntervalSeconds: input.cache?.pruneIntervalSeconds ?? 600,
    },
    server: {
      port: input.server?.port ?? 8790,
      host: input.server?.host ?? '127.0.0.1',
      apiKeys: parseGatewayKeys(input.server?.apiKeys ?? []),
      bodyLimitBytes: input.server?.bodyLimitBytes ?? 10 * 1024 * 1024,
      shutdownTimeoutMs: input.server?.shutdownTimeoutMs ?? 10_000,
      requestLimits: { ...DEFAULT_REQUEST_LIMITS, ...input.server?.requestLimits },
      headersTimeoutMs: input.server?.headersTimeoutMs ?? 10_000,
      minBodyBytesPerSecond: input.server?.minBodyBytesPerSecond ?? 16 * 1024,
      keepAliveTimeoutMs: input.server?.keepAliveTimeoutMs ?? 72_000,
      maxRequestsPerConnection: input.server?.maxRequestsPerConnection ?? 10_000,
      maxConnectionsPerIp: input.server?.maxConnectionsPerIp ?? 4096,
      ...(input.server?.adminKey !== undefined ? { adminKey: input.server.adminKey } : {}),
      metricsPublic: input.server?.metricsPublic ?? false,
    },
    limits: resolveLimits(input.limits ?? {}),
    observability: {
      logLevel: observability.logLevel ?? profile.logLevel,
      logLevelConfigured: observability.logLevel !== undefined,
      includeContent: observability.includeContent ?? profile.includeContent,
      monitoring: observability.monitoring ?? profile.monitoring,
      // The profile's thresholds (DEFAULT_THRESHOLDS: production 512 MB heap and 1,000 calls a minute, development 100) unless set.
      slowRequestMs: observability.slowRequestMs ?? DEFAULT_THRESHOLDS[env].slowRequestMs,
      heapMb: observability.heapMb ?? DEFAULT_THRESHOLDS[env].heapMb,
      rssMb: observability.rssMb ?? DEFAULT_THRESHOLDS[env].rssMb,
      providerCallsPerMinute: observability.providerCallsPerMinute ?? DEFAULT_THRESHOLDS[env].providerCallsPerMinute,
    },
    mock: input.mock ?? {},
    catalog: resolveCatalog(input.catalog ?? {}, issues),
    batch: {
      workerConcurrency: input.batch?.workerConcurrency ?? 16,
      inProcessWorker: input.batch?.inProcessWorker ?? true,
      jobTimeoutSeconds: input.batch?.jobTimeoutSeconds ?? 900,
      queueSchema: input.batch?.queueSchema ?? 'pgboss',
      maxFileBytes: input.batch?.maxFileBytes ?? 512 * 1024 * 1024,
      pollSeconds: input.batch?.pollSeconds ?? 30,
    },
    warnings: input.redisUrl && input.redisClusterNodes ? ['both a Redis URL and Redis Cluster nodes are set; using the cluster'] : [],
  };
}

function resolveProvider(
  name: string,
  settings: NonNullable<SwitchyardConfigInput['providers']>[string] & { type: ResolvedProvider['type'] },
  profile: Profile,
  inherited: Pick<ResolvedProvider, 'cacheResponses' | 'logLevel'>,
): ResolvedProvider {
  const timeoutMs = settings.timeoutMs ?? profile.timeoutMs;
  const bodyTimeoutMs = settings.bodyTimeoutMs ?? timeoutMs;
  return {
    name,
    type: settings.type,
    baseURL: settings.baseURL,
    apiKey: settings.apiKey,
    headers: settings.headers ?? {},
    timeoutMs,
    connectTimeoutMs: settings.connectTimeoutMs ?? profile.connectTimeoutMs,
    headersTimeoutMs: settings.headersTimeoutMs ?? timeoutMs,
    bodyTimeoutMs,
    firstContentTimeoutMs: settings.firstContentTimeoutMs ?? bodyTimeoutMs,
    keepAliveTimeoutMs: settings.keepAliveTimeoutMs ?? 30_000,
    maxConnections: settings.maxConnections ?? 128,
    retries: settings.retries ?? profile.retries,
    maxResponseBytes: settings.maxResponseBytes ?? 32 * 1024 * 1024,
    maxRequestsPerConnection: settings.maxRequestsPerConnection ?? 1000,
    cacheResponses: settings.cacheResponses ?? inherited.cacheResponses,
    logLevel: settings.logLevel ?? inherited.logLevel,
  };
}

const HOUR_MS = 60 * 60 * 1000;

function resolveCatalog(input: NonNullable<ReturnType<typeof configSchema.parse>['catalog']>, issues: string[]): ResolvedConfig['catalog'] {
  const freshHours = input.freshHours ?? 12;
  const keepHours = freshHours === 0 ? (input.keepHours ?? 0) : (input.keepHours ?? Math.max(24, freshHours));
  if (keepHours < freshHours) issues.push(`catalog.keepHours: must be at least catalog.freshHours (${freshHours})`);
  return { freshMs: freshHours * HOUR_MS, keepMs: keepHours * HOUR_MS };
}

function resolveLimits(input: NonNullable<ReturnType<typeof configSchema.parse>['limits']>): ResolvedConfig['limits'] {
  const slotMs = Math.max(10, Math.round(((input.windowSeconds ?? 60) * 1000) / 60));
  return {
    windowMs: slotMs * Math.max(1, Math.round(((input.windowSeconds ?? 60) * 1000) / slotMs)),
    slotMs,
    leaseTtlMs: (input.leaseSeconds ?? 600) * 1000,
    keyRefreshMs: input.keyRefreshMs ?? 500,
    spendFlushMs: input.spendFlushMs ?? 1000,
    redisTimeoutMs: input.redisTimeoutMs ?? 1000,
    tenants: Object.assign(Object.create(null), input.tenants),
  };
}
