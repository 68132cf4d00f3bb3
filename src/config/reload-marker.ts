import type { ZodType } from 'zod';

// On globalThis, as secret-marker.ts does, so a second copy of this module sees the same marks.
const REGISTRY = Symbol.for('envward.liveSchemas');
const shared = globalThis as { [REGISTRY]?: WeakSet<object> };
shared[REGISTRY] ??= new WeakSet<object>();
const LIVE_SCHEMAS = shared[REGISTRY];

/**
 * Marks a key as live: a runtime revision may change it while the service
 * runs. Unmarked keys apply only at the next start (`restart`).
 * @example schema: z.object({ app: z.object({ greeting: live(z.string().default('hello')) }) })
 */
export function live<T extends ZodType>(schema: T): T {
  LIVE_SCHEMAS.add(schema);
  return schema;
}

export function isMarkedLive(schema: object): boolean {
  return LIVE_SCHEMAS.has(schema);
}
