/**
 * Backups are written under a temporary name, fsynced, checked and only
 * then renamed: a backup that fails to write or to check leaves no file
 * under its final name, and a dead process's partial file is cleaned up by
 * the next backup. (The kill -9 runs are in test/migrate/crash.test.ts.)
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { checkPgDump, checkSqliteBackup, writeBackupAtomically } from '../../src/store/atomic-backup.ts';
import { BackupError } from '../../src/store/store-errors.ts';

describe('atomic backups', () => {
  const dirs: string[] = [];
  after(() => {
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });
  const backupsDir = () => {
    const dir = mkdtempSync(join(tmpdir(), 'envward-backups-'));
    dirs.push(dir);
    return dir;
  };
  const isBackupFailure = (error: unknown) => error instanceof BackupError && error.code === 'EW_BACKUP_FAILED';

  test('a complete backup ends under its final name, and nothing else is left', async () => {
    const dir = backupsDir();
    const file = join(dir, 'b.dump');
    await writeBackupAtomically(file, async (partial) => writeFileSync(partial, 'PGDMP and the rest'), checkPgDump);
    assert.deepEqual(readdirSync(dir), ['b.dump']);
  });

  test('an empty pg_dump archive fails the check, and no file is left under any name', async () => {
    const dir = backupsDir();
    await assert.rejects(
      writeBackupAtomically(join(dir, 'b.dump'), async () => {}, checkPgDump),
      isBackupFailure,
    );
    assert.deepEqual(readdirSync(dir), []);
  });

  test('an empty SQLite file fails the check (it has no stamp table), and no file is left', async () => {
    const dir = backupsDir();
    await assert.rejects(
      writeBackupAtomically(
        join(dir, 'b.db'),
        async () => {},
        (partial) => checkSqliteBackup(partial, 'envward_stamp'),
      ),
      (error: unknown) => isBackupFailure(error) && /has no envward_stamp table/.test((error as Error).message),
    );
    assert.deepEqual(readdirSync(dir), []);
  });

  test('a write that throws is a BackupError, and no file is left', async () => {
    const dir = backupsDir();
    await assert.rejects(
      writeBackupAtomically(
        join(dir, 'b.db'),
        async () => {
          throw new Error('disk full');
        },
        checkPgDump,
      ),
      (error: unknown) => isBackupFailure(error) && /disk full/.test((error as Error).message),
    );
    assert.deepEqual(readdirSync(dir), []);
  });

  test("the next backup removes a dead process's partial files, not a live one's", async () => {
    const dir = backupsDir();
    // No process has pid 2^22 + 1 (above Linux's pid_max); pid 1 always runs.
    const ours = '2026-12-02T10-00-00-000Z-a1b2c3-manual.dump';
    const dead = `${ours}.partial-4194305`;
    writeFileSync(join(dir, dead), '');
    writeFileSync(join(dir, `${dead}-wal`), '');
    writeFileSync(join(dir, `${ours}.partial-1`), '');
    // Not an envward backup's name (an --out directory such as /tmp): another program's, left alone.
    writeFileSync(join(dir, 'notes.txt.partial-4194305'), '');
    await writeBackupAtomically(join(dir, 'b.dump'), async (partial) => writeFileSync(partial, 'PGDMP'), checkPgDump);
    assert.deepEqual(readdirSync(dir).sort(), [`${ours}.partial-1`, 'b.dump', 'notes.txt.partial-4194305']);
  });

  test('a file that appears under the final name while the backup is written is not replaced', async () => {
    const dir = backupsDir();
    const file = join(dir, 'c.dump');
    await assert.rejects(
      writeBackupAtomically(
        file,
        async (partial) => {
          writeFileSync(partial, 'PGDMP');
          writeFileSync(file, 'someone else');
        },
        checkPgDump,
      ),
      /EW_FILE_WRITE|appeared while the backup was written/,
    );
    assert.equal(readFileSync(file, 'utf8'), 'someone else');
    assert.deepEqual(readdirSync(dir).sort(), ['c.dump']);
  });
});
