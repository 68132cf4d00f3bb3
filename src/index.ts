/**
 * envward: one codebase, run safely in development, test, staging and
 * production. This module is the public API; importing it does no work.
 */

/** zod itself (a peer: the application's own instance); `import { z } from 'zod'` is the same module. */
export { z } from 'zod';
export * from './config/index.js';
export * from './environment/index.js';
export * from './errors.js';
export * from './migrate/index.js';
export * from './observe/index.js';
export * from './outbound/index.js';
export * from './preflight/index.js';
export { type ScaffoldResult, scaffoldProject } from './project/index.js';
export * from './secrets/index.js';
export * from './store/index.js';
