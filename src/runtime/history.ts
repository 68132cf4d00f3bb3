import type { EnvironmentTarget } from '../acts/environment-target.js';
import { isEnvwardError } from '../errors.js';
import { revisionDb } from './applied-revision.js';
import { openActStore, resolveForAct } from './revision-context.js';
import { type RevisionEntry, revisionEntry } from './revision-entry.js';
import { revisionRows } from './revision-table.js';

export type { RevisionEntry } from './revision-entry.js';

export interface ConfigHistoryRequest extends EnvironmentTarget {
  /** Only the revisions that changed this key. */
  readonly key?: string;
}

export interface ConfigHistory {
  readonly environment: string;
  /** The latest revision's number (0: none). */
  readonly latest: number;
  /** Oldest first. */
  readonly revisions: readonly RevisionEntry[];
}

/**
 * The environment's runtime revisions with their diffs, read-only (a
 * database never made has none; nothing is created or stamped).
 * @example
 * const { revisions } = await configHistory({ env: 'staging', key: 'log.level' });
 */
export async function configHistory(request: ConfigHistoryRequest): Promise<ConfigHistory> {
  const act = await resolveForAct(request);
  const environment = act.resolved.environment.name;
  let store: Awaited<ReturnType<typeof openActStore>>;
  try {
    store = await openActStore(act, 'read');
  } catch (error) {
    if (isEnvwardError(error) && error.code === 'EW_DB_MISSING') return { environment, latest: 0, revisions: [] };
    throw error;
  }
  try {
    const rows = await revisionRows(revisionDb(store), environment);
    const all = rows.map(revisionEntry);
    const { key } = request;
    const revisions = key === undefined ? all : all.filter((entry) => entry.changes.some((c) => c.key === key));
    return { environment, latest: rows.at(-1)?.number ?? 0, revisions };
  } finally {
    await store.close();
  }
}
