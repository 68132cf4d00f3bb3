/**
 * The console's tables in the store of the environment it runs in: users,
 * their roles per environment, and sessions. Made on the first write, as
 * the other capabilities make theirs (the store's prefix and schema apply).
 * Every rule the code keeps is a constraint here too: role names, one role
 * per user and environment, a session that outlives its user is impossible.
 */
import type { Kysely } from 'kysely';
import { sql } from 'kysely';

export const USER_TABLE = 'envward_console_user';
export const GRANT_TABLE = 'envward_console_grant';
export const SESSION_TABLE = 'envward_console_session';

export interface ConsoleUserRow {
  name: string;
  /** argon2id PHC string; null for a user who signs in only through OpenID Connect. */
  password_hash: string | null;
  failed_attempts: number;
  /** ISO-8601; the account refuses every login until then. */
  locked_until: string | null;
  created_at: string;
  created_by: string;
}

export interface ConsoleGrantRow {
  user_name: string;
  environment: string;
  role: string;
}

export interface ConsoleSessionRow {
  /** SHA-256 (hex) of the cookie's token: a leaked table opens no session. */
  token_hash: string;
  user_name: string;
  created_at: string;
  expires_at: string;
}

export interface ConsoleTables {
  [USER_TABLE]: ConsoleUserRow;
  [GRANT_TABLE]: ConsoleGrantRow;
  [SESSION_TABLE]: ConsoleSessionRow;
}

export type ConsoleDb = Kysely<ConsoleTables>;

/** User names: what a person types, and what the audit log shows as `console:<name>`. */
export const USER_NAME = /^[a-z][a-z0-9._-]{0,63}$/;

export async function ensureConsoleTables(db: ConsoleDb): Promise<void> {
  // Several processes making them at once: PostgreSQL's IF NOT EXISTS still lets a concurrent CREATE fail
  // (pg_type's unique index); the loser tries again and finds that table made. It can lose once per table.
  for (let attempt = 0; ; attempt++) {
    try {
      await createTables(db);
      return;
    } catch (error) {
      if (attempt >= 5) throw error;
    }
  }
}

async function createTables(db: ConsoleDb): Promise<void> {
  await db.schema
    .createTable(USER_TABLE)
    .ifNotExists()
    .addColumn('name', 'text', (column) =>
      column.primaryKey().check(sql`length(name) between 1 and 64 and name = lower(name)`),
    )
    .addColumn('password_hash', 'text', (column) => column.check(sql`password_hash like '$argon2id$%'`))
    .addColumn('failed_attempts', 'integer', (column) => column.notNull().defaultTo(0).check(sql`failed_attempts >= 0`))
    .addColumn('locked_until', 'text')
    .addColumn('created_at', 'text', (column) => column.notNull())
    .addColumn('created_by', 'text', (column) => column.notNull())
    .execute();
  await db.schema
    .createTable(GRANT_TABLE)
    .ifNotExists()
    .addColumn('user_name', 'text', (column) => column.notNull().references(`${USER_TABLE}.name`).onDelete('cascade'))
    .addColumn('environment', 'text', (column) => column.notNull())
    .addColumn('role', 'text', (column) => column.notNull().check(sql`role in ('viewer', 'operator', 'admin')`))
    .addPrimaryKeyConstraint(`${GRANT_TABLE}_pk`, ['user_name', 'environment'])
    .execute();
  await db.schema
    .createTable(SESSION_TABLE)
    .ifNotExists()
    .addColumn('token_hash', 'text', (column) => column.primaryKey().check(sql`length(token_hash) = 64`))
    .addColumn('user_name', 'text', (column) => column.notNull().references(`${USER_TABLE}.name`).onDelete('cascade'))
    .addColumn('created_at', 'text', (column) => column.notNull())
    .addColumn('expires_at', 'text', (column) => column.notNull().check(sql`expires_at > created_at`))
    .execute();
}
