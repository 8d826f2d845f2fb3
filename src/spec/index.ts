export * from './messages.js';
export * from './request.js';
export * from './response.js';
export * from './stream.js';
export * from './driver.js';
export * from './errors.js';
export * from './batch.js';
