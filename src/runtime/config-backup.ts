/**
 * `config backup`: one environment's configuration, or every one's, in a
 * checksummed archive (config-archive.ts): its settings files as they are
 * on disk, its runtime revisions read from its store, and its encrypted
 * secrets (ciphertext and public key; private keys are never read).
 */
import { existsSync } from 'node:fs';
import { hostname as osHostname } from 'node:os';
import { basename, resolve } from 'node:path';
import { type EnvironmentTarget, openTarget } from '../acts/environment-target.js';
import { openProject } from '../config/index.js';
import { isEnvwardError, UsageError } from '../errors.js';
import { writeFileAtomically } from '../project/index.js';
import { openStore, type Store } from '../store/index.js';
import { appliedFrom, revisionDb } from './applied-revision.js';
import { ArchiveExistsError } from './archive-errors.js';
import { filesWithPlainSecrets, readArchivableFile } from './archive-files.js';
import { environmentFiles, PROJECT_FILES } from './archive-paths.js';
import {
  ARCHIVE_FORMAT,
  ARCHIVE_VERSION,
  type ArchiveBody,
  type ArchivedEnvironment,
  type ArchivedRevision,
  archiveChecksum,
  archiveText,
  type OmittedFile,
} from './config-archive.js';
import { envwardVersion } from './envward-version.js';
import { type ActEnvironment, resolveForAct } from './revision-context.js';
import { revisionEntry } from './revision-entry.js';
import { type RevisionRow, revisionRows } from './revision-table.js';

export interface BackupConfigRequest extends EnvironmentTarget {
  /** Every environment of the project (instead of `env`). */
  readonly all?: boolean;
  /** The archive to write (relative to the current directory). */
  readonly out: string;
  /** Replace `out` when it exists (refused otherwise: EW_ARCHIVE_EXISTS). */
  readonly force?: boolean;
  /** Recorded with the `config.backup` audit event. */
  readonly reason?: string;
  /** Who acts; default the OS user. */
  readonly actor?: string;
}

/** What one environment's part of the archive holds. */
export interface BackedUpEnvironment {
  readonly environment: string;
  /** Its own files in the archive (project paths). */
  readonly files: readonly string[];
  /** Its revisions in the archive, and the latest one's number (0: none). */
  readonly revisions: number;
  readonly latest: number;
  /** Whether `config.backup` is in its audit log (false: it has no store, or an unstamped one). */
  readonly audited: boolean;
}

export interface BackupResult {
  /** The archive's absolute path. */
  readonly file: string;
  readonly format: string;
  readonly version: number;
  readonly checksum: string;
  readonly project: string;
  /** The project's own files in the archive. */
  readonly projectFiles: readonly string[];
  readonly environments: readonly BackedUpEnvironment[];
  /** Plain files left out because they set a secret key in clear (never their values). */
  readonly omitted: readonly OmittedFile[];
  readonly warnings: readonly string[];
}

function archivedRevision(row: RevisionRow): ArchivedRevision {
  // A state envward did not write is EW_REVISION_CORRUPT: the backup stops rather than archive it.
  return { ...revisionEntry(row), state: appliedFrom(row).state };
}

/** The environment's store opened to read (and to audit the backup), or why it has none. */
async function storeOf(act: ActEnvironment, actor: string | undefined): Promise<Store | string> {
  try {
    // Read-only, yet writable for the one audit event; an unstamped database is never stamped here.
    const store = await openStore(act.resolved, {
      stampMode: 'read',
      writable: true,
      ...(actor !== undefined ? { actor } : {}),
    });
    if (store.stamp) return store;
    await store.close();
    return 'its database is not stamped';
  } catch (error) {
    if (isEnvwardError(error) && error.code === 'EW_DB_MISSING') return 'it has no database';
    if (isEnvwardError(error) && error.code === 'EW_DB_UNSTAMPED') return 'its database is not stamped';
    throw error;
  }
}

/** Files (path -> text) of `paths` that exist, minus those left out. */
function readFiles(root: string, paths: readonly string[], omitted: ReadonlyMap<string, unknown>) {
  const files: Record<string, string> = {};
  for (const path of paths) {
    if (omitted.has(path)) continue;
    const text = readArchivableFile(root, path);
    if (text !== undefined) files[path] = text;
  }
  return files;
}

