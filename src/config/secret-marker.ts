import type { ZodType } from 'zod';

// Kept on globalThis so that a second copy of this module (jiti's fallback
// loader evaluates envward again) sees the same marks.
const REGISTRY = Symbol.for('envward.secretSchemas');
const shared = globalThis as { [REGISTRY]?: WeakSet<object> };
shared[REGISTRY] ??= new WeakSet<object>();
const SECRET_SCHEMAS = shared[REGISTRY];

/**
 * Marks a schema as secret: its value is masked in every output and must be
 * set (not empty, not a default) in protected tiers.
 * @example schema: z.object({ api: z.object({ token: secret(z.string().min(32)) }) })
 */
export function secret<T extends ZodType>(schema: T): T {
  SECRET_SCHEMAS.add(schema);
  return schema;
}

export function isMarkedSecret(schema: object): boolean {
  return SECRET_SCHEMAS.has(schema);
}
