import {
  resolveKeyedProviderSettings,
  type KeyedProviderSettings,
  type ResolvedKeyedProviderSettings,
} from '../../core/provider-settings.js';
import type { ProviderBatchLimits } from '../../spec/batch.js';

/** Settings of an OpenAI (or OpenAI-compatible) driver. */
export interface OpenAIDriverSettings extends KeyedProviderSettings {
  /** Provider name used in errors and results. Default `openai`; set `xai`, `groq`... when reusing this driver. */
  provider?: string;
  /** API root including the version. Default `https://api.openai.com/v1`. */
  baseURL?: string;
  /** Environment variable holding the key. Default `OPENAI_API_KEY`. */
  apiKeyEnvName?: string;
  /** Fail fast with `authentication_failed` when no key is found. Default true; false for keyless local servers. */
  requireApiKey?: boolean;
  /** Extra headers sent with every request (organization, project...). */
  headers?: Record<string, string>;
  /** Whether the server has OpenAI's Files and Batch API (`doBatch`). Default true; false for OpenAI-compatible servers without one. */
  batch?: boolean;
  /** Per-batch limits below OpenAI's (50,000 requests, 200 MB), e.g. to split smaller. */
  batchLimits?: Partial<ProviderBatchLimits>;
}

/** Settings with defaults applied (`resolveApiKey()` reads the key at each request). */
export type ResolvedOpenAISettings = ResolvedKeyedProviderSettings;

/** The public OpenAI API root. */
export const OPENAI_DEFAULT_BASE_URL = 'https://api.openai.com/v1';

/** Applies defaults and validates settings; the key is not read here but at each request. */
export function resolveOpenAISettings(settings: OpenAIDriverSettings = {}): ResolvedOpenAISettings {
  return resolveKeyedProviderSettings(settings, { provider: 'openai', baseURL: OPENAI_DEFAULT_BASE_URL, apiKeyEnvName: 'OPENAI_API_KEY' });
}
