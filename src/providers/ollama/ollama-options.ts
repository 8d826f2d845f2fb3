import {
  resolveProviderConnection,
  type ProviderConnectionSettings,
  type ResolvedProviderConnection,
} from '../../core/provider-settings.js';

/** Settings of an Ollama driver. Ollama needs no API key; `headers` can carry one for a proxy in front of it. */
export interface OllamaDriverSettings extends ProviderConnectionSettings {
  /** Provider name used in errors and results. Default `ollama`. */
  provider?: string;
  /** The server root, without `/api`. Default `http://127.0.0.1:11434`. A trailing `/api` is removed. */
  baseURL?: string;
}

/** Settings with defaults applied. */
export type ResolvedOllamaSettings = ResolvedProviderConnection;

/** Where a local Ollama listens by default. */
export const OLLAMA_DEFAULT_BASE_URL = 'http://127.0.0.1:11434';

/** Applies defaults and validates settings. */
export function resolveOllamaSettings(settings: OllamaDriverSettings = {}): ResolvedOllamaSettings {
  return resolveProviderConnection(settings, { provider: 'ollama', baseURL: OLLAMA_DEFAULT_BASE_URL, stripSuffix: /\/api$/ });
}