/**
 * Writes a versioned, checksummed archive of one environment's
 * configuration, or every one's (`all`): settings files, runtime revisions
 * and encrypted secrets (never a private key or a plaintext value; a plain
 * file that sets a secret key is left out, with a warning). Written
 * atomically with mode 0600, never over an existing file unless `force`;
 * audited as `config.backup` in each environment's store that exists.
 * @example
 * await backupConfig({ all: true, out: 'config-2024-05-01.json' });
 */
export async function backupConfig(request: BackupConfigRequest): Promise<BackupResult> {
  if (request.all && request.env !== undefined) throw new UsageError('config backup takes --env or --all, not both.');
  const out = resolve(request.out);
  if (!request.force && existsSync(out)) throw new ArchiveExistsError(out);
  const project = request.project ?? (await openProject(request.cwd));
  const variables = request.variables ?? process.env;
  const hostname = request.hostname ?? osHostname();
  // --all names every environment: nothing is detected (a stray ENVWARD_ENV cannot stop it).
  const names = request.all
    ? project.environments.names
    : [(await openTarget({ ...request, project, variables, hostname })).environment.name];
  const warnings: string[] = [];
  const stores = new Map<string, Store>();
  try {
    const acts = new Map<string, ActEnvironment>();
    const plainSecrets = new Map<string, Set<string>>();
    for (const name of names) {
      const act = await resolveForAct({ project, env: name, variables, hostname });
      acts.set(name, act);
      for (const [file, keys] of filesWithPlainSecrets(act.resolved)) {
        plainSecrets.set(file, new Set([...(plainSecrets.get(file) ?? []), ...keys]));
      }
    }
    const omitted = [...plainSecrets].map(([file, keys]) => ({ file, keys: [...keys].sort() }));
    for (const { file, keys } of omitted) {
      warnings.push(
        `${file} is left out of the archive: it sets ${keys.join(', ')} in clear (seal it with \`envward secrets set\`)`,
      );
    }
    const environments: Record<string, ArchivedEnvironment> = {};
    for (const [name, act] of acts) {
      const store = await storeOf(act, request.actor);
      if (typeof store === 'string') warnings.push(`${name}: ${store}, so it has no revisions and is not audited`);
      else {
        stores.set(name, store);
        warnings.push(...store.warnings);
      }
      const rows = typeof store === 'string' ? [] : await revisionRows(revisionDb(store), name);
      environments[name] = {
        tier: act.resolved.environment.tier,
        files: readFiles(project.root, environmentFiles(name), plainSecrets),
        revisions: rows.map(archivedRevision),
      };
    }
    const body: ArchiveBody = {
      project: project.definition.project ?? '',
      envward: envwardVersion(),
      createdAt: new Date().toISOString(),
      scope: request.all ? 'all' : 'environment',
      files: readFiles(project.root, PROJECT_FILES, plainSecrets),
      omitted,
      environments,
    };
    const checksum = archiveChecksum(body);
    await writeFileAtomically(out, archiveText(body), 0o600);
    const result = (name: string): BackedUpEnvironment => {
      const archived = environments[name] as ArchivedEnvironment;
      return {
        environment: name,
        files: Object.keys(archived.files).sort(),
        revisions: archived.revisions.length,
        latest: archived.revisions.at(-1)?.number ?? 0,
        audited: stores.has(name),
      };
    };
    for (const [name, store] of stores) {
      const { files, latest } = result(name);
      const reason = request.reason?.trim();
      await store.audit.append({
        action: 'config.backup',
        target: `${basename(out)} (${checksum.slice(0, 19)}): ${files.length} file(s), revisions 0-${latest}`,
        ...(reason ? { reason } : {}),
        outcome: 'done',
      });
    }
    return {
      file: out,
      format: ARCHIVE_FORMAT,
      version: ARCHIVE_VERSION,
      checksum,
      project: body.project,
      projectFiles: Object.keys(body.files).sort(),
      environments: names.map(result),
      omitted,
      warnings,
    };
  } finally {
    await Promise.allSettled([...stores.values()].map((store) => store.close()));
  }
}
