/**
 * envward: one codebase, run safely in development, test, staging and
 * production. This module is the public API; importing it does no work.
 */
import type { z as zod } from 'zod';
import { bundledZod } from './bundled/index.js';

export * from './config/index.js';
export * from './environment/index.js';
export * from './errors.js';
export * from './migrate/index.js';
export * from './observe/index.js';
export * from './outbound/index.js';
export * from './preflight/index.js';
export { type ScaffoldResult, scaffoldProject } from './project/index.js';
export * from './secrets/index.js';
export { reportStartupError, type StartupErrorOptions } from './startup-error.js';
export * from './store/index.js';

/**
 * zod, as envward bundles it (loaded on first use, so importing envward stays
 * cheap). `import { z } from 'zod'` works as well.
 */
export const z: typeof zod = new Proxy({} as typeof zod, {
  get: (_target, property) => Reflect.get(bundledZod().z, property),
  has: (_target, property) => Reflect.has(bundledZod().z, property),
  ownKeys: () => Reflect.ownKeys(bundledZod().z),
  getOwnPropertyDescriptor: (_target, property) => {
    const descriptor = Reflect.getOwnPropertyDescriptor(bundledZod().z, property);
    return descriptor ? { ...descriptor, configurable: true } : undefined;
  },
});
