import { setTimeout as sleep } from 'node:timers/promises';
import { importPeer } from '../peers.js';
import { StoreLockTimeoutError } from './store-errors.js';

const STEP_MS = 50;

/**
 * An inter-process lock beside a SQLite database: an exclusive transaction
 * on a small, empty lock database (`<path>.lock.db`). The operating system
 * holds the file lock for the process and drops it the moment it dies, so a
 * lock of a killed holder never has to expire (SQLite's equivalent of a
 * PostgreSQL session advisory lock), and a holder whose event loop is busy
 * in a long statement cannot lose it. Waits up to about `waitMs`, polling.
 */
export async function withFileLock<T>(path: string, name: string, waitMs: number, work: () => Promise<T>): Promise<T> {
  const { default: Database } = await importPeer('envward/store', () => import('better-sqlite3'), ['better-sqlite3']);
  // timeout 0: a busy lock is reported at once, and waiting happens here, off the event loop.
  const lock = new Database(`${path}.lock.db`, { timeout: 0 });
  try {
    const deadline = Date.now() + waitMs;
    for (;;) {
      try {
        lock.exec('begin exclusive');
        break;
      } catch (error) {
        if ((error as { code?: string }).code !== 'SQLITE_BUSY') throw error;
        if (Date.now() >= deadline) throw new StoreLockTimeoutError(name, waitMs);
        await sleep(STEP_MS);
      }
    }
    try {
      return await work();
    } finally {
      lock.exec('rollback');
    }
  } finally {
    lock.close();
  }
}
