import { type Kysely, sql } from 'kysely';
import { StoreLockTimeoutError } from './store-errors.js';

/**
 * Runs `work` holding a PostgreSQL session advisory lock on `key`, on the
 * one connection given (the server frees it if the process dies). Waits up
 * to `waitMs`, then throws StoreLockTimeoutError naming `name`.
 */
export async function withAdvisoryLock<DB, T>(
  connection: Kysely<DB>,
  key: string,
  name: string,
  waitMs: number,
  work: () => Promise<T>,
): Promise<T> {
  // Waiting is bounded by lock_timeout alone: database.statementTimeoutMs must not cut it short.
  await sql`select set_config('lock_timeout', ${`${Math.max(1, Math.round(waitMs))}ms`}, false), set_config('statement_timeout', '0', false)`.execute(
    connection,
  );
  try {
    await sql`select pg_advisory_lock(hashtext(${key}))`.execute(connection);
  } catch (error) {
    if ((error as { code?: string }).code === '55P03') throw new StoreLockTimeoutError(name, waitMs);
    throw error;
  } finally {
    await sql`select set_config('lock_timeout', '0', false)`.execute(connection);
    await sql`reset statement_timeout`.execute(connection);
  }
  try {
    return await work();
  } finally {
    await sql`select pg_advisory_unlock(hashtext(${key}))`.execute(connection);
  }
}
