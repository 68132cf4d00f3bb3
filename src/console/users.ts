/**
 * Console users as a library (the `envward users` commands call these): they
 * live in the store of the environment the console runs in, each with a role
 * per environment. Every change is audited there; a password is hashed
 * (argon2id) before anything is opened, and never leaves this module.
 */
import type { EnvironmentTarget } from '../acts/environment-target.js';
import type { Store } from '../store/open-store.js';
import { ConsoleUserError } from './console-errors.js';
import { type ConsoleDb, ensureConsoleTables, USER_NAME, USER_TABLE } from './console-tables.js';
import { hashPassword } from './password.js';
import { type Grants, grantsText, parseGrants, type Role } from './roles.js';
import { allUsers, type ConsoleUser, deleteSessionsOf, findUser, writeGrants } from './user-records.js';

/** Which console's users: the project and the environment the console runs in (default: detected). */
export interface ConsoleUsersTarget extends EnvironmentTarget {
  /** Who acts, for the audit log; default the OS user (the console: `console:<name>`). */
  readonly actor?: string;
  /** Why, for the audit log (the console asks for one in a protected environment). */
  readonly reason?: string;
}

/** The audit event's reason field, when one was given. */
function because(target: ConsoleUsersTarget): { reason?: string } {
  return target.reason ? { reason: target.reason } : {};
}

export interface AddConsoleUserRequest extends ConsoleUsersTarget {
  readonly name: string;
  /** At least 12 characters; omit for a user who signs in only through OpenID Connect. */
  readonly password?: string;
  /** `development:admin,production:viewer`, or a map of environment to role. */
  readonly roles: string | Grants;
}

export interface ConsoleRolesRequest extends ConsoleUsersTarget {
  readonly name: string;
  readonly roles: string | Grants;
}

export interface ConsoleUserList {
  /** The environment whose store holds these users. */
  readonly environment: string;
  readonly users: readonly ConsoleUser[];
}

function checkName(name: string): void {
  if (!USER_NAME.test(name)) {
    throw new ConsoleUserError(
      `"${name.slice(0, 80)}" is not a console user name.`,
      'Use lower-case letters, digits, ".", "_" or "-", starting with a letter (up to 64).',
    );
  }
}

/** The grants asked for; a role for an environment the project does not declare is a typo, not a grant. */
function grantsFor(environments: readonly string[], roles: string | Grants): Grants {
  const grants: Grants = typeof roles === 'string' ? parseGrants(roles) : roles;
  for (const environment of grants.keys()) {
    if (!environments.includes(environment)) {
      throw new ConsoleUserError(
        `--role names environment "${environment}", which the project does not declare.`,
        `Known environments: ${environments.join(', ')}.`,
      );
    }
  }
  return grants;
}

function taken(name: string): ConsoleUserError {
  return new ConsoleUserError(`Console user ${name} exists already.`, 'Change roles with envward users roles.');
}

/** A unique-key violation, from PostgreSQL (23505) or SQLite. */
function isDuplicateKey(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return code === '23505' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY' || code === 'SQLITE_CONSTRAINT_UNIQUE';
}

interface HomeStore {
  readonly store: Store;
  readonly db: ConsoleDb;
  /** The project's environment names. */
  readonly environments: readonly string[];
}

async function withHomeStore<T>(
  target: ConsoleUsersTarget,
  mode: 'read' | 'write',
  work: (home: HomeStore) => Promise<T>,
): Promise<T> {
  const { resolveForAct, openActStore } = await import('../runtime/revision-context.js');
  const act = await resolveForAct(target);
  const store = await openActStore(act, mode, target.actor);
  try {
    const db = store.db as unknown as ConsoleDb;
    if (mode === 'write') await ensureConsoleTables(db);
    return await work({ store, db, environments: act.resolved.project.environments.names });
  } finally {
    await store.close();
  }
}

/**
 * Adds a console user with a role per environment, audited as
 * `console.user.add`. EW_CONSOLE_USER for a taken or malformed name or an
 * unknown environment; EW_CONSOLE_PASSWORD for a short password.
 * @example
 * await addConsoleUser({ name: 'ada', password, roles: 'development:admin,production:viewer' });
 */
export async function addConsoleUser(request: AddConsoleUserRequest): Promise<ConsoleUser> {
  checkName(request.name);
  const hash = request.password === undefined ? null : await hashPassword(request.password);
  return withHomeStore(request, 'write', async ({ store, db, environments }) => {
    const grants = grantsFor(environments, request.roles);
    if (await findUser(db, request.name)) throw taken(request.name);
    await store.audit
      .appendWith(async (trx) => {
        const tx = trx as unknown as ConsoleDb;
        await tx
          .insertInto(USER_TABLE)
          .values({
            name: request.name,
            password_hash: hash,
            failed_attempts: 0,
            locked_until: null,
            created_at: new Date().toISOString(),
            created_by: store.actor,
          })
          .execute();
        await writeGrants(tx, request.name, grants);
        return {
          event: {
            action: 'console.user.add',
            target: `${request.name} (${grantsText(grants)})`,
            outcome: 'done',
            ...because(request),
          },
          value: undefined,
        };
      })
      .catch(async (error: unknown) => {
        // Another add of the same name won between the check above and this insert.
        if (isDuplicateKey(error) && (await findUser(db, request.name))) throw taken(request.name);
        throw error;
      });
    return (await findUser(db, request.name)) as ConsoleUser;
  });
}

/** Replaces a user's roles, audited as `console.user.roles`; their open sessions see it at their next request. */
export async function setConsoleRoles(request: ConsoleRolesRequest): Promise<ConsoleUser> {
  checkName(request.name);
  return withHomeStore(request, 'write', async ({ store, db, environments }) => {
    const grants = grantsFor(environments, request.roles);
    if (!(await findUser(db, request.name))) throw new ConsoleUserError(`No console user ${request.name}.`);
    await store.audit.appendWith(async (trx) => {
      await writeGrants(trx as unknown as ConsoleDb, request.name, grants);
      return {
        event: {
          action: 'console.user.roles',
          target: `${request.name} (${grantsText(grants)})`,
          outcome: 'done',
          ...because(request),
        },
        value: undefined,
      };
    });
    return (await findUser(db, request.name)) as ConsoleUser;
  });
}

/** Removes a user, their roles and their sessions (signed out at once), audited as `console.user.remove`. */
export async function removeConsoleUser(request: ConsoleUsersTarget & { readonly name: string }): Promise<void> {
  checkName(request.name);
  await withHomeStore(request, 'write', async ({ store, db }) => {
    if (!(await findUser(db, request.name))) throw new ConsoleUserError(`No console user ${request.name}.`);
    await store.audit.appendWith(async (trx) => {
      const tx = trx as unknown as ConsoleDb;
      await deleteSessionsOf(tx, request.name);
      await tx.deleteFrom(USER_TABLE).where('name', '=', request.name).execute();
      return {
        event: { action: 'console.user.remove', target: request.name, outcome: 'done', ...because(request) },
        value: undefined,
      };
    });
  });
}

/** The console's users with their roles (never a hash); reads only. */
export async function listConsoleUsers(target: ConsoleUsersTarget = {}): Promise<ConsoleUserList> {
  return withHomeStore(target, 'read', async ({ store, db }) => ({
    environment: store.environment.name,
    users: await allUsers(db),
  }));
}

export type { ConsoleUser, Role };
