import { createTransport, type Transport, type TransportOptions } from '../../core/transport.js';
import { SwitchyardError } from '../../spec/errors.js';

/** Settings of an Anthropic (Messages API) driver. */
export interface AnthropicDriverSettings {
  /** Provider name used in errors and results. Default `anthropic`. */
  provider?: string;
  /**
   * API root, with or without the `/v1` suffix (both name the same API, as in
   * the official SDK's `ANTHROPIC_BASE_URL`). Default `https://api.anthropic.com`.
   */
  baseURL?: string;
  /** The key, sent as `x-api-key`, or a function read at each request. Falls back to the env variable `apiKeyEnvName`. */
  apiKey?: string | (() => string | undefined);
  /** Environment variable holding the key. Default `ANTHROPIC_API_KEY`. */
  apiKeyEnvName?: string;
  /** The `anthropic-version` header. Default `2023-06-01`. */
  anthropicVersion?: string;
  /** Extra headers sent with every request (`anthropic-beta`...); they win over the defaults. */
  headers?: Record<string, string>;
  /**
   * A transport (one per provider, shared by its calls), or options to create one.
   * Default: a transport with default options. The driver's `close()` closes it; it reopens on next use.
   */
  transport?: Transport | TransportOptions;
  /** Where the key fallback is read. Default `process.env`. */
  env?: Record<string, string | undefined>;
}

/** Settings with defaults applied. */
export interface ResolvedAnthropicSettings {
  provider: string;
  /** The API origin without `/v1`; request paths start with `/v1/`. */
  baseURL: string;
  anthropicVersion: string;
  headers: Record<string, string>;
  transport: Transport;
  /** The key for this request; throws `authentication_failed` when none is set. */
  resolveApiKey(): string;
}

/** The public Anthropic API root. */
export const ANTHROPIC_DEFAULT_BASE_URL = 'https://api.anthropic.com';

/** The API version sent when none is configured. */
export const ANTHROPIC_DEFAULT_VERSION = '2023-06-01';

/** Applies defaults and validates settings; the key is not read here but at each request. */
export function resolveAnthropicSettings(settings: AnthropicDriverSettings = {}): ResolvedAnthropicSettings {
  const provider = settings.provider ?? 'anthropic';
  const baseURL = (settings.baseURL ?? ANTHROPIC_DEFAULT_BASE_URL).replace(/\/+$/, '').replace(/\/v1$/, '');
  if (!/^https?:\/\/[^/]/i.test(baseURL)) {
    throw new SwitchyardError({
      code: 'invalid_config',
      message: `${provider} baseURL must be an http(s) URL, got ${JSON.stringify(settings.baseURL)}`,
      provider,
      param: 'baseURL',
    });
  }
  const envName = settings.apiKeyEnvName ?? 'ANTHROPIC_API_KEY';
  const env = settings.env ?? process.env;

  return {
    provider,
    baseURL,
    anthropicVersion: settings.anthropicVersion ?? ANTHROPIC_DEFAULT_VERSION,
    headers: { ...settings.headers },
    transport: isTransport(settings.transport) ? settings.transport : createTransport(settings.transport),
    resolveApiKey() {
      const configured = typeof settings.apiKey === 'function' ? settings.apiKey() : settings.apiKey;
      const key = configured || env[envName] || undefined;
      if (key === undefined) {
        throw new SwitchyardError({
          code: 'authentication_failed',
          message: `${provider} API key is missing: pass apiKey or set ${envName}`,
          provider,
        });
      }
      return key;
    },
  };
}

function isTransport(value: Transport | TransportOptions | undefined): value is Transport {
  return typeof (value as Transport | undefined)?.dispatcher === 'function';
}
