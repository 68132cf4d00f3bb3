/**
 * Reads and writes of console users, their roles and sessions, on an opened
 * store's Kysely. A store whose tables were never made reads as empty.
 */
import { isMissingTable } from '../store/internal-tables.js';
import { type ConsoleDb, type ConsoleUserRow, GRANT_TABLE, SESSION_TABLE, USER_TABLE } from './console-tables.js';
import { type Grants, isRole, type Role } from './roles.js';

/** A console user as the console sees it: name, roles, lock. Never the hash. */
export interface ConsoleUser {
  readonly name: string;
  readonly grants: Grants;
  /** False for a user who signs in only through OpenID Connect. */
  readonly hasPassword: boolean;
  readonly lockedUntil: string | null;
  readonly createdAt: string;
  readonly createdBy: string;
}

async function orEmpty<T>(read: () => Promise<T[]>): Promise<T[]> {
  try {
    return await read();
  } catch (error) {
    if (isMissingTable(error)) return [];
    throw error;
  }
}

export async function userRow(db: ConsoleDb, name: string): Promise<ConsoleUserRow | undefined> {
  const rows = await orEmpty(() => db.selectFrom(USER_TABLE).selectAll().where('name', '=', name).execute());
  return rows[0];
}

export async function grantsOf(db: ConsoleDb, name: string): Promise<Map<string, Role>> {
  const rows = await orEmpty(() =>
    db.selectFrom(GRANT_TABLE).select(['environment', 'role']).where('user_name', '=', name).execute(),
  );
  return new Map(rows.flatMap((row) => (isRole(row.role) ? [[row.environment, row.role] as const] : [])));
}

function toUser(row: ConsoleUserRow, grants: Grants): ConsoleUser {
  return {
    name: row.name,
    grants,
    hasPassword: row.password_hash !== null,
    lockedUntil: row.locked_until,
    createdAt: row.created_at,
    createdBy: row.created_by,
  };
}

export async function findUser(db: ConsoleDb, name: string): Promise<ConsoleUser | undefined> {
  const row = await userRow(db, name);
  return row ? toUser(row, await grantsOf(db, name)) : undefined;
}

export async function allUsers(db: ConsoleDb): Promise<ConsoleUser[]> {
  const rows = await orEmpty(() => db.selectFrom(USER_TABLE).selectAll().orderBy('name').execute());
  const grants = await orEmpty(() => db.selectFrom(GRANT_TABLE).selectAll().orderBy('environment').execute());
  return rows.map((row) =>
    toUser(
      row,
      new Map(
        grants.flatMap((grant) =>
          grant.user_name === row.name && isRole(grant.role) ? [[grant.environment, grant.role] as const] : [],
        ),
      ),
    ),
  );
}

/** Replaces the user's roles with `grants` (in the caller's transaction). */
export async function writeGrants(db: ConsoleDb, name: string, grants: Grants): Promise<void> {
  await db.deleteFrom(GRANT_TABLE).where('user_name', '=', name).execute();
  if (grants.size === 0) return;
  await db
    .insertInto(GRANT_TABLE)
    .values([...grants].map(([environment, role]) => ({ user_name: name, environment, role })))
    .execute();
}

/**
 * A failed login: one more attempt counted (one UPDATE, so two failures at
 * once both count); at `limit`, locked until `lockUntil` and the count
 * starts again. True when this failure locked the account.
 */
export async function recordFailure(db: ConsoleDb, name: string, limit: number, lockUntil: Date): Promise<boolean> {
  await db
    .updateTable(USER_TABLE)
    .set((eb) => ({ failed_attempts: eb('failed_attempts', '+', 1) }))
    .where('name', '=', name)
    .execute();
  const locked = await db
    .updateTable(USER_TABLE)
    .set({ failed_attempts: 0, locked_until: lockUntil.toISOString() })
    .where('name', '=', name)
    .where('failed_attempts', '>=', limit)
    .executeTakeFirst();
  return Number(locked.numUpdatedRows) > 0;
}

export async function clearFailures(db: ConsoleDb, name: string): Promise<void> {
  await db.updateTable(USER_TABLE).set({ failed_attempts: 0, locked_until: null }).where('name', '=', name).execute();
}

export async function deleteSessionsOf(db: ConsoleDb, name: string): Promise<void> {
  await orEmpty(async () => {
    await db.deleteFrom(SESSION_TABLE).where('user_name', '=', name).execute();
    return [];
  });
}
