/**
 * envward: one codebase, run safely in development, test, staging and
 * production. This module is the public API; importing it does no work.
 */
import type { z as zod } from 'zod';
import { bundledZod } from './bundled/index.js';

export * from './config/index.js';
export * from './environment/index.js';
export * from './errors.js';
// The capabilities' settings, for envward.config.ts (each loads zod only; its capability loads on use).
export { http } from './http/settings-schema.js';
export * from './migrate/index.js';
export { alerts } from './observe/alert-settings-schema.js';
export * from './observe/index.js';
export { log } from './observe/log-settings-schema.js';
export * from './outbound/index.js';
export { outbound } from './outbound/outbound-settings-schema.js';
export * from './preflight/index.js';
export { type ScaffoldResult, scaffoldProject } from './project/index.js';
export * from './secrets/index.js';
export { database } from './store/database-settings-schema.js';
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
