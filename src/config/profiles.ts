/** The environments Switchyard knows; each brings a profile of defaults. */
export type Environment = 'production' | 'development' | 'test';

/** The defaults a profile sets; every value can be overridden in config, and per provider. */
export interface Profile {
  timeoutMs: number;
  connectTimeoutMs: number;
  retries: number;
  cacheResponses: boolean;
  logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  includeContent: boolean;
  monitoring: boolean;
}

/**
 * The profiles of the design brief: production is strict and quiet (30 s, 3 retries,
 * response caching on, `warn`, no message content in logs, monitoring on);
 * development is lenient and chatty (60 s, 1 retry, caching off, `debug`, content logged).
 * Test is development with caching off, only errors logged, and no message content in logs.
 */
export const PROFILES: Record<Environment, Profile> = {
  production: {
    timeoutMs: 30_000,
    connectTimeoutMs: 10_000,
    retries: 3,
    cacheResponses: true,
    logLevel: 'warn',
    includeContent: false,
    monitoring: true,
  },
  development: {
    timeoutMs: 60_000,
    connectTimeoutMs: 10_000,
    retries: 1,
    cacheResponses: false,
    logLevel: 'debug',
    includeContent: true,
    monitoring: false,
  },
  test: {
    timeoutMs: 30_000,
    connectTimeoutMs: 10_000,
    retries: 1,
    cacheResponses: false,
    logLevel: 'error',
    includeContent: false,
    monitoring: false,
  },
};

/** `SWITCHYARD_ENV`, else `NODE_ENV` (production and test map to themselves), else development. */
export function resolveEnvironment(env: NodeJS.ProcessEnv): Environment {
  const value = (env.SWITCHYARD_ENV ?? env.NODE_ENV ?? '').toLowerCase();
  if (value === 'production' || value === 'prod') return 'production';
  if (value === 'test') return 'test';
  return 'development';
}
