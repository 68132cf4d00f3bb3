/**
 * Every backup of a store goes through here (the `db backup` act, the store's
 * `backup()`, the backups `migrate` takes around a run): the database copied
 * by the store (written aside, checked), its manifest written beside it
 * before the copy is renamed in, so a backup under its final name always has
 * its manifest; then retention, for backups in var/<env>/backups/.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, statSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import type { Kysely } from 'kysely';
import { sql } from 'kysely';
import { FileWriteError, isEnvwardError } from '../errors.js';
import { appliedMigrationsIfAny, type HistoryTables } from '../migrate/history.js';
import { makeDirectories, writeFileAtomically } from '../project/atomic-write.js';
import type { Store } from '../store/index.js';
import { PgClientMissingError } from '../store/store-errors.js';
import { BackupExistsError } from './backup-errors.js';
import { type BackupManifest, fileDigest, MANIFEST_FORMAT, manifestPathOf, manifestText } from './manifest.js';
import { pruneBackups } from './retention.js';

export interface TakeBackupOptions {
  /** Ends the file's name in var/<env>/backups/: `before-migrate`, `manual`, ... */
  readonly label: string;
  /** Write here instead (never over an existing file; no retention applies). */
  readonly file?: string;
  /** Backups retention must not remove this time (a restore's source), by path. */
  readonly spare?: readonly string[];
}

export interface TakenBackup {
  /** The backup's absolute path. */
  readonly file: string;
  readonly manifest: BackupManifest;
  /** Older backups retention removed (paths). */
  readonly pruned: readonly string[];
}

const LABEL = /^[a-z0-9][a-z0-9-]{0,39}$/;

/** `2024-05-01T10-00-00-000Z-3fa9c1-<label>.db`: sortable by time, unique across processes taking one at once. */
function defaultFile(store: Store, label: string): string {
  const time = new Date().toISOString().replace(/[:.]/g, '-');
  const unique = randomBytes(3).toString('hex');
  return join(store.paths.dir('backups'), `${time}-${unique}-${label}.${store.dialect === 'sqlite' ? 'db' : 'dump'}`);
}

/** Refuses an --out that exists (or whose manifest does), and makes its directory; nothing is written otherwise. */
function prepareOut(file: string): void {
  for (const path of [file, manifestPathOf(file)]) {
    if (existsSync(path)) throw new BackupExistsError(path);
  }
  try {
    makeDirectories(file, dirname(file));
  } catch (error) {
    if (error instanceof FileWriteError) throw error;
    throw new FileWriteError(
      file,
      `cannot be written (${(error as NodeJS.ErrnoException).code ?? 'its directory cannot be made'})`,
    );
  }
  if (!statSync(dirname(file)).isDirectory()) throw new FileWriteError(file, 'cannot be written (not a directory)');
}

/** The server's major version, for the PostgreSQL client it needs; undefined when it cannot be asked. */
export async function serverMajor(store: Store): Promise<number | undefined> {
  try {
    const { rows } = await sql<{ v: string }>`select current_setting('server_version_num') as v`.execute(
      store.db.withoutPlugins(),
    );
    const number = Number(rows[0]?.v);
    return Number.isInteger(number) ? Math.floor(number / 10_000) : undefined;
  } catch {
    return undefined;
  }
}

/** Copies the store's database with its manifest; see the module comment. */
export async function takeBackup(store: Store, options: TakeBackupOptions): Promise<TakenBackup> {
  if (!LABEL.test(options.label)) {
    throw new FileWriteError(options.label, 'is not a backup label (1-40 lower-case letters, digits and -)');
  }
  const file = options.file ?? defaultFile(store, options.label);
  if (options.file !== undefined) prepareOut(file);
  const stamp = (await store.readStamp()) ?? null;
  const migrations = (await appliedMigrationsIfAny(store.db as unknown as Kysely<HistoryTables>)).map((m) => m.name);
  const createdAt = new Date().toISOString();
  let manifest: BackupManifest | undefined;
  const manifestFile = manifestPathOf(file);
  try {
    await store.backupTo(file, async (partial) => {
      const { sha256, bytes } = await fileDigest(partial);
      manifest = {
        format: MANIFEST_FORMAT,
        environment: store.environment.name,
        tier: store.environment.tier,
        project: store.project,
        dialect: store.dialect,
        stamp,
        identity: store.identity,
        migrationHead: migrations.at(-1) ?? null,
        migrations,
        createdAt,
        file: basename(file),
        bytes,
        sha256,
      };
      // Before the rename: a backup under its final name always has its manifest.
      await writeFileAtomically(manifestFile, manifestText(manifest), 0o600);
    });
  } catch (error) {
    if (!existsSync(file)) await rm(manifestFile, { force: true });
    if (isEnvwardError(error) && error.code === 'EW_PG_CLIENT_MISSING') {
      throw new PgClientMissingError('pg_dump', await serverMajor(store));
    }
    throw error;
  }
  const pruned =
    options.file === undefined
      ? await pruneBackups({
          dir: dirname(file),
          environment: store.environment.name,
          keep: store.backups.keep,
          ...(options.spare ? { spare: options.spare } : {}),
        })
      : [];
  return { file, manifest: manifest as BackupManifest, pruned };
}
