import { resolveConfig } from '../config/index.js';
import { EnvwardError } from '../errors.js';
import { type AuditEvent, openStore } from '../store/index.js';
import type { Output } from './output.js';

/** Why an act that must be audited could not be: the store's own error, as code and message. */
export class AuditUnavailable extends Error {}

/**
 * Records a privileged act (a secret revealed, a key rotated, a guard
 * overridden) in the audit log of `environment`'s store. By default the act
 * does not wait on the store: when it cannot be opened (not stamped, not
 * reachable from here), the user is told the act went unaudited. With
 * `required`, that throws AuditUnavailable instead, for the caller to refuse
 * the act before it happens.
 */
export async function auditAct(
  options: { readonly cwd?: string | undefined },
  environment: string,
  event: AuditEvent,
  output: Output,
  required = false,
): Promise<boolean> {
  try {
    const resolved = await resolveConfig<unknown>({
      ...(options.cwd !== undefined ? { cwd: options.cwd } : {}),
      env: environment,
      checkHost: false,
    });
    const store = await openStore(resolved);
    try {
      await store.audit.append(event);
    } finally {
      await store.close();
    }
    return true;
  } catch (error) {
    const why = error instanceof EnvwardError ? `${error.code}: ${error.message}` : String(error);
    if (required) throw new AuditUnavailable(why);
    output.warn(`${event.action} on ${environment} is not audited: its store could not be opened (${why})`);
    return false;
  }
}
