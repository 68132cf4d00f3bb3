/**
 * `config restore`: an archive of `config backup` written back, after
 * validating everything it will leave (the archive, the environments named,
 * the project, and each environment's configuration as it will resolve)
 * before a single byte is written. Files are written one by one, each
 * atomically, and re-running the restore finishes one that was killed; each
 * environment's revisions and its audit event are one transaction.
 */

import { hostname as osHostname } from 'node:os';
import { basename, resolve } from 'node:path';
import type { EnvironmentTarget } from '../acts/environment-target.js';
import { openProject, type Project } from '../config/index.js';
import { assertNoApprovalNeeded } from '../environment/approval-policy.js';
import type { ForceOverride, GuardOverride } from '../environment/index.js';
import { type EnvwardError, ForceWithoutReasonError, isEnvwardError, UsageError } from '../errors.js';
import { failpoint } from '../failpoint.js';
import { writeFileAtomically } from '../project/index.js';
import { withSecretsLock } from '../secrets/index.js';
import { openStore, type Store } from '../store/index.js';
import { ArchiveEnvironmentError, ArchiveProjectError } from './archive-errors.js';
import { currentText } from './archive-files.js';
import { absolute, renamedFile, secretFiles } from './archive-paths.js';
import { type StagedResolution, stageProject } from './archive-staging.js';
import { type ArchiveBody, type ArchivedEnvironment, readArchive } from './config-archive.js';
import { headState, type RevisionsRestored, restoreRevisions } from './restore-revisions.js';
import { type Common, type Pair, validate } from './restore-validation.js';
import { STORE_LOCATION_KEYS } from './revisable-keys.js';
import { ReasonRequiredError, RevisionKeyError } from './revision-errors.js';

export interface RestoreConfigRequest extends EnvironmentTarget {
  /** The archive (relative to the current directory). */
  readonly file: string;
  /** Every environment the archive holds, each into its own name (instead of `env`). */
  readonly all?: boolean;
  /** With `env`: the archive's environment to restore into `env` when it is another one (needs `force`). */
  readonly from?: string;
  /** Why: recorded with each revision and audit event; required for protected environments. */
  readonly reason?: string;
  /** Lets another project's archive, or another environment's (`from`), through; audited. */
  readonly force?: ForceOverride;
  /** Who acts; default the OS user. */
  readonly actor?: string;
}

export interface RestoredEnvironment {
  readonly environment: string;
  /** The archive's environment it was restored from (itself unless `from`). */
  readonly from: string;
  /** Its own files written, and those already as archived. */
  readonly written: readonly string[];
  readonly unchanged: readonly string[];
  /** What became of its revisions; undefined when it has no store here (nothing to restore, not audited). */
  readonly revisions: RevisionsRestored | undefined;
  readonly audited: boolean;
  /** False when this host has no private key for it: its secret keys were not validated. */
  readonly secretsChecked: boolean;
}

export interface RestoreResult {
  readonly file: string;
  /** The project the archive was made in. */
  readonly project: string;
  /** The project's own files: written, already as archived, and kept as they are (they differ; restore --all restores them). */
  readonly projectFiles: {
    readonly written: readonly string[];
    readonly unchanged: readonly string[];
    readonly kept: readonly string[];
  };
  readonly environments: readonly RestoredEnvironment[];
  /** Guards `force` let through (each audited in the environments restored). */
  readonly overrides: readonly GuardOverride[];
  readonly warnings: readonly string[];
}

/** Which archived environment goes into which of the project's; refusals that `force` lets through are collected. */
function pairsOf(
  request: RestoreConfigRequest,
  body: ArchiveBody,
  project: Project,
  refuse: (e: EnvwardError) => void,
) {
  const held = Object.keys(body.environments).sort();
  const pair = (target: string, from: string): Pair => ({
    target,
    from,
    archived: body.environments[from] as ArchivedEnvironment,
    files: new Map(),
  });
  if (request.all) return held.map((name) => pair(project.environments.get(name, `in ${request.file}`).name, name));
  const target = project.environments.get(request.env as string, '--env').name;
  const from = request.from ?? (held.includes(target) ? target : undefined);
  // Never guessed, even with force: copying another environment's configuration is named explicitly.
  if (from === undefined) throw new ArchiveEnvironmentError(target, held, undefined);
  if (!held.includes(from)) {
    throw new UsageError(
      `--from ${from}: the archive holds no such environment (it holds ${held.join(', ') || 'none'}).`,
    );
  }
  if (from !== target) refuse(new ArchiveEnvironmentError(target, held, from));
  return [pair(target, from)];
}

