import { describe, expect, it } from 'vitest';
import { SwitchyardError } from '../spec/errors.js';
import { loadConfig } from './load.js';

function load(env: NodeJS.ProcessEnv, options?: NonNullable<Parameters<typeof loadConfig>[0]>['options']) {
  return loadConfig({ env: { SWITCHYARD_CONFIG: '', ...env }, configFile: undefined, options });
}

describe('loadConfig', () => {
  it('defaults to the development profile with only the mock provider', () => {
    const config = load({});
    expect(config.env).toBe('development');
    expect(Object.keys(config.providers)).toEqual(['mock']);
    expect(config.defaultProvider).toBe('mock');
    expect(config.cache.responses).toBe(false);
    expect(config.providers.mock.retries).toBe(1);
    expect(config.providers.mock.timeoutMs).toBe(60_000);
  });

  it('applies the production profile from SWITCHYARD_ENV', () => {
    const config = load({ SWITCHYARD_ENV: 'production', OPENAI_API_KEY: 'sk-test' });
    expect(config.profile.logLevel).toBe('warn');
    expect(config.cache.responses).toBe(true);
    expect(config.observability.includeContent).toBe(false);
    expect(config.providers.openai.timeoutMs).toBe(30_000);
    expect(config.providers.openai.retries).toBe(3);
  });

  it('enables a provider only when it has a key, and makes it the default when it is the only one', () => {
    expect(load({}).providers.openai).toBeUndefined();
    const config = load({ OPENAI_API_KEY: 'x', OPENAI_BASE_URL: 'http://127.0.0.1:9100/v1' });
    expect(config.providers.openai.baseURL).toBe('http://127.0.0.1:9100/v1');
    expect(config.defaultProvider).toBe('openai');
  });

  it('lets per-provider settings override the profile', () => {
    const config = load({ OPENAI_API_KEY: 'x', OPENAI_TIMEOUT_MS: '1234' }, { providers: { openai: { retries: 0 } } });
    expect(config.providers.openai.timeoutMs).toBe(1234);
    expect(config.providers.openai.retries).toBe(0);
  });

  it('parses gateway keys with and without tenants', () => {
    const config = load({ SWITCHYARD_API_KEYS: 'k1, acme:k2' });
    expect(config.server.apiKeys).toEqual([
      { tenant: 'default', key: 'k1' },
      { tenant: 'acme', key: 'k2' },
    ]);
  });

  it('names every bad field in one error', () => {
    let caught: unknown;
    try {
      load(
        { OPENAI_API_KEY: 'x', OPENAI_BASE_URL: 'not a url' },
        {
          providers: { mystery: { apiKey: 'k' }, openai: { timeoutMs: -5 } },
          routes: { smart: ['nowhere/model'] },
        },
      );
    } catch (error) {
      caught = error;
    }
    expect(SwitchyardError.is(caught)).toBe(true);
    const error = caught as SwitchyardError;
    expect(error.code).toBe('invalid_config');
    expect(error.message).toContain('providers.openai.baseURL');
    expect(error.message).toContain('providers.openai.timeoutMs');
    expect(error.message).toMatch(/providers\.mystery.*unknown provider/);
  });

  it('reports unknown providers in routes and bad environment numbers', () => {
    expect(() => load({ PORT: 'eighty' })).toThrow(/PORT: must be a number/);
    expect(() => load({}, { routes: { smart: ['nowhere/model'] } })).toThrow(/routes\.smart\.0: unknown or disabled provider "nowhere"/);
    expect(() => load({}, { defaultProvider: 'openai' })).toThrow(/defaultProvider/);
  });

  it('reads a JSON config file below the environment', async () => {
    const { mkdtempSync, writeFileSync } = await import('node:fs');
    const { join } = await import('node:path');
    const { tmpdir } = await import('node:os');
    const dir = mkdtempSync(join(tmpdir(), 'switchyard-config-'));
    const file = join(dir, 'config.json');
    writeFileSync(file, JSON.stringify({ server: { port: 1111, host: '0.0.0.0' }, cache: { responses: true } }));
    const config = loadConfig({ env: { SWITCHYARD_PORT: '2222' }, configFile: file });
    expect(config.server.port).toBe(2222);
    expect(config.server.host).toBe('0.0.0.0');
    expect(config.cache.responses).toBe(true);
    writeFileSync(file, '{ not json');
    expect(() => loadConfig({ env: {}, configFile: file })).toThrow(/not valid JSON/);
  });
});

