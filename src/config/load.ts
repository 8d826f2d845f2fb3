import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { SwitchyardError } from '../spec/errors.js';
import { KNOWN_PROVIDERS, readEnvironment } from './environment.js';
import { PROFILES, resolveEnvironment, type Environment, type Profile } from './profiles.js';
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
  keepAliveTimeoutMs: number;
  maxConnections: number;
  retries: number;
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
  routes: Record<string, string[]>;
  redisUrl?: string;
  databaseUrl: string;
  cache: { responses: boolean; temperatureThreshold: number; ttlSeconds: number; memoryMaxBytes: number; maxEntryBytes: number };
  server: {
    port: number;
    host: string;
    apiKeys: GatewayKey[];
    bodyLimitBytes: number;
    shutdownTimeoutMs: number;
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
  batch: { workerConcurrency: number; inProcessWorker: boolean; jobTimeoutSeconds: number; queueSchema: string; maxFileBytes: number; pollSeconds: number };
  /** Non-fatal findings, such as a provider key for a provider without a driver. */
  warnings: string[];
}

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
  providers.mock = resolveProvider('mock', { type: 'mock' }, profile);
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
    providers[name] = resolveProvider(name, { ...settings, type, baseURL }, profile);
  }
  const enabledNames = Object.keys(providers);
  const nonMock = enabledNames.filter((name) => name !== 'mock');
  const defaultProvider = input.defaultProvider ?? (nonMock.length === 1 ? nonMock[0] : 'mock');
  if (!providers[defaultProvider]) {
    issues.push(`defaultProvider: unknown or disabled provider "${defaultProvider}" (enabled: ${enabledNames.join(', ')})`);
  }
  const routes: Record<string, string[]> = Object.assign(Object.create(null), input.routes);
  for (const [route, members] of Object.entries(routes)) {
    members.forEach((member, index) => {
      const slash = member.indexOf('/');
      if (slash > 0 && !providers[member.slice(0, slash)]) {
        issues.push(`routes.${route}.${index}: unknown or disabled provider "${member.slice(0, slash)}" in "${member}"`);
      }
      if (routes[member]) issues.push(`routes.${route}.${index}: a route may not name another route ("${member}")`);
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
    redisUrl: input.redisUrl,
    databaseUrl,
    cache: {
      responses: input.cache?.responses ?? profile.cacheResponses,
      temperatureThreshold: input.cache?.temperatureThreshold ?? 0.5,
      ttlSeconds: input.cache?.ttlSeconds ?? 3600,
      memoryMaxBytes: input.cache?.memoryMaxBytes ?? 64 * 1024 * 1024,
      maxEntryBytes: input.cache?.maxEntryBytes ?? 1024 * 1024,
    },
    server: {
      port: input.server?.port ?? 8790,
      host: input.server?.host ?? '127.0.0.1',
      apiKeys: parseGatewayKeys(input.server?.apiKeys ?? []),
      bodyLimitBytes: input.server?.bodyLimitBytes ?? 10 * 1024 * 1024,
      shutdownTimeoutMs: input.server?.shutdownTimeoutMs ?? 10_000,
      ...(input.server?.adminKey !== undefined ? { adminKey: input.server.adminKey } : {}),
      metricsPublic: input.server?.metricsPublic ?? false,
    },
    limits: resolveLimits(input.limits ?? {}),
    observability: {
      logLevel: observability.logLevel ?? profile.logLevel,
      logLevelConfigured: observability.logLevel !== undefined,
      includeContent: observability.includeContent ?? profile.includeContent,
      monitoring: observability.monitoring ?? profile.monitoring,
      slowRequestMs: observability.slowRequestMs ?? 5000,
      heapMb: observability.heapMb ?? 1024,
      rssMb: observability.rssMb ?? 2048,
      providerCallsPerMinute: observability.providerCallsPerMinute ?? 6000,
    },
    mock: input.mock ?? {},
    batch: {
      workerConcurrency: input.batch?.workerConcurrency ?? 16,
      inProcessWorker: input.batch?.inProcessWorker ?? true,
      jobTimeoutSeconds: input.batch?.jobTimeoutSeconds ?? 900,
      queueSchema: input.batch?.queueSchema ?? 'pgboss',
      maxFileBytes: input.batch?.maxFileBytes ?? 512 * 1024 * 1024,
      pollSeconds: input.batch?.pollSeconds ?? 30,
    },
    warnings: [],
  };
}

function resolveProvider(
  name: string,
  settings: NonNullable<SwitchyardConfigInput['providers']>[string] & { type: ResolvedProvider['type'] },
  profile: Profile,
): ResolvedProvider {
  const timeoutMs = settings.timeoutMs ?? profile.timeoutMs;
  return {
    name,
    type: settings.type,
    baseURL: settings.baseURL,
    apiKey: settings.apiKey,
    headers: settings.headers ?? {},
    timeoutMs,
    connectTimeoutMs: settings.connectTimeoutMs ?? profile.connectTimeoutMs,
    headersTimeoutMs: settings.headersTimeoutMs ?? timeoutMs,
    bodyTimeoutMs: settings.bodyTimeoutMs ?? timeoutMs,
    keepAliveTimeoutMs: settings.keepAliveTimeoutMs ?? 30_000,
    maxConnections: settings.maxConnections ?? 128,
    retries: settings.retries ?? profile.retries,
  };
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