/** The environment's store, written to by the restore; none (a note) when it has no database and the archive no revisions. */
async function restoreStore(staged: StagedResolution, pair: Pair, actor: string | undefined): Promise<Store | string> {
  try {
    return await openStore(staged.resolved, actor !== undefined ? { actor } : {});
  } catch (error) {
    if (isEnvwardError(error) && error.code === 'EW_DB_MISSING' && pair.archived.revisions.length === 0) {
      return `${pair.target} has no database and the archive no revisions for it: its files are restored, not audited`;
    }
    throw error;
  }
}

function outcomeText(restored: RevisionsRestored): string {
  if (restored.outcome === 'imported') return `revisions 1-${restored.revision} imported`;
  if (restored.outcome === 'restored') return `revision ${restored.revision} restores the archive's state`;
  return `already at revision ${restored.revision}`;
}

/**
 * Which files a restore writes: the project's own (every one with --all;
 * with --env only those the project lacks, the others kept and named) and
 * each target's (another environment's renamed, its secrets never copied).
 * Fills each pair's `files`; refuses a head state that would move a store.
 */
function planFiles(
  request: RestoreConfigRequest,
  body: ArchiveBody,
  project: Project,
  pairs: readonly Pair[],
  warnings: string[],
): { projectFiles: Map<string, string>; kept: string[] } {
  const projectFiles = new Map<string, string>();
  const kept: string[] = [];
  for (const [path, text] of Object.entries(body.files)) {
    const now = currentText(project.root, path);
    if (request.all || now === undefined) projectFiles.set(path, text);
    else if (now !== text) {
      kept.push(path);
      warnings.push(
        `${path} is kept as it is: it differs from the archive's and every environment reads it (restore --all restores it)`,
      );
    }
  }
  for (const pair of pairs) {
    const copy = pair.from !== pair.target;
    const sealed = secretFiles(pair.from);
    for (const [path, text] of Object.entries(pair.archived.files)) {
      if (copy && sealed.includes(path)) continue;
      pair.files.set(renamedFile(path, pair.from, pair.target), text);
    }
    if (copy && Object.keys(pair.archived.files).some((path) => sealed.includes(path))) {
      warnings.push(`${pair.from}'s secrets are not copied into ${pair.target}: they are sealed to ${pair.from}'s key`);
    }
    for (const key of Object.keys(headState(pair.archived.revisions))) {
      if (STORE_LOCATION_KEYS.has(key)) throw new RevisionKeyError(key, pair.target, 'store-location');
    }
  }
  const froms = new Set(pairs.map((pair) => pair.from));
  for (const { file, keys } of body.omitted) {
    const own = /^config\/environments\/([^/]+)\//.exec(file)?.[1];
    if (own === undefined || froms.has(own)) {
      warnings.push(`${file} is not in the archive (it set ${keys.join(', ')} in clear): it is kept as it is`);
    }
  }
  return { projectFiles, kept };
}

/**
 * Restores an archive of `config backup` into one environment (`env`, or
 * `from` another one's with `force`) or every environment it holds (`all`).
 * Validates everything first (EW_ARCHIVE_INVALID, EW_ARCHIVE_PROJECT,
 * EW_ARCHIVE_ENVIRONMENT, EW_CONFIG_INVALID with the archive's files and
 * head revision, the store's stamp), then writes the files atomically and,
 * per environment, its revisions with the `config.restore` audit event in
 * one transaction: into an empty history the archive's revisions as they
 * are, otherwise one `restore` revision with the archive's head state;
 * nothing when the state is already that (restoring twice is harmless).
 * @example
 * await restoreConfig({ file: 'config-backup.json', all: true, reason: 'rebuild after disk loss' });
 */