describe('loadConfig defaults', () => {
  it('lets a host set defaults that the environment and options still override', () => {
    expect(loadConfig({ env: {}, configFile: '', defaults: { observability: { monitoring: true } } }).observability.monitoring).toBe(true);
    expect(loadConfig({ env: { SWITCHYARD_MONITORING: 'false' }, configFile: '', defaults: { observability: { monitoring: true } } }).observability.monitoring).toBe(false);
    expect(loadConfig({ env: {}, configFile: '', defaults: { observability: { monitoring: true } }, options: { observability: { monitoring: false } } }).observability.monitoring).toBe(false);
  });

  it('takes the resource thresholds from the profile, and from SWITCHYARD_HEAP_MB and friends', () => {
    const production = load({ SWITCHYARD_ENV: 'production' }).observability;
    expect(production).toMatchObject({ heapMb: 512, rssMb: 1024, providerCallsPerMinute: 1000, slowRequestMs: 5000 });
    expect(load({ SWITCHYARD_ENV: 'development' }).observability.providerCallsPerMinute).toBe(100);
    const fromEnvironment = load({ SWITCHYARD_ENV: 'production', SWITCHYARD_HEAP_MB: '300', SWITCHYARD_RSS_MB: '600', SWITCHYARD_PROVIDER_CALLS_PER_MINUTE: '50', SWITCHYARD_SLOW_REQUEST_MS: '900' }).observability;
    expect(fromEnvironment).toMatchObject({ heapMb: 300, rssMb: 600, providerCallsPerMinute: 50, slowRequestMs: 900 });
    expect(() => load({ SWITCHYARD_HEAP_MB: 'lots' })).toThrow(/SWITCHYARD_HEAP_MB: must be a number/);
  });

  it('sets catalog freshness, or turns the catalog cache off with freshHours 0', () => {
    const hour = 3_600_000;
    expect(load({}).catalog).toEqual({ freshMs: 12 * hour, keepMs: 24 * hour });
    expect(load({}, { catalog: { freshHours: 1, keepHours: 2 } }).catalog).toEqual({ freshMs: hour, keepMs: 2 * hour });
    expect(load({}, { catalog: { freshHours: 0 } }).catalog).toEqual({ freshMs: 0, keepMs: 0 });
    expect(() => load({}, { catalog: { freshHours: 5, keepHours: 2 } })).toThrow(/catalog\.keepHours: must be at least catalog\.freshHours/);
  });

  it('lets each provider override caching and log level, inheriting them otherwise', () => {
    const config = load({ SWITCHYARD_ENV: 'production', OPENAI_API_KEY: 'sk-test' }, { providers: { mock: { cacheResponses: false, logLevel: 'debug' } } });
    expect(config.providers.mock).toMatchObject({ cacheResponses: false, logLevel: 'debug' });
    expect(config.providers.openai).toMatchObject({ cacheResponses: true, logLevel: 'warn' });
  });

  it('resolves the request limits, gateway timeouts and response cap with their defaults', () => {
    const config = load({}, { server: { requestLimits: { maxDepth: 10 } }, providers: { mock: { maxResponseBytes: 1024 } } });
    expect(config.server.requestLimits).toMatchObject({ maxDepth: 10, maxStringLength: 1024 * 1024, maxMessages: 2048 });
    expect(config.server).toMatchObject({ headersTimeoutMs: 10_000, maxConnectionsPerIp: 4096 });
    expect(config.providers.mock).toMatchObject({ maxResponseBytes: 1024, maxRequestsPerConnection: 1000 });
    expect(() => load({}, { server: { requestLimits: { maxDepth: 1 } } })).toThrow(/server\.requestLimits\.maxDepth/);
  });
});
