export * from './database.js';
export * from './database-schema.js';
export * from './migrations.js';
export * from './batch-schema.js';
export * from './team-tables.js';
export * from './stored-responses.js';