export async function restoreConfig(request: RestoreConfigRequest): Promise<RestoreResult> {
  if (Boolean(request.all) === (request.env !== undefined)) {
    throw new UsageError('config restore needs --env E (one environment) or --all (every one in the archive).');
  }
  if (request.all && request.from !== undefined) throw new UsageError('--from goes with --env, not --all.');
  const forceReason = request.force?.reason?.trim();
  if (request.force && !forceReason) throw new ForceWithoutReasonError();
  const file = resolve(request.file);
  const body = readArchive(file, request.file);
  const project = request.project ?? (await openProject(request.cwd));
  const common: Common = { variables: request.variables ?? process.env, hostname: request.hostname ?? osHostname() };
  const overrides: GuardOverride[] = [];
  const refuse = (error: EnvwardError) => {
    if (!forceReason) throw error;
    overrides.push({ guard: error.code, reason: forceReason, message: error.message });
  };
  const current = project.definition.project ?? '';
  if (body.project !== '' && current !== '' && body.project !== current) {
    refuse(new ArchiveProjectError(body.project, current));
  }
  const pairs = pairsOf(request, body, project, refuse);
  const reason = request.reason?.trim() || forceReason || undefined;
  for (const { target } of pairs) {
    const environment = project.environments.get(target, '--env');
    if (!reason && environment.protected) {
      throw new ReasonRequiredError('config restore', target);
    }
    // A restore rewrites revisions and secrets at once: no request kind holds it, so a policy refuses it (no --force).
    assertNoApprovalNeeded(environment, 'config', 'config restore');
    assertNoApprovalNeeded(environment, 'secrets', 'config restore');
  }
  const warnings: string[] = [];
  const { root } = project;
  const { projectFiles, kept } = planFiles(request, body, project, pairs, warnings);
  const writes = new Map([...projectFiles, ...pairs.flatMap((pair) => [...pair.files])]);
  const staged = stageProject(project, writes);
  const stores = new Map<string, Store | string>();
  try {
    const resolutions = await validate(project, staged, pairs, projectFiles, common, warnings);
    for (const pair of pairs) {
      const store = await restoreStore(resolutions.get(pair.target) as StagedResolution, pair, request.actor);
      stores.set(pair.target, store);
      if (typeof store === 'string') warnings.push(store);
      else warnings.push(...store.warnings);
    }
    // Validated: from here on, writes.
    const projectWritten = await writeFiles(root, projectFiles);
    const written = new Map<string, Awaited<ReturnType<typeof writeFiles>>>();
    for (const pair of pairs) {
      const own = () => writeFiles(root, pair.files);
      written.set(pair.target, pair.files.size > 0 ? await withSecretsLock(root, pair.target, own) : await own());
    }
    failpoint('config-restore.files-written');
    const environments: RestoredEnvironment[] = [];
    for (const pair of pairs) {
      const store = stores.get(pair.target);
      const files = written.get(pair.target) ?? { written: [], unchanged: [] };
      let revisions: RevisionsRestored | undefined;
      if (store !== undefined && typeof store !== 'string') {
        for (const override of overrides) {
          await store.audit.append({
            action: 'guard.override',
            target: `${override.guard} ${basename(file)}`,
            reason: override.reason,
            outcome: 'allowed',
          });
        }
        const source = `${basename(file)}${pair.from === pair.target ? '' : ` (${pair.from}'s)`}`;
        const changed = files.written.length + (pair === pairs[0] ? projectWritten.written.length : 0);
        revisions = await restoreRevisions(store, {
          environment: pair.target,
          archived: pair.archived.revisions,
          importable: pair.from === pair.target,
          reason,
          describe: (restored) => `${source}: ${changed} file(s) written; ${outcomeText(restored)}`,
        });
        failpoint('config-restore.revisions-written');
      }
      environments.push({
        environment: pair.target,
        from: pair.from,
        ...files,
        revisions,
        audited: revisions !== undefined,
        secretsChecked: resolutions.get(pair.target)?.secretsChecked ?? false,
      });
    }
    return {
      file,
      project: body.project,
      projectFiles: { ...projectWritten, kept },
      environments,
      overrides,
      warnings,
    };
  } finally {
    staged.cleanup();
    await Promise.allSettled(
      [...stores.values()].map((store) => (typeof store === 'string' ? undefined : store.close())),
    );
  }
}

/** Writes each file that differs from the archive's, atomically; a kill leaves each one old or new. */
async function writeFiles(root: string, files: ReadonlyMap<string, string>) {
  const written: string[] = [];
  const unchanged: string[] = [];
  for (const [path, text] of [...files].sort(([a], [b]) => (a < b ? -1 : 1))) {
    if (currentText(root, path) === text) {
      unchanged.push(path);
      continue;
    }
    await writeFileAtomically(absolute(root, path), text);
    written.push(path);
    failpoint('config-restore.file-written');
  }
  return { written, unchanged };
}
