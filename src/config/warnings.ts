import type { Environment } from '../environment/index.js';
import { RESOLUTION_WARNING_CODES } from '../error-registry.js';
import type { SchemaIndex } from './schema-index.js';

/**
 * The codes a resolution warning can carry (docs/errors.md, "Resolution
 * warnings"). Branch on these, never on the message.
 */
export { RESOLUTION_WARNING_CODES };

export type ResolutionWarningCode = (typeof RESOLUTION_WARNING_CODES)[number];

/** Something resolution went on despite, for the user to know: never a secret value. */
export interface ResolutionWarning {
  readonly code: ResolutionWarningCode;
  readonly message: string;
  /** The configuration key it is about, when there is one. */
  readonly key?: string;
}

/**
 * A warning for each key stored in `environment`'s secrets that a process
 * variable also sets: the variable wins (process-env is above secrets in
 * LAYER_ORDER), so the sealed value is silently not used. Only protected
 * environments: in development, a variable over a secret is an ordinary
 * local override. Names the variable, never its value.
 */
export function shadowedSecretWarnings(
  environment: Pick<Environment, 'name' | 'protected'>,
  schema: SchemaIndex,
  storedKeys: Iterable<string>,
  variables: Readonly<Record<string, string | undefined>>,
): ResolutionWarning[] {
  if (!environment.protected) return [];
  const warnings: ResolutionWarning[] = [];
  for (const key of storedKeys) {
    const variable = schema.leaves.get(key)?.variable;
    if (variable === undefined || variables[variable] === undefined) continue;
    warnings.push({
      code: 'EW_WARN_SECRET_SHADOWED',
      key,
      message: `$${variable} is set and shadows ${key}, sealed in ${environment.name}'s secrets: the variable's value is used, not the sealed one; unset $${variable} (or seal the new value with \`envward secrets set ${key} --env ${environment.name}\`)`,
    });
  }
  return warnings;
}

/** Where warnings are written: a pino logger or anything with the same `warn`. */
export interface WarningLog {
  warn(fields: object, message: string): void;
}

// Resolved configs whose warnings were logged: createLogger and the Fastify plugin both log them, once in all.
const logged = new WeakSet<object>();

/**
 * Logs `resolved.warnings` at warn level, once per resolved config however
 * many of createLogger and the Fastify plugin receive it.
 */
export function logResolutionWarnings(
  resolved: { readonly warnings?: readonly ResolutionWarning[] },
  log: WarningLog,
): void {
  if (logged.has(resolved)) return;
  logged.add(resolved);
  for (const warning of resolved.warnings ?? []) {
    log.warn({ code: warning.code, ...(warning.key !== undefined ? { key: warning.key } : {}) }, warning.message);
  }
}
