/**
 * Console sessions: a random 256-bit token in the cookie, its SHA-256 in the
 * store. A login always makes a new token (a token planted before login is
 * never promoted), logout deletes the row, and a session ends at its
 * absolute expiry or when its user is removed.
 */
import { createHash, randomBytes } from 'node:crypto';
import { isMissingTable } from '../store/internal-tables.js';
import { type ConsoleDb, ensureConsoleTables, SESSION_TABLE } from './console-tables.js';
import { type ConsoleUser, findUser } from './user-records.js';

function tokenHash(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

/** A new session for `name`; the token for the cookie. */
export async function createSession(db: ConsoleDb, name: string, minutes: number, now = new Date()): Promise<string> {
  await ensureConsoleTables(db);
  const token = randomBytes(32).toString('base64url');
  await db
    .insertInto(SESSION_TABLE)
    .values({
      token_hash: tokenHash(token),
      user_name: name,
      created_at: now.toISOString(),
      expires_at: new Date(now.getTime() + minutes * 60_000).toISOString(),
    })
    .execute();
  return token;
}

/** The user a token signs in, with their roles as they are now; undefined for an unknown or expired token. */
export async function sessionUser(db: ConsoleDb, token: string, now = new Date()): Promise<ConsoleUser | undefined> {
  if (!/^[A-Za-z0-9_-]{43}$/.test(token)) return undefined;
  let rows: { user_name: string; expires_at: string }[];
  try {
    rows = await db
      .selectFrom(SESSION_TABLE)
      .select(['user_name', 'expires_at'])
      .where('token_hash', '=', tokenHash(token))
      .execute();
  } catch (error) {
    if (isMissingTable(error)) return undefined;
    throw error;
  }
  const row = rows[0];
  if (!row || row.expires_at <= now.toISOString()) return undefined;
  return findUser(db, row.user_name);
}

/** Ends the session (logout); expired sessions go with it. */
export async function endSession(db: ConsoleDb, token: string, now = new Date()): Promise<void> {
  try {
    await db
      .deleteFrom(SESSION_TABLE)
      .where((eb) => eb.or([eb('token_hash', '=', tokenHash(token)), eb('expires_at', '<=', now.toISOString())]))
      .execute();
  } catch (error) {
    if (!isMissingTable(error)) throw error;
  }
}
