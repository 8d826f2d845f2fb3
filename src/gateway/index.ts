/** The HTTP gateway: OpenAI- and Anthropic-compatible routes, tenants, streaming, /metrics and the dashboard. */
export { createGateway, type GatewayOptions } from './create-gateway.js';
export { startGateway, type RunningGateway, type StartGatewayOptions } from './start-gateway.js';
export { ERROR_MAPPING, type WireErrorMapping } from '../wire/error-mapping.js';
export type { GatewayStats } from './gateway-monitor.js';
