import type { ResolvedConfig, ResolvedProvider } from '../config/load.js';
import { withRateLimitReports, type RateLimitReport } from '../core/rate-limit-headers.js';
import { createTransport } from '../core/transport.js';
import { createAnthropicDriver } from '../providers/anthropic/anthropic-driver.js';
import { createGeminiDriver } from '../providers/gemini/gemini-driver.js';
import { createMockDriver } from '../providers/mock/mock-driver.js';
import { createOllamaDriver } from '../providers/ollama/ollama-driver.js';
import { createOpenAIDriver } from '../providers/openai/openai-driver.js';
import type { DriverV1, PoolStats } from '../spec/driver.js';
import { SwitchyardError } from '../spec/errors.js';

/** The drivers of the enabled providers, each created on first use and kept until `close()`. */
export interface DriverRegistry {
  get(provider: string): DriverV1;
  /** Pool figures of every driver created so far that has a pool. */
  poolStats(): Record<string, PoolStats>;
  close(): Promise<void>;
}

/** What the registry reports about upstream answers. */
export interface DriverRegistryHooks {
  /** A provider's rate-limit headers, for balancing by headroom. */
  onRateLimit?: (provider: string, report: RateLimitReport) => void;
}

function transportFor(settings: ResolvedProvider, hooks: DriverRegistryHooks) {
  const transport = createTransport({
    maxConnections: settings.maxConnections,
    keepAliveTimeoutMs: settings.keepAliveTimeoutMs,
    connectTimeoutMs: settings.connectTimeoutMs,
    headersTimeoutMs: settings.headersTimeoutMs,
    bodyTimeoutMs: settings.bodyTimeoutMs,
    maxRequestsPerConnection: settings.maxRequestsPerConnection,
  });
  const onRateLimit = hooks.onRateLimit;
  return onRateLimit ? withRateLimitReports(transport, (report) => onRateLimit(settings.name, report)) : transport;
}

function createDriver(settings: ResolvedProvider, config: ResolvedConfig, hooks: DriverRegistryHooks): DriverV1 {
  switch (settings.type) {
    case 'mock':
      return createMockDriver({ ...config.mock, provider: settings.name, timeoutMs: settings.headersTimeoutMs });
    case 'openai':
    case 'openai-compatible':
      return createOpenAIDriver({
        provider: settings.name,
        baseURL: settings.baseURL,
        apiKey: settings.apiKey,
        apiKeyEnvName: `${settings.name.toUpperCase().replace(/-/g, '_')}_API_KEY`,
        requireApiKey: settings.type === 'openai',
        batch: settings.type === 'openai',
        headers: settings.headers,
        transport: transportFor(settings, hooks),
        maxResponseBytes: settings.maxResponseBytes,
      });
    case 'anthropic':
      return createAnthropicDriver({
        provider: settings.name,
        baseURL: settings.baseURL,
        apiKey: settings.apiKey,
        headers: settings.headers,
        transport: transportFor(settings, hooks),
        maxResponseBytes: settings.maxResponseBytes,
      });
    case 'gemini':
      return createGeminiDriver({
        provider: settings.name,
        baseURL: settings.baseURL,
        apiKey: settings.apiKey,
        headers: settings.headers,
        transport: transportFor(settings, hooks),
        maxResponseBytes: settings.maxResponseBytes,
      });
    case 'ollama':
      return createOllamaDriver({ provider: settings.name, baseURL: settings.baseURL, headers: settings.headers, transport: transportFor(settings, hooks), maxResponseBytes: settings.maxResponseBytes });
    default:
      throw new SwitchyardError({ code: 'invalid_config', message: `provider "${settings.name}" has an unknown type "${String(settings.type)}"` });
  }
}

/**
 * Creates the registry. `overrides` replaces or adds drivers by provider name
 * (a host's own driver, or one wired to a test transport).
 */
export function createDriverRegistry(config: ResolvedConfig, overrides: Record<string, DriverV1> = {}, hooks: DriverRegistryHooks = {}): DriverRegistry {
  const drivers = new Map<string, DriverV1>(Object.entries(overrides));
  return {
    get(provider) {
      let driver = drivers.get(provider);
      if (!driver) {
        const settings = Object.hasOwn(config.providers, provider) ? config.providers[provider] : undefined;
        if (!settings) {
          throw new SwitchyardError({ code: 'model_not_found', status: 404, message: `unknown or disabled provider "${provider}"` });
        }
        driver = createDriver(settings, config, hooks);
        drivers.set(provider, driver);
      }
      return driver;
    },
    poolStats() {
      const stats: Record<string, PoolStats> = {};
      for (const [name, driver] of drivers) {
        if (driver.poolStats) stats[name] = driver.poolStats();
      }
      return stats;
    },
    async close() {
      await Promise.all([...drivers.values()].map((driver) => driver.close?.()));
    },
  };
}
