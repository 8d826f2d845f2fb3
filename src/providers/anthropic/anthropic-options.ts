import type { ProviderBatchLimits } from '../../spec/batch.js';
import {
  createApiKeyResolver,
  resolveProviderConnection,
  type ProviderApiKeySettings,
  type ProviderConnectionSettings,
  type ResolvedProviderConnection,
} from '../../core/provider-settings.js';

/** Settings of an Anthropic (Messages API) driver. */
export interface AnthropicDriverSettings extends ProviderConnectionSettings, ProviderApiKeySettings {
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
  /** Per-batch limits below Anthropic's (100,000 requests, 256 MB), e.g. to split smaller. */
  batchLimits?: Partial<ProviderBatchLimits>;
}

/** Settings with defaults applied. */
export interface ResolvedAnthropicSettings extends ResolvedProviderConnection {
  /** The API origin without `/v1`; request paths start with `/v1/`. */
  baseURL: string;
  anthropicVersion: string;
  /** The key for this request; throws `authentication_failed` when none is set. */
  resolveApiKey(): string;
}

/** The public Anthropic API root. */
export const ANTHROPIC_DEFAULT_BASE_URL = 'https://api.anthropic.com';

/** The API version sent when none is configured. */
export const ANTHROPIC_DEFAULT_VERSION = '2023-06-01';

/** Applies defaults and validates settings; the key is not read here but at each request. */
export function resolveAnthropicSettings(settings: AnthropicDriverSettings = {}): ResolvedAnthropicSettings {
  const connection = resolveProviderConnection(settings, {
    provider: 'anthropic',
    baseURL: ANTHROPIC_DEFAULT_BASE_URL,
    stripSuffix: /\/v1$/,
  });
  const resolveApiKey = createApiKeyResolver({
    provider: connection.provider,
    apiKey: settings.apiKey,
    envName: settings.apiKeyEnvName ?? 'ANTHROPIC_API_KEY',
    env: settings.env,
    required: true,
  });
  return { ...connection, anthropicVersion: settings.anthropicVersion ?? ANTHROPIC_DEFAULT_VERSION, resolveApiKey };
}
