import type { Kysely } from 'kysely';
import type { Store } from '../store/index.js';
import { StoreLockTimeoutError } from '../store/store-errors.js';
import { MigrationLockedError } from './migrate-errors.js';

/** How long a migrator or seeder waits for another by default. */
export const DEFAULT_WAIT_MS = 60_000;

/**
 * Runs `work` under the store's migration lock, so migrations and seeds of
 * one database never run in two processes at once; `work` gets the
 * connection that holds it. Waiting longer than `waitMs` is
 * EW_MIGRATION_LOCKED.
 */
export async function withMigrationLock<T>(
  store: Store,
  waitMs: number,
  work: (db: Kysely<unknown>) => Promise<T>,
): Promise<T> {
  try {
    return await store.exclusive('migrate', waitMs, work);
  } catch (error) {
    if (error instanceof StoreLockTimeoutError) throw new MigrationLockedError(store.environment.name, waitMs);
    throw error;
  }
}
