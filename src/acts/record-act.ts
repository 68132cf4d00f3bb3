import type { Project } from '../config/index.js';
import { EnvwardError } from '../errors.js';
import type { AuditEvent, Store } from '../store/index.js';

/** Where an act is recorded: the project and environment whose store holds the audit log. */
export interface ActTarget {
  /** Project directory (or below it); default `process.cwd()`. */
  readonly cwd?: string;
  /** An already opened project. */
  readonly project?: Project;
  /** The environment whose audit log records the act. */
  readonly env: string;
  /** Process variables for resolving the store (its URL or password may be a secret); default `process.env`. */
  readonly variables?: Readonly<Record<string, string | undefined>>;
  readonly hostname?: string;
  /** Who acts (the console's `console:<name>`); default the OS user. */
  readonly actor?: string;
}

export interface RecordActOptions {
  /**
   * 'refuse' (a reveal): only a database stamped for the environment takes the
   * event, so a DATABASE_URL pointing elsewhere cannot swallow it. 'record'
   * (an act already done: a rotation, an override): a database nobody has
   * stamped yet, the environment's configured one, takes it too.
   */
  readonly unstamped: 'refuse' | 'record';
}

/**
 * Appends `event` to the audit log of `target.env`'s store, resolved as the
 * root entry resolves (secrets included) without a host check: the act is
 * audited where it is done, whoever's host that is. Throws what stops it
 * (the configuration, the store's peers, the database); the caller decides
 * whether the act goes on unaudited. The store's modules load only here.
 */
export async function recordAct(target: ActTarget, event: AuditEvent, options: RecordActOptions): Promise<void> {
  const [{ resolveConfig }, { openStore }] = await Promise.all([
    import('../resolution.js'),
    import('../store/index.js'),
  ]);
  const resolved = await resolveConfig<unknown>({
    ...(target.cwd !== undefined ? { cwd: target.cwd } : {}),
    ...(target.project !== undefined ? { project: target.project } : {}),
    ...(target.variables !== undefined ? { variables: target.variables } : {}),
    ...(target.hostname !== undefined ? { hostname: target.hostname } : {}),
    env: target.env,
    checkHost: false,
  });
  const actorOption = target.actor !== undefined ? { actor: target.actor } : {};
  let store: Store;
  try {
    store = await openStore(resolved, actorOption);
  } catch (error) {
    const unstamped = error instanceof EnvwardError && error.code === 'EW_DB_UNSTAMPED';
    if (!unstamped || options.unstamped === 'refuse') throw error;
    store = await openStore(resolved, { stampMode: 'inspect', writable: true, ...actorOption });
  }
  try {
    await store.audit.append(event);
  } finally {
    await store.close();
  }
}

/** Why an act went unaudited, for a warning or a refusal: the code and message, never a value. */
export function unauditedReason(error: unknown): string {
  return error instanceof EnvwardError ? `${error.code}: ${error.message}` : String(error);
}
