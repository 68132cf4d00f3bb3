/**
 * What a restore checks before it writes: each environment's configuration
 * as it will be (resolved in the staged project with the archive's head
 * revision), every other environment's too when the project's own files
 * change (for problems the restore would bring), and that another environment's archive does not move the
 * target's store.
 */

import type { Project, ResolvedConfig } from '../config/index.js';
import { readPath } from '../config/value-path.js';
import { ConfigInvalidError, type ConfigIssue, isEnvwardError } from '../errors.js';
import { latestRevision, revisionDb } from './applied-revision.js';
import { ArchiveStoreMoveError } from './archive-errors.js';
import { currentText } from './archive-files.js';
import { PROJECT_FILES } from './archive-paths.js';
import { resolveStaged, type StagedProject, type StagedResolution } from './archive-staging.js';
import type { ArchivedEnvironment } from './config-archive.js';
import { headState } from './restore-revisions.js';
import { STORE_LOCATION_KEYS } from './revisable-keys.js';
import { openActStore, resolveForAct } from './revision-context.js';
import { type AppliedRevision, REVISION_ZERO } from './revision-layer.js';

/** One archived environment restored into one of the project's. */
export interface Pair {
  readonly target: string;
  readonly from: string;
  readonly archived: ArchivedEnvironment;
  /** The target's files to write, path -> text. */
  readonly files: Map<string, string>;
}

/** The environment's revision now, to validate it with project files that change; a store not readable is noted. */
async function currentRevision(project: Project, env: string, common: Common, warnings: string[]) {
  try {
    const act = await resolveForAct({ ...common, project, env });
    const store = await openActStore(act, 'read');
    try {
      return await latestRevision(revisionDb(store), env);
    } finally {
      await store.close();
    }
  } catch (error) {
    if (!isEnvwardError(error)) throw error;
    if (error.code !== 'EW_DB_MISSING') {
      warnings.push(`${env} was validated without its runtime revisions: its store could not be read (${error.code})`);
    }
    return REVISION_ZERO;
  }
}

/** Process variables and host name, as every resolution of the restore takes them. */
export interface Common {
  readonly variables: Readonly<Record<string, string | undefined>>;
  readonly hostname: string;
}

/**
 * Resolves each target in the staged project with the archive's head
 * revision: each must be valid (EW_CONFIG_INVALID otherwise). When the
 * project's own files change, every other environment too, with its own
 * revision now: the restore may not make it invalid.
 */
export async function validate(
  project: Project,
  staged: StagedProject,
  pairs: readonly Pair[],
  projectFiles: ReadonlyMap<string, string>,
  common: Common,
  warnings: string[],
): Promise<Map<string, StagedResolution>> {
  const resolutions = new Map<string, StagedResolution>();
  for (const pair of pairs) {
    const last = pair.archived.revisions.at(-1);
    const revision: AppliedRevision = { number: last?.number ?? 0, state: headState(pair.archived.revisions) };
    const resolution = await resolveStaged(project, staged, { ...common, env: pair.target, revision });
    if (resolution.issues.length > 0) throw new ConfigInvalidError(pair.target, resolution.issues);
    for (const warning of resolution.resolved.warnings) warnings.push(`${pair.target}: ${warning.message}`);
    if (!resolution.secretsChecked) {
      warnings.push(`${pair.target}: this host has no private key for it, so its secret keys were not validated`);
    }
    if (pair.from !== pair.target) await assertStoreStays(project, pair, resolution.resolved, common);
    resolutions.set(pair.target, resolution);
  }
  const changesProject = [...projectFiles].some(
    ([path, text]) => PROJECT_FILES.includes(path) && currentText(project.root, path) !== text,
  );
  if (changesProject) {
    for (const env of project.environments.names) {
      if (!resolutions.has(env)) await assertNotBroken(project, staged, env, common, warnings);
    }
  }
  return resolutions;
}

/**
 * An environment the restore does not name, but whose configuration it
 * changes (the project's own files): refused only for problems the restore
 * brings (EW_CONFIG_INVALID with those), not for the ones it has now.
 */
async function assertNotBroken(
  project: Project,
  staged: StagedProject,
  env: string,
  common: Common,
  warnings: string[],
) {
  const target = { ...common, env, revision: await currentRevision(project, env, common, warnings) };
  let now: readonly ConfigIssue[];
  try {
    now = (await resolveStaged(project, { project, cleanup: () => {} }, target)).issues;
  } catch (error) {
    if (!isEnvwardError(error)) throw error;
    warnings.push(`${env} was not validated: its configuration cannot be resolved now (${error.code})`);
    return;
  }
  const after = (await resolveStaged(project, staged, target)).issues;
  const added = after.filter((issue) => !now.some((old) => old.key === issue.key && old.code === issue.code));
  if (added.length > 0) throw new ConfigInvalidError(env, added);
}

/** Where the store is, as the keys that say it resolve (see STORE_LOCATION_KEYS). */
function storeLocation(resolved: ResolvedConfig<unknown>): Map<string, unknown> {
  const leaves = resolved.project.schema.leaves;
  return new Map(
    [...STORE_LOCATION_KEYS].map((key) => {
      const leaf = leaves.get(key);
      return [key, leaf ? readPath(resolved.values, leaf.path) : undefined];
    }),
  );
}

/**
 * Another environment's files must not move the target's store: its
 * settings.yml names its own database, and the target would then open (or
 * make, in development) that one. EW_ARCHIVE_STORE, even when forced.
 */
async function assertStoreStays(project: Project, pair: Pair, after: ResolvedConfig<unknown>, common: Common) {
  const before = storeLocation((await resolveForAct({ ...common, project, env: pair.target })).resolved);
  const moved = [...storeLocation(after)].filter(([key, value]) => before.get(key) !== value).map(([key]) => key);
  if (moved.length > 0) throw new ArchiveStoreMoveError(pair.target, pair.from, moved);
}
