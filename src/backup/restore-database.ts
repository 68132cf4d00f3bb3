/**
 * `db restore`: a backup of an environment written back into that
 * environment's database, after everything that would make it wrong is
 * checked with nothing touched: the manifest and the file's SHA-256, that it
 * is this environment's and this project's backup, of this kind of
 * database, and holds no migration the code does not have. A protected
 * environment's current database is backed up first. The database is then
 * stamped for the environment as it is now (its identity), and the restore
 * audited in the restored log.
 */
import { resolve } from 'node:path';
import type { EnvironmentTarget } from '../acts/environment-target.js';
import type { ResolvedConfig } from '../config/index.js';
import type { ForceOverride, GuardOverride } from '../environment/index.js';
import { type EnvwardError, ForceWithoutReasonError, isEnvwardError, UsageError } from '../errors.js';
import { failpoint } from '../failpoint.js';
import { migrationFiles } from '../migrate/migration-files.js';
import { checkPgDump, checkSqliteBackup } from '../store/atomic-backup.js';
import { parseDatabaseUrl } from '../store/database-url.js';
import { openStore, type Store } from '../store/index.js';
import { STAMP_TABLE } from '../store/internal-tables.js';
import { stampRefusal } from '../store/stamp-refusal.js';
import { DatabaseIdentityMismatchError } from '../store/store-errors.js';
import { storeSettings } from '../store/store-settings.js';
import { resolveDatabaseAct } from './act-store.js';
import {
  BackupInvalidError,
  RestoreDialectError,
  RestoreNewerError,
  RestoreOtherEnvironmentError,
  RestoreProjectError,
  RestoreSharedError,
} from './backup-errors.js';
import type { BackupManifest } from './manifest.js';
import { restorePostgresDump } from './pg-restore.js';
import { readCheckedManifest } from './read-manifest.js';
import { restoreSqliteFile } from './sqlite-restore.js';
import { serverMajor, takeBackup } from './take-backup.js';

export interface RestoreDatabaseRequest extends EnvironmentTarget {
  /** The environment restored into: always named, never detected. */
  readonly env: string;
  /** The backup (relative to the current directory); its manifest lies beside it. */
  readonly file: string;
  /** Why: recorded with the `db.restore` audit event. Required. */
  readonly reason: string;
  /** Lets a backup of another project name through (a renamed project); audited. Never another environment's. */
  readonly force?: ForceOverride;
  /** Who acts; default the OS user. */
  readonly actor?: string;
}

export interface RestoreDatabaseResult {
  readonly environment: string;
  /** The backup restored (absolute path). */
  readonly restoredFrom: string;
  readonly manifest: BackupManifest;
  /** The backup of the database as it was, taken first in a protected environment (null: none taken). */
  readonly safetyBackup: string | null;
  /** The migration head the database is at now. */
  readonly migrationHead: string | null;
  /** Guards `force` let through, each audited. */
  readonly overrides: readonly GuardOverride[];
  readonly warnings: readonly string[];
}

/** How long a restore waits for a migration of the same database to finish. */
const WAIT_MS = 60_000;

/** The refusals that need nothing but the manifest and the project: checked before any database is opened. */
function refuseWrongBackup(
  manifest: BackupManifest,
  resolved: ResolvedConfig<unknown>,
  file: string,
  refuse: (error: EnvwardError) => void,
): void {
  const environment = resolved.environment.name;
  if (manifest.environment !== environment)
    throw new RestoreOtherEnvironmentError(environment, manifest.environment, file);
  const project = resolved.project.definition.project ?? '';
  if (manifest.project !== project) refuse(new RestoreProjectError(manifest.project, project, file));
  const target = parseDatabaseUrl(storeSettings(resolved).url, resolved.project.root, environment);
  if (manifest.dialect !== target.dialect)
    throw new RestoreDialectError(environment, manifest.dialect, target.dialect, file);
  const known = new Set(migrationFiles(resolved.project.root, environment).map((migration) => migration.name));
  const unknown = manifest.migrations.filter((name) => !known.has(name));
  if (unknown.length > 0) throw new RestoreNewerError(environment, unknown, file);
}

/** The backup's content checks out as what its manifest says (a manifest made up for a garbage file does not). */
async function checkContent(manifest: BackupManifest, file: string, prefix: string): Promise<void> {
  try {
    if (manifest.dialect === 'sqlite') await checkSqliteBackup(file, `${prefix}${STAMP_TABLE}`);
    else await checkPgDump(file);
  } catch (error) {
    if (!isEnvwardError(error)) throw error;
    throw new BackupInvalidError(file, `it does not check out as a ${manifest.dialect} backup (${error.message})`);
  }
}

/** The target's current database, opened without refusals (checked here), or undefined when its SQLite file is gone. */
async function currentStore(resolved: ResolvedConfig<unknown>, actor: string | undefined): Promise<Store | undefined> {
  try {
    return await openStore(resolved, {
      stampMode: 'inspect',
      writable: true,
      ...(actor !== undefined ? { actor } : {}),
    });
  } catch (error) {
    // Restoring a lost SQLite file is what backups are for.
    if (isEnvwardError(error) && error.code === 'EW_DB_MISSING') return undefined;
    throw error;
  }
}

