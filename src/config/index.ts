export { loadConfig, mergeConfig, parseGatewayKeys } from './load.js';
export type { GatewayKey, LoadConfigOptions, ResolvedConfig, ResolvedProvider } from './load.js';
export { PROFILES, resolveEnvironment } from './profiles.js';
export type { Environment, Profile } from './profiles.js';
export { configSchema } from './schema.js';
export type { MockConfig, ProviderConfigInput, SwitchyardConfigInput } from './schema.js';
