import type BetterSqlite3 from 'better-sqlite3';

/** Whether SQLite refused because another connection holds a lock (SQLITE_BUSY and its extended codes). */
function isBusy(error: unknown): boolean {
  const { code } = (error ?? {}) as { code?: unknown };
  return typeof code === 'string' && code.startsWith('SQLITE_BUSY');
}

/**
 * Puts a writable SQLite file in WAL mode, which then stays with the file.
 * Converting a rollback-journal file upgrades a read lock to the write lock,
 * and SQLite refuses that upgrade at once, busy timeout or not (waiting there
 * could deadlock two upgraders), when another connection holds the write
 * lock: as a process converting the same new file at the same moment does.
 * The loser therefore waits for the write lock as any writer does (BEGIN
 * IMMEDIATE honours the busy timeout), lets it go, and converts once more; by
 * then the winner has made the file WAL and there is nothing left to upgrade.
 * A second refusal means the lock was held past the busy timeout: `busy`
 * makes the error for it.
 */
export function useWal(database: BetterSqlite3.Database, busy: () => Error): void {
  try {
    database.pragma('journal_mode = WAL');
    return;
  } catch (error) {
    if (!isBusy(error)) throw error;
  }
  try {
    database.exec('begin immediate');
    database.exec('rollback');
    database.pragma('journal_mode = WAL');
  } catch (error) {
    if (!isBusy(error)) throw error;
    throw busy();
  }
}
