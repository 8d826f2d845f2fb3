import {
  resolveKeyedProviderSettings,
  type KeyedProviderSettings,
  type ResolvedKeyedProviderSettings,
} from '../../core/provider-settings.js';

/** Settings of a Gemini (Google Generative Language API) driver. */
export interface GeminiDriverSettings extends KeyedProviderSettings {
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
}

/** Settings with defaults applied (`resolveApiKey()` reads the key at each request). */
export type ResolvedGeminiSettings = ResolvedKeyedProviderSettings;

/** The public Gemini API root. */
export const GEMINI_DEFAULT_BASE_URL = 'https://generativelanguage.googleapis.com/v1beta';

/** Applies defaults and validates settings; the key is not read here but at each request. */
export function resolveGeminiSettings(settings: GeminiDriverSettings = {}): ResolvedGeminiSettings {
  return resolveKeyedProviderSettings(settings, { provider: 'gemini', baseURL: GEMINI_DEFAULT_BASE_URL, apiKeyEnvName: 'GEMINI_API_KEY' });
}
