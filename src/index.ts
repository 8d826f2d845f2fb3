/**
 * Switchyard: one fast, cached, observable interface in front of AI model
 * providers. Start with `createSwitchyard()`.
 */
export { createSwitchyard } from './client/create-switchyard.js';
export type { ChatManyOptions, Switchyard, SwitchyardOptions } from './client/types.js';
export type { TokenEstimate } from './catalog/estimate-tokens.js';
export { loadConfig } from './config/load.js';
export type { ResolvedConfig, SwitchyardConfigInput } from './config/index.js';
export { createMockDriver } from './providers/mock/mock-driver.js';
export { createOpenAIDriver } from './providers/openai/openai-driver.js';
export { createTransport } from './core/transport.js';
export type { Transport, TransportOptions } from './core/transport.js';
export type { SwitchyardEventMap, SwitchyardEventName, SwitchyardListener } from './observability/events.js';
export * from './spec/index.js';
