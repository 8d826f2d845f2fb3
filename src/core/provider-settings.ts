import { SwitchyardError } from '../spec/errors.js';
import { createTransport, type Transport, type TransportOptions } from './transport.js';

/*
 * The settings every HTTP provider driver shares: where the API lives, extra
 * headers, the injected transport and (for keyed APIs) the key, read at each
 * request with an environment fallback. Each provider's options file adds its
 * defaults and whatever is specific to its API.
 */

/** Connection settings common to every HTTP provider driver. */
export interface ProviderConnectionSettings {
  /** Provider name used in errors and results. */
  provider?: string;
  /** API root. */
  baseURL?: string;
  /** Extra headers sent with every request. */
  headers?: Record<string, string>;
  /**
   * A transport (one per provider, shared by its calls), or options to create one.
   * Default: a transport with default options. The driver's `close()` closes it; it reopens on next use.
   */
  transport?: Transport | TransportOptions;
  /** Largest non-streamed answer read before `response_too_large`. Default 32 MiB. */
  maxResponseBytes?: number;
}

/** Key settings of a provider that authenticates with an API key. */
export interface ProviderApiKeySettings {
  /** The key, or a function read at each request. Falls back to the env variable `apiKeyEnvName`. */
  apiKey?: string | (() => string | undefined);
  /** Environment variable holding the key. */
  apiKeyEnvName?: string;
  /** Where the key fallback is read. Default `process.env`. */
  env?: Record<string, string | undefined>;
}

/** Connection settings with defaults applied. */
export interface ResolvedProviderConnection {
  provider: string;
  baseURL: string;
  headers: Record<string, string>;
  transport: Transport;
  /** The cap on a non-streamed answer, when configured (else the core default). */
  maxResponseBytes?: number;
}

/** Defaults a provider supplies to {@link resolveProviderConnection}. */
export interface ProviderConnectionDefaults {
  /** Provider name when settings give none. */
  provider: string;
  /** API root when settings give none. */
  baseURL: string;
  /** A suffix removed after trailing slashes (e.g. `/v1$`, `/api$`), so both spellings name the same root. */
  stripSuffix?: RegExp;
}

/**
 * Applies defaults to the connection settings: the provider name, the base URL
 * without trailing slashes (and `stripSuffix`), a copy of the headers, and the
 * transport (used as given, or created from its options). A base URL that is
 * not http(s) is an `invalid_config` error naming `baseURL`.
 */
export function resolveProviderConnection(
  settings: ProviderConnectionSettings,
  defaults: ProviderConnectionDefaults,
): ResolvedProviderConnection {
  const provider = settings.provider ?? defaults.provider;
  let baseURL = (settings.baseURL ?? defaults.baseURL).replace(/\/+$/, '');
  if (defaults.stripSuffix !== undefined) baseURL = baseURL.replace(defaults.stripSuffix, '');
  if (!/^https?:\/\/[^/]/i.test(baseURL)) {
    throw new SwitchyardError({
      code: 'invalid_config',
      message: `${provider} baseURL must be an http(s) URL, got ${JSON.stringify(settings.baseURL)}`,
      provider,
      param: 'baseURL',
    });
  }
  return {
    provider,
    baseURL,
    headers: { ...settings.headers },
    transport: resolveTransport(settings.transport),
    ...(settings.maxResponseBytes !== undefined ? { maxResponseBytes: settings.maxResponseBytes } : {}),
  };
}

/** Uses a given transport as is, or creates one from options (default options when undefined). */
export function resolveTransport(value: Transport | TransportOptions | undefined): Transport {
  return isTransport(value) ? value : createTransport(value);
}

/** True when `value` is a transport rather than transport options. */
export function isTransport(value: Transport | TransportOptions | undefined): value is Transport {
  return typeof (value as Transport | undefined)?.dispatcher === 'function';
}

/** What {@link createApiKeyResolver} needs. */
export interface ApiKeyResolverOptions {
  /** Provider name for the error. */
  provider: string;
  /** The configured key or key function. */
  apiKey: ProviderApiKeySettings['apiKey'];
  /** Environment variable read when no key is configured. */
  envName: string;
  /** Where that variable is read. Default `process.env`. */
  env?: Record<string, string | undefined>;
  /** Throw `authentication_failed` when no key is found. */
  required: boolean;
}

/**
 * Returns a function that reads the key at each call: the configured key (or
 * the result of the key function), else the environment variable; an empty
 * string counts as none. When `required` and no key is found it throws
 * `authentication_failed` naming the variable.
 */
export function createApiKeyResolver(options: ApiKeyResolverOptions & { required: true }): () => string;
export function createApiKeyResolver(options: ApiKeyResolverOptions): () => string | undefined;
export function createApiKeyResolver(options: ApiKeyResolverOptions): () => string | undefined {
  const { provider, apiKey, envName, required } = options;
  const env = options.env ?? process.env;
  return () => {
    const configured = typeof apiKey === 'function' ? apiKey() : apiKey;
    const key = configured || env[envName] || undefined;
    if (key === undefined && required) {
      throw new SwitchyardError({
        code: 'authentication_failed',
        message: `${provider} API key is missing: pass apiKey or set ${envName}`,
        provider,
      });
    }
    return key;
  };
}

/** Settings of a provider with an API key that can also run keyless (a local server, a proxy that adds the key). */
export interface KeyedProviderSettings extends ProviderConnectionSettings, ProviderApiKeySettings {
  /** Fail fast with `authentication_failed` when no key is found. Default true. */
  requireApiKey?: boolean;
}

/** Keyed provider settings with defaults applied. */
export interface ResolvedKeyedProviderSettings extends ResolvedProviderConnection {
  /** The key for this request, or undefined when none is set and none is required. */
  resolveApiKey(): string | undefined;
}

/**
 * Applies defaults to a keyed provider's settings: the connection as
 * {@link resolveProviderConnection} does, and a key resolver reading
 * `apiKeyEnvName` (default `defaults.apiKeyEnvName`) when no key is given,
 * required unless `requireApiKey` is false. The key is read at each request.
 */
export function resolveKeyedProviderSettings(
  settings: KeyedProviderSettings,
  defaults: ProviderConnectionDefaults & { apiKeyEnvName: string },
): ResolvedKeyedProviderSettings {
  const connection = resolveProviderConnection(settings, defaults);
  const resolveApiKey = createApiKeyResolver({
    provider: connection.provider,
    apiKey: settings.apiKey,
    envName: settings.apiKeyEnvName ?? defaults.apiKeyEnvName,
    env: settings.env,
    required: settings.requireApiKey ?? true,
  });
  return { ...connection, resolveApiKey };
}
