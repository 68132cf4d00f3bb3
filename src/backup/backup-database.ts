/**
 * `db backup`: a consistent copy of an environment's database with its
 * manifest, audited as `db.backup` in that database's log.
 */
import { resolve } from 'node:path';
import type { EnvironmentTarget } from '../acts/environment-target.js';
import { openStore } from '../store/index.js';
import { resolveDatabaseAct } from './act-store.js';
import type { BackupManifest } from './manifest.js';
import { takeBackup } from './take-backup.js';

export interface BackupDatabaseRequest extends EnvironmentTarget {
  /** Write the backup here (relative to the current directory; refused if it exists) instead of var/<env>/backups/. */
  readonly out?: string;
  /** Ends the file's name in var/<env>/backups/ (default `manual`). */
  readonly label?: string;
  /** Who acts; default the OS user. */
  readonly actor?: string;
}

export interface BackupDatabaseResult {
  readonly environment: string;
  /** The backup's absolute path; its manifest is `<file>.manifest.json`. */
  readonly file: string;
  readonly manifest: BackupManifest;
  /** Older backups of the environment removed by retention (`database.backups.keep`). */
  readonly pruned: readonly string[];
  readonly warnings: readonly string[];
}

/** How long a backup waits for a migration of the same database to finish (it takes the migration lock). */
const WAIT_MS = 60_000;

/**
 * Backs up `env`'s database: SQLite's online backup API or `pg_dump
 * --format=custom`, written aside, checked, then renamed in with its
 * manifest; retention applies in var/<env>/backups/. Taken under the
 * migration lock, so the manifest's migrations are those of the copy.
 * @example
 * const { file, manifest } = await backupDatabase({ env: 'production' });
 */
export async function backupDatabase(request: BackupDatabaseRequest): Promise<BackupDatabaseResult> {
  const out = request.out === undefined ? undefined : resolve(request.out);
  const resolved = await resolveDatabaseAct(request);
  // Read-only checks (a protected database must be stamped for it), writable only for the audit event.
  const store = await openStore(resolved, {
    stampMode: 'read',
    writable: true,
    ...(request.actor !== undefined ? { actor: request.actor } : {}),
  });
  try {
    const taken = await store.exclusive('migrate', WAIT_MS, () =>
      takeBackup(store, { label: request.label ?? 'manual', ...(out !== undefined ? { file: out } : {}) }),
    );
    await store.audit.append({ action: 'db.backup', target: taken.file, outcome: 'done' });
    return {
      environment: store.environment.name,
      file: taken.file,
      manifest: taken.manifest,
      pruned: taken.pruned,
      warnings: [...resolved.warnings.map((warning) => warning.message), ...store.warnings],
    };
  } finally {
    await store.close();
  }
}
