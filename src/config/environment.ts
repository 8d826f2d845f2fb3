import type { SwitchyardConfigInput } from './schema.js';

/** A provider known by name: its wire format, default URL and environment variables. */
export interface KnownProvider {
  type: 'openai' | 'openai-compatible' | 'anthropic' | 'gemini' | 'ollama';
  baseURL: string;
  /** The key's variable; a provider without one (Ollama) is enabled by its URL variable instead. */
  keyVariable?: string;
  urlVariable: string;
}

/**
 * Providers whose settings come from well-known environment variables. A
 * provider with a key variable is enabled when the key is set; Ollama, which
 * takes no key, when `OLLAMA_BASE_URL` is set.
 */
export const KNOWN_PROVIDERS: Readonly<Record<string, KnownProvider>> = {
  openai: { type: 'openai', baseURL: 'https://api.openai.com/v1', keyVariable: 'OPENAI_API_KEY', urlVariable: 'OPENAI_BASE_URL' },
  xai: { type: 'openai-compatible', baseURL: 'https://api.x.ai/v1', keyVariable: 'XAI_API_KEY', urlVariable: 'XAI_BASE_URL' },
  anthropic: { type: 'anthropic', baseURL: 'https://api.anthropic.com', keyVariable: 'ANTHROPIC_API_KEY', urlVariable: 'ANTHROPIC_BASE_URL' },
  gemini: { type: 'gemini', baseURL: 'https://generativelanguage.googleapis.com/v1beta', keyVariable: 'GEMINI_API_KEY', urlVariable: 'GEMINI_BASE_URL' },
  ollama: { type: 'ollama', baseURL: 'http://127.0.0.1:11434', urlVariable: 'OLLAMA_BASE_URL' },
};

/** What the environment says, as config input, plus problems found while reading it. */
export interface EnvironmentReading {
  input: SwitchyardConfigInput;
  issues: string[];
  warnings: string[];
}

function readNumber(env: NodeJS.ProcessEnv, name: string, issues: string[]): number | undefined {
  const raw = env[name];
  if (raw === undefined || raw === '') return undefined;
  const value = Number(raw);
  if (!Number.isFinite(value)) {
    issues.push(`${name}: must be a number, got "${raw}"`);
    return undefined;
  }
  return value;
}

function readBoolean(env: NodeJS.ProcessEnv, name: string, issues: string[]): boolean | undefined {
  const raw = env[name]?.toLowerCase();
  if (raw === undefined || raw === '') return undefined;
  if (['1', 'true', 'yes', 'on'].includes(raw)) return true;
  if (['0', 'false', 'no', 'off'].includes(raw)) return false;
  issues.push(`${name}: must be true or false, got "${env[name]}"`);
  return undefined;
}

function definedOnly<T extends object>(value: T): T | undefined {
  const entries = Object.entries(value).filter(([, field]) => field !== undefined);
  return entries.length === 0 ? undefined : (Object.fromEntries(entries) as T);
}

/**
 * Reads the 12-factor environment: provider keys and URLs, per-provider
 * `<NAME>_TIMEOUT_MS`, `<NAME>_MAX_CONNECTIONS`, `<NAME>_RETRIES`, and the
 * `SWITCHYARD_*` service and gateway variables.
 */
export function readEnvironment(env: NodeJS.ProcessEnv): EnvironmentReading {
  const issues: string[] = [];
  const warnings: string[] = [];
  const providers: NonNullable<SwitchyardConfigInput['providers']> = {};
  for (const [name, known] of Object.entries(KNOWN_PROVIDERS)) {
    const prefix = name.toUpperCase();
    const settings = definedOnly({
      apiKey: (known.keyVariable && env[known.keyVariable]) || undefined,
      baseURL: env[known.urlVariable] || undefined,
      timeoutMs: readNumber(env, `${prefix}_TIMEOUT_MS`, issues),
      connectTimeoutMs: readNumber(env, `${prefix}_CONNECT_TIMEOUT_MS`, issues),
      maxConnections: readNumber(env, `${prefix}_MAX_CONNECTIONS`, issues),
      retries: readNumber(env, `${prefix}_RETRIES`, issues),
    });
    if (settings) providers[name] = settings;
  }
  const port = readNumber(env, 'SWITCHYARD_PORT', issues) ?? readNumber(env, 'PORT', issues);
  const apiKeys = env.SWITCHYARD_API_KEYS?.split(',').map((entry) => entry.trim()).filter(Boolean);
  const input: SwitchyardConfigInput = {
    defaultProvider: env.SWITCHYARD_DEFAULT_PROVIDER || undefined,
    redisUrl: env.SWITCHYARD_REDIS_URL || undefined,
    redisClusterNodes: env.SWITCHYARD_REDIS_CLUSTER_NODES || undefined,
    databaseUrl: env.SWITCHYARD_DATABASE_URL || undefined,
    providers: Object.keys(providers).length > 0 ? providers : undefined,
    cache: definedOnly({
      responses: readBoolean(env, 'SWITCHYARD_CACHE_RESPONSES', issues),
      ttlSeconds: readNumber(env, 'SWITCHYARD_CACHE_TTL_SECONDS', issues),
    }),
    server: definedOnly({
      port,
      host: env.SWITCHYARD_HOST || undefined,
      apiKeys,
      adminKey: env.SWITCHYARD_ADMIN_KEY || undefined,
      metricsPublic: readBoolean(env, 'SWITCHYARD_METRICS_PUBLIC', issues),
    }),
    observability: definedOnly({
      logLevel: (env.SWITCHYARD_LOG_LEVEL || undefined) as never,
      includeContent: readBoolean(env, 'SWITCHYARD_LOG_INCLUDE_CONTENT', issues),
      monitoring: readBoolean(env, 'SWITCHYARD_MONITORING', issues),
    }),
  };
  const envName = env.SWITCHYARD_ENV;
  if (envName && !['production', 'development', 'test'].includes(envName)) {
    issues.push(`SWITCHYARD_ENV: must be production, development or test, got "${envName}"`);
  }
  return { input, issues, warnings };
}
