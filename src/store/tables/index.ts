export * from './catalog.js';
export * from './consents.js';
export * from './credentials.js';
export * from './customers.js';
export * from './events.js';
export * from './signing-keys.js';
export * from './sessions.js';
export * from './rate-limits.js';
