import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { failpoint } from '../failpoint.js';
import { importPeer } from '../peers.js';

/** Pages copied per step: small enough that other connections are not held up long between steps. */
const STEP_PAGES = 64;

/**
 * Copies a SQLite backup into the live database file with SQLite's online
 * backup API, backup file as the source: the copy is one write transaction
 * on the target, so a connection open meanwhile sees the old data until it
 * commits and the restored data after, and a kill midway rolls it back
 * (journal or WAL), never leaving half of each. Failpoint `restore:copying`:
 * after the first pages are copied.
 */
export async function restoreSqliteFile(backupFile: string, targetPath: string): Promise<void> {
  const { default: Database } = await importPeer('envward/store', () => import('better-sqlite3'), ['better-sqlite3']);
  mkdirSync(dirname(targetPath), { recursive: true });
  const source = new Database(backupFile, { readonly: true, fileMustExist: true });
  try {
    await source.backup(targetPath, {
      progress: ({ totalPages, remainingPages }) => {
        if (remainingPages < totalPages) failpoint('restore:copying');
        return STEP_PAGES;
      },
    });
  } finally {
    source.close();
  }
}
