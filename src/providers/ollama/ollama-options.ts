import { createTransport, type Transport, type TransportOptions } from '../../core/transport.js';
import { SwitchyardError } from '../../spec/errors.js';

/** Settings of an Ollama driver. Ollama needs no API key; `headers` can carry one for a proxy in front of it. */
export interface OllamaDriverSettings {
  /** Provider name used in errors and results. Default `ollama`. */
  provider?: string;
  /** The server root, without `/api`. Default `http://127.0.0.1:11434`. A trailing `/api` is removed. */
  baseURL?: string;
  /** Extra headers sent with every request. */
  headers?: Record<string, string>;
  /**
   * A transport (one per provider, shared by its calls), or options to create one.
   * Default: a transport with default options. The driver's `close()` closes it; it reopens on next use.
   */
  transport?: Transport | TransportOptions;
}

/** Settings with defaults applied. */
export interface ResolvedOllamaSettings {
  provider: string;
  baseURL: string;
  headers: Record<string, string>;
  transport: Transport;
}

/** Where a local Ollama listens by default. */
export const OLLAMA_DEFAULT_BASE_URL = 'http://127.0.0.1:11434';

/** Applies defaults and validates settings. */
export function resolveOllamaSettings(settings: OllamaDriverSettings = {}): ResolvedOllamaSettings {
  const provider = settings.provider ?? 'ollama';
  const baseURL = (settings.baseURL ?? OLLAMA_DEFAULT_BASE_URL).replace(/\/+$/, '').replace(/\/api$/, '');
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
    transport: isTransport(settings.transport) ? settings.transport : createTransport(settings.transport),
  };
}

function isTransport(value: Transport | TransportOptions | undefined): value is Transport {
  return typeof (value as Transport | undefined)?.dispatcher === 'function';
}
