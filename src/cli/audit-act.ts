import { EnvwardError } from '../errors.js';
import { resolveConfig } from '../resolution.js';
import { type AuditEvent, openStore, type Store } from '../store/index.js';
import type { Output } from './output.js';

/**
 * The store to record an act in. A database nobody has stamped yet (a
 * protected environment waits for `db stamp`) still takes the event: it is
 * the environment's configured database and no other environment has
 * claimed it. Another environment's stamp, or no database at all, fails.
 */
async function storeForAudit(resolved: Parameters<typeof openStore>[0]): Promise<Store> {
  try {
    return await openStore(resolved);
  } catch (error) {
    if (!(error instanceof EnvwardError && error.code === 'EW_DB_UNSTAMPED')) throw error;
    return openStore(resolved, { stampMode: 'inspect', writable: true });
  }
}

/**
 * Records a privileged act (a secret revealed, a key rotated, a guard
 * overridden) in the audit log of `environment`'s store. The act itself does
 * not wait on the store: when it cannot be used (not reachable from here,
 * another environment's stamp, a configuration that does not resolve), the
 * user is told the act went unaudited. `variables` replaces the process's
 * for resolving the store (rotate-key: the new key in place of the old).
 */
export async function auditAct(
  options: {
    readonly cwd?: string | undefined;
    readonly variables?: Readonly<Record<string, string | undefined>>;
  },
  environment: string,
  event: AuditEvent,
  output: Output,
): Promise<boolean> {
  try {
    const resolved = await resolveConfig<unknown>({
      ...(options.cwd !== undefined ? { cwd: options.cwd } : {}),
      ...(options.variables !== undefined ? { variables: options.variables } : {}),
      env: environment,
      checkHost: false,
    });
    const store = await storeForAudit(resolved);
    try {
      await store.audit.append(event);
    } finally {
      await store.close();
    }
    return true;
  } catch (error) {
    const why = error instanceof EnvwardError ? `${error.code}: ${error.message}` : String(error);
    output.warn(`${event.action} on ${environment} is not audited: its store could not be opened (${why})`);
    return false;
  }
}
