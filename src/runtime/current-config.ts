/**
 * The configuration an environment's services run with now: its layers plus
 * its latest runtime revision, read from its store without writing anything.
 * What `config show`, `explain`, `validate` and `diff` print.
 */
import type { ResolvedConfig, ResolveOptions } from '../config/resolve.js';
import { isEnvwardError } from '../errors.js';
import { resolveConfig } from '../resolution.js';

export interface CurrentConfig<Values> {
  readonly resolved: ResolvedConfig<Values>;
  /** The revision applied (0: none, or the store was not read). */
  readonly revision: number;
  /** Why the store's revisions could not be read (the values shown are without them). */
  readonly warnings: readonly string[];
}

/**
 * Errors that mean "no revisions to read here" and need no warning: the
 * database was never made, or the store's packages are not installed (so
 * this installation never wrote one).
 */
const NOTHING_TO_READ = new Set(['EW_DB_MISSING', 'EW_PEER_MISSING']);

/**
 * Resolves as `resolveConfig` does, then applies the environment's latest
 * runtime revision from its store, opened read-only. A project without the
 * store has no revisions; a store that cannot be read is a warning, and the
 * values are shown without revisions. `withRevisions` false: the layers only.
 */
export async function resolveCurrent<Values = Record<string, unknown>>(
  withRevisions: boolean,
  options: ResolveOptions,
): Promise<CurrentConfig<Values>> {
  const resolved = await resolveConfig<Values>(options);
  if (!withRevisions || !resolved.project.schema.leaves.has('database.url') || !readableStore(resolved)) {
    return { resolved, revision: 0, warnings: [] };
  }
  try {
    // The store first: without its packages it is EW_PEER_MISSING, before anything imports Kysely.
    const { openStore } = await import('../store/index.js');
    const store = await openStore(resolved as ResolvedConfig<unknown>, { stampMode: 'read' });
    const [{ latestRevision, revisionDb }, { revisionLayer }, { reresolve }] = await Promise.all([
      import('./applied-revision.js'),
      import('./revision-layer.js'),
      import('../config/resolve.js'),
    ]);
    try {
      const revision = await latestRevision(revisionDb(store), resolved.environment.name);
      if (revision.number === 0) return { resolved, revision: 0, warnings: [] };
      const current = await reresolve(resolved, [revisionLayer(revision)], {
        collectIssues: options.collectIssues ?? false,
      });
      return { resolved: current, revision: revision.number, warnings: [] };
    } finally {
      await store.close();
    }
  } catch (error) {
    if (!isEnvwardError(error) || error.code === 'EW_CONFIG_INVALID') throw error;
    if (NOTHING_TO_READ.has(error.code)) return { resolved, revision: 0, warnings: [] };
    return {
      resolved,
      revision: 0,
      warnings: [
        `${resolved.environment.name}'s runtime revisions were not read (${error.code}: ${error.message}); the values below are without them`,
      ],
    };
  }
}

/** Whether the store's settings validated: an invalid database.url is already an issue of its own. */
function readableStore(resolved: ResolvedConfig<unknown>): boolean {
  return !resolved.issues.some((issue) => issue.key.startsWith('database.'));
}
