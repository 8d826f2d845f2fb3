/**
 * The OpenAI and Anthropic wire shapes and their mapping to the spec: request
 * schemas, conversions both ways, and the one error table. Used by the gateway
 * and by `switchyard batch`.
 */
export * from './anthropic-wire-convert.js';
export * from './anthropic-wire-schemas.js';
export * from './error-mapping.js';
export * from './openai-wire-convert.js';
export * from './openai-wire-schemas.js';
