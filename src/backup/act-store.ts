/**
 * The environment a backup or restore works on: resolved as an operator's
 * act (no host check: backing up production from an operator's machine is
 * the point), stopping on a `database.*` problem, since the database is
 * what the act is about.
 */
import type { EnvironmentTarget } from '../acts/environment-target.js';
import type { ResolvedConfig } from '../config/index.js';
import { ConfigInvalidError } from '../errors.js';
import { resolveForAct } from '../runtime/revision-context.js';

export async function resolveDatabaseAct(target: EnvironmentTarget): Promise<ResolvedConfig<unknown>> {
  const { resolved } = await resolveForAct(target);
  if (resolved.issues.some((issue) => issue.key.startsWith('database.'))) {
    throw new ConfigInvalidError(resolved.environment.name, resolved.issues);
  }
  return resolved;
}
