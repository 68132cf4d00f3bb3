import type { Kysely } from 'kysely';
import type { ResolvedConfig } from '../config/resolve.js';
import { reresolve } from '../config/resolve.js';
import type { Store } from '../store/open-store.js';
import { RevisionCorruptError } from './revision-errors.js';
import { type AppliedRevision, REVISION_ZERO, revisionLayer } from './revision-layer.js';
import { parseState } from './revision-state.js';
import { latestRevisionRow, type RevisionRow, type RevisionTables } from './revision-table.js';

/** A stored row as the revision it applies; a state envward did not write is EW_REVISION_CORRUPT. */
export function appliedFrom(row: RevisionRow | undefined): AppliedRevision {
  if (!row) return REVISION_ZERO;
  const state = parseState(row.state);
  if (!state) throw new RevisionCorruptError(row.environment, row.number);
  return { number: row.number, state };
}

/** The environment's latest revision in `db` (revision 0 when it has none, or no revision table yet). */
export async function latestRevision(db: Kysely<RevisionTables>, environment: string): Promise<AppliedRevision> {
  return appliedFrom(await latestRevisionRow(db, environment));
}

/** The store's query builder seen with envward's revision table (prefix and id plugins apply). */
export function revisionDb(store: Pick<Store, 'db'>): Kysely<RevisionTables> {
  return store.db as unknown as Kysely<RevisionTables>;
}

/**
 * `resolved` with the environment's latest runtime revision applied: the
 * same resolution again with the `runtime-revisions` layer read from
 * `store`. Throws EW_CONFIG_INVALID when the revision makes it invalid
 * (a schema changed since the revision was written).
 */
export async function withLatestRevision<Values>(
  resolved: ResolvedConfig<Values>,
  store: Pick<Store, 'db'>,
): Promise<{ readonly resolved: ResolvedConfig<Values>; readonly revision: AppliedRevision }> {
  const revision = await latestRevision(revisionDb(store), resolved.environment.name);
  return { resolved: await reresolve(resolved, [revisionLayer(revision)]), revision };
}
