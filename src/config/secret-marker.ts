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

const CONDITIONAL = Symbol.for('envward.conditionalSecretSchemas');
const conditional = globalThis as { [CONDITIONAL]?: WeakSet<object> };
conditional[CONDITIONAL] ??= new WeakSet<object>();
const CONDITIONAL_SCHEMAS = conditional[CONDITIONAL];

/**
 * A secret of a capability that needs it only in some configurations
 * (`auth.jwt.secret`: only when JWT auth is on with an HS algorithm). Masked
 * and scrubbed like any secret(), kept out of plain files in protected tiers,
 * but not required there by the built-in rule: the fragment's own `rules`
 * report it unset (EW_RULE_SECRET_UNSET) where it is needed. Internal to
 * capabilities; a project's secrets use secret().
 */
export function conditionalSecret<T extends ZodType>(schema: T): T {
  SECRET_SCHEMAS.add(schema);
  CONDITIONAL_SCHEMAS.add(schema);
  return schema;
}

export function isConditionalSecret(schema: object): boolean {
  return CONDITIONAL_SCHEMAS.has(schema);
}
