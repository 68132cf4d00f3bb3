// Apart from stamp.ts so that the public index can offer it without loading Kysely.
import { sameDatabase } from './database-identity.js';
import type { Stamp } from './stamp.js';
import { DatabaseIdentityMismatchError, EnvironmentMismatchError, ProjectMismatchError } from './store-errors.js';

/** Who opens a database: its environment, project and the database's identity as found (Store.identity). */
export interface StampOpener {
  readonly environment: { readonly name: string; readonly protected: boolean };
  /** '' when the project declares none. */
  readonly project: string;
  readonly identity: string;
}

/**
 * Why `opener` may not use a database with this stamp: another
 * environment's, another project's (when both name one), or, for a protected
 * environment, its own stamp made on another database (a copy). Undefined
 * when the stamp is this environment's own; a stamp without an identity, or
 * a non-protected environment's database that moved, is recorded anew on
 * open instead.
 * @example
 * const refusal = stampRefusal(store.stamp, { environment, project: 'ledger', identity: store.identity }, store.where);
 */
export function stampRefusal(
  stamp: Stamp,
  opener: StampOpener,
  where: string,
): EnvironmentMismatchError | ProjectMismatchError | DatabaseIdentityMismatchError | undefined {
  const { environment, project, identity } = opener;
  const owner = { ...stamp, at: stamp.stampedAt };
  if (stamp.environment !== environment.name) return new EnvironmentMismatchError(environment.name, owner, where);
  if (stamp.project !== '' && project !== '' && stamp.project !== project) {
    return new ProjectMismatchError(project, owner, where);
  }
  if (environment.protected && stamp.database !== '' && !sameDatabase(stamp.database, identity)) {
    return new DatabaseIdentityMismatchError(
      environment.name,
      { stamped: stamp.database, current: identity, host: stamp.host, at: stamp.stampedAt },
      where,
    );
  }
  return undefined;
}
