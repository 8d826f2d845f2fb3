import { createTransport, type Transport, type TransportOptions } from '../../core/transport.js';
import { SwitchyardError } from '../../spec/errors.js';

/** Settings of a Gemini (Google Generative Language API) driver. */
export interface GeminiDriverSettings {
  /** Provider name used in errors and results. Default `gemini`. */
  provider?: string;
  /** API root including the version. Default `https://generativelanguage.googleapis.com/v1beta`. */
  baseURL?: string;
  /** The key, or a function read at each request. Falls back to the env variable `apiKeyEnvName`. Sent as `x-goog-api-key`. */
  apiKey?: string | (() => string | undefined);
  /** Environment variable holding the key. Default `GEMINI_API_KEY`. */
  apiKeyEnvName?: string;
  /** Fail fast with `authentication_failed` when no key is found. Default true; false behind a proxy that adds the key. */
  requireApiKey?: boolean;
  /** Extra headers sent with every request. */
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
export interface ResolvedGeminiSettings {
  provider: string;
  baseURL: string;
  headers: Record<string, string>;
  transport: Transport;
  /** The key for this request, or undefined when none is set and none is required. */
  resolveApiKey(): string | undefined;
}

/** The public Gemini API root. */
export const GEMINI_DEFAULT_BASE_URL = 'https://generativelanguage.googleapis.com/v1beta';

/** Applies defaults and validates settings; the key is not read here but at each request. */
export function resolveGeminiSettings(settings: GeminiDriverSettings = {}): ResolvedGeminiSettings {
  const provider = settings.provider ?? 'gemini';
  const baseURL = (settings.baseURL ?? GEMINI_DEFAULT_BASE_URL).replace(/\/+$/, '');
  if (!/^https?:\/\/[^/]/i.test(baseURL)) {
    throw new SwitchyardError({
      code: 'invalid_config',
      message: `${provider} baseURL must be an http(s) URL, got ${JSON.stringify(settings.baseURL)}`,
      provider,
      param: 'baseURL',
    });
  }
  const envName = settings.apiKeyEnvName ?? 'GEMINI_API_KEY';
  const requireApiKey = settings.requireApiKey ?? true;
  const env = settings.env ?? process.env;

  return {
    provider,
    baseURL,
    headers: { ...settings.headers },
    transport: isTransport(settings.transport) ? settings.transport : createTransport(settings.transport),
    resolveApiKey() {
      const configured = typeof settings.apiKey === 'function' ? settings.apiKey() : settings.apiKey;
      const key = configured || env[envName] || undefined;
      if (key === undefined && requireApiKey) {
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
