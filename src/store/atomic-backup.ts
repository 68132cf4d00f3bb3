import { mkdirSync } from 'node:fs';
import { link, open, readdir, rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { EnvwardError, FileWriteError } from '../errors.js';
import { failpoint } from '../failpoint.js';
import { importPeer } from '../peers.js';
import { BackupError } from './store-errors.js';

/**
 * `<final name>.partial-<pid>`: a backup being written (or left by a process
 * that died writing it), and SQLite's side files of one (`-wal`, `-shm`,
 * `-journal`). Swept only under envward's own backup names
 * (`<ISO time>-<6 hex>-<label>.db|dump`): an `--out` directory such as /tmp
 * may hold other programs' `*.partial-<n>` files, which are not ours to remove.
 */
const PARTIAL = /^\d{4}-\d{2}-\d{2}T[\d-]+Z-[0-9a-f]{6}-[a-z0-9-]+\.(?:db|dump)\.partial-(\d+)(?:-wal|-shm|-journal)?$/;

/**
 * Makes a backup so that a file under its final name is always a complete,
 * checked one: `write` fills `<file>.partial-<pid>` in the same directory,
 * which is fsynced, checked by `check`, then linked as `file` and the
 * directory fsynced. A failed or killed backup leaves nothing under a final
 * name; the partial files of dead processes are removed by the next backup.
 * Failpoints (tests): `backup:opened` (an empty partial file), `backup:written`,
 * `backup:checked` (just before the rename).
 */
export async function writeBackupAtomically(
  file: string,
  write: (partial: string) => Promise<void>,
  check: (partial: string) => Promise<void>,
): Promise<void> {
  const dir = dirname(file);
  mkdirSync(dir, { recursive: true });
  await removeDeadPartials(dir);
  const partial = `${file}.partial-${process.pid}`;
  try {
    // Backups hold the data: readable by the owner only.
    await (await open(partial, 'wx', 0o600)).close();
  } catch (error) {
    // Where no file can be made (a read-only or virtual directory such as /proc), the path is the news.
    throw new FileWriteError(file, `cannot be written (${(error as NodeJS.ErrnoException).code ?? String(error)})`);
  }
  try {
    failpoint('backup:opened');
    await write(partial);
    failpoint('backup:written');
    await fsyncPath(partial, 'r+');
    await check(partial);
    failpoint('backup:checked');
    // A link, not a rename: it never replaces a file that appeared under the final name since `--out`
    // was checked (EEXIST); the partial name is then dropped.
    // A file system without hard links (some network and FUSE mounts) gets the rename.
    const linked = await link(partial, file).then(
      () => true,
      (error: NodeJS.ErrnoException) => {
        if (error.code === 'EEXIST') {
          throw new FileWriteError(file, 'appeared while the backup was written; it was not replaced');
        }
        if (!['EPERM', 'ENOTSUP', 'ENOSYS', 'EOPNOTSUPP'].includes(error.code ?? '')) throw error;
        return false;
      },
    );
    if (linked) await rm(partial, { force: true });
    else await rename(partial, file);
    await fsyncPath(dir, 'r');
  } catch (error) {
    await rm(partial, { force: true });
    if (error instanceof EnvwardError) throw error;
    throw new BackupError(error instanceof Error ? error.message : String(error));
  }
}

async function fsyncPath(path: string, flags: 'r' | 'r+'): Promise<void> {
  const handle = await open(path, flags);
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/** Removes `*.partial-<pid>` files whose process is gone (a kill mid-backup); a live one's is left alone. */
async function removeDeadPartials(dir: string): Promise<void> {
  for (const name of await readdir(dir)) {
    const pid = Number(PARTIAL.exec(basename(name))?.[1]);
    if (!pid || pid === process.pid || isAlive(pid)) continue;
    await rm(join(dir, name), { force: true });
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists, as another user.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** The first bytes of every pg_dump custom-format archive. */
const PG_DUMP_MAGIC = 'PGDMP';

/** A pg_dump custom-format archive: not empty, and it starts with `PGDMP`. */
export async function checkPgDump(partial: string): Promise<void> {
  const handle = await open(partial, 'r');
  try {
    const { bytesRead, buffer } = await handle.read(Buffer.alloc(PG_DUMP_MAGIC.length), 0, PG_DUMP_MAGIC.length, 0);
    if (bytesRead < PG_DUMP_MAGIC.length || buffer.toString('latin1') !== PG_DUMP_MAGIC) {
      throw new BackupError('pg_dump wrote no custom-format archive (the backup did not check out)');
    }
  } finally {
    await handle.close();
  }
}

/**
 * Makes a SQLite copy one self-contained file: the online backup copies the
 * source's WAL mode, which would leave `-wal` and `-shm` files beside it
 * whenever it is opened; the rollback journal leaves none.
 */
export async function settleSqliteCopy(partial: string): Promise<void> {
  const { default: Database } = await importPeer('envward/store', () => import('better-sqlite3'), ['better-sqlite3']);
  const copy = new Database(partial, { fileMustExist: true });
  try {
    copy.pragma('journal_mode = DELETE');
  } finally {
    copy.close();
  }
}

/** A SQLite backup: it opens read-only, passes `quick_check`, and holds the stamp table `stampTable`. */
export async function checkSqliteBackup(partial: string, stampTable: string): Promise<void> {
  const { default: Database } = await importPeer('envward/store', () => import('better-sqlite3'), ['better-sqlite3']);
  let copy: InstanceType<typeof Database> | undefined;
  try {
    copy = new Database(partial, { readonly: true, fileMustExist: true });
    const result = copy.pragma('quick_check', { simple: true });
    if (result !== 'ok') throw new BackupError(`the copy failed SQLite's quick_check (${String(result)})`);
    const stamp = copy.prepare("select 1 from sqlite_master where type = 'table' and name = ?").get(stampTable);
    if (!stamp) throw new BackupError(`the copy has no ${stampTable} table`);
  } catch (error) {
    if (error instanceof BackupError) throw error;
    throw new BackupError(`the copy does not open as SQLite (${error instanceof Error ? error.message : error})`);
  } finally {
    copy?.close();
  }
}
