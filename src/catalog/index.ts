export * from './catalog-store.js';
export * from './cost.js';
export * from './estimate-tokens.js';
export * from './known-models.js';
export * from './model-catalog.js';