/** Refuses a target database that is another environment's, or that other environments share with it. */
function refuseWrongTarget(store: Store, schema: string, refuse: (error: EnvwardError) => void): void {
  const { environment, stamp } = store;
  if (stamp) {
    const refusal = stampRefusal(stamp, { environment, project: store.project, identity: store.identity }, store.where);
    // Its own database moved or copied is fine: the restore stamps it as it is now.
    if (refusal && !(refusal instanceof DatabaseIdentityMismatchError)) {
      if (refusal.code === 'EW_DB_PROJECT_MISMATCH') refuse(refusal);
      else throw refusal;
    }
  }
  // A SQLite restore replaces the whole file; a PostgreSQL one, the whole schema.
  const sharing = store.otherStamps.filter((other) => store.dialect === 'sqlite' || other.namespace.schema === schema);
  if (sharing.length > 0) {
    throw new RestoreSharedError(
      environment.name,
      sharing.map((other) => `${other.stamp.environment} (${other.table})`),
      store.where,
    );
  }
}

/**
 * Restores a backup of `env` into `env`'s database; see the module comment.
 * Refusals (another environment's backup: EW_RESTORE_OTHER_ENVIRONMENT, the
 * road for that is `envward data refresh`; a newer schema: EW_RESTORE_NEWER)
 * leave everything as it was.
 * @example
 * await restoreDatabase({ env: 'staging', file: 'var/staging/backups/2024-05-01T10-00-00-000Z-3fa9c1-manual.db', reason: 'INC-42: bad import' });
 */
export async function restoreDatabase(request: RestoreDatabaseRequest): Promise<RestoreDatabaseResult> {
  const reason = request.reason?.trim();
  if (!reason) {
    throw new UsageError(
      'db restore needs --reason "..." (it is audited).',
      'Example: envward db restore FILE --env staging --reason "INC-42: bad import"',
    );
  }
  if (!request.env) throw new UsageError('db restore needs --env: the environment restored into is never guessed.');
  if (request.force && !request.force.reason?.trim()) throw new ForceWithoutReasonError();
  const file = resolve(request.file);
  const manifest = await readCheckedManifest(file);
  const resolved = await resolveDatabaseAct(request);
  const forced: EnvwardError[] = [];
  const refuse = (error: EnvwardError) => {
    if (!request.force) throw error;
    forced.push(error);
  };
  refuseWrongBackup(manifest, resolved, file, refuse);
  const settings = storeSettings(resolved);
  await checkContent(manifest, file, settings.tablePrefix ?? '');
  const actor = request.actor;
  const current = await currentStore(resolved, actor);
  const schema = settings.schema ?? 'public';
  const target = parseDatabaseUrl(settings.url, resolved.project.root, resolved.environment.name);
  const warnings = [...resolved.warnings.map((warning) => warning.message), ...(current?.warnings ?? [])];
  let safetyBackup: string | null = null;
  const restore = async () => {
    // Protected: the database as it is now is kept first (the restore replaces it, audit log included).
    if (current && resolved.environment.protected) {
      safetyBackup = (await takeBackup(current, { label: 'before-restore', spare: [file] })).file;
    }
    failpoint('restore:checked');
    if (target.dialect === 'sqlite') await restoreSqliteFile(file, target.path);
    else {
      await restorePostgresDump(target.url, schema, file, resolved.environment.name, async () =>
        current ? serverMajor(current) : undefined,
      );
    }
    failpoint('restore:restored');
  };
  try {
    if (current) {
      refuseWrongTarget(current, schema, refuse);
      // Under the migration lock: no migration runs on the database while it is replaced.
      await current.exclusive('migrate', WAIT_MS, restore);
    } else await restore();
  } finally {
    await current?.close();
  }
  // The stamp restored is the backup's: stamped again for the database as it is now, audited there.
  const force = forced.length > 0 && request.force ? { force: request.force } : {};
  const restored = await openStore(resolved, {
    stampMode: 'stamp',
    ...force,
    ...(actor !== undefined ? { actor } : {}),
  });
  try {
    const overrides: GuardOverride[] = forced.map((error) => ({
      guard: error.code,
      reason: request.force?.reason.trim() ?? '',
      message: error.message,
    }));
    for (const override of overrides) {
      await restored.audit.append({
        action: 'guard.override',
        target: `${override.guard} ${file}`,
        reason: override.reason,
        outcome: 'allowed',
      });
    }
    await restored.audit.append({
      action: 'db.restore',
      target: `${file}${safetyBackup ? ` (the database before: ${safetyBackup})` : ''}`,
      reason,
      outcome: 'done',
    });
    return {
      environment: resolved.environment.name,
      restoredFrom: file,
      manifest,
      safetyBackup,
      migrationHead: manifest.migrationHead,
      overrides: [...overrides, ...restored.overrides],
      warnings: [...warnings, ...restored.warnings],
    };
  } finally {
    await restored.close();
  }
}
