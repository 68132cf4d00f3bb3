/**
 * envward/console: the web console. `startConsole` serves it for a project
 * (what `envward console` runs); `envwardConsole` mounts it into an
 * application's Fastify server under a prefix. Users and their roles per
 * environment are managed with the functions below (`envward users`).
 * Importing it loads nothing: Fastify, the cookie, form and CSRF plugins,
 * argon2 and Kysely load on first use. Every name is documented in docs/api.md.
 */
import type { FastifyInstance } from 'fastify';
import { importPeer } from '../peers.js';
import type { ConsoleMountOptions } from './mount-console.js';
import type { RunningConsole, StartConsoleOptions } from './start-console.js';
import type {
  AddConsoleUserRequest,
  ConsoleRolesRequest,
  ConsoleUser,
  ConsoleUserList,
  ConsoleUsersTarget,
} from './users.js';

export { ConsoleConfigError, ConsolePasswordError, ConsoleUserError } from './console-errors.js';
export { consoleSettings } from './console-settings-schema.js';
export { ACTIONS, type ConsoleAction, type Grants, ROLES, type Role } from './roles.js';
export type { ConsoleSettings, OidcSettings } from './site.js';
export type {
  AddConsoleUserRequest,
  ConsoleMountOptions,
  ConsoleRolesRequest,
  ConsoleUser,
  ConsoleUserList,
  ConsoleUsersTarget,
  RunningConsole,
  StartConsoleOptions,
};

const users = () => importPeer('envward/console', () => import('./users.js'));

/**
 * Serves the console for the project (every environment it declares) until
 * `close()`; users and sessions live in the store of the environment it
 * runs in. EW_CONSOLE_CONFIG when it cannot listen.
 * @example
 * const running = await startConsole({ port: 4510 });
 */
export async function startConsole(options?: StartConsoleOptions): Promise<RunningConsole> {
  return (await importPeer('envward/console', () => import('./start-console.js'))).startConsole(options);
}

/**
 * A Fastify plugin: the console's pages for the application's own
 * environment, under the prefix it is registered with.
 * @example
 * await app.register(envwardConsole, { prefix: '/admin', resolved, store });
 */
export async function envwardConsole(app: FastifyInstance, options: ConsoleMountOptions): Promise<void> {
  const { mountConsole } = await importPeer('envward/console', () => import('./mount-console.js'));
  await mountConsole(app, options);
}

/**
 * Adds a console user with a role per environment (argon2id password),
 * audited as `console.user.add`.
 * @example
 * await addConsoleUser({ name: 'ada', password, roles: 'development:admin,production:viewer' });
 */
export async function addConsoleUser(request: AddConsoleUserRequest): Promise<ConsoleUser> {
  return (await users()).addConsoleUser(request);
}

/**
 * Replaces a user's roles, audited as `console.user.roles`.
 * @example
 * await setConsoleRoles({ name: 'ada', roles: 'production:operator' });
 */
export async function setConsoleRoles(request: ConsoleRolesRequest): Promise<ConsoleUser> {
  return (await users()).setConsoleRoles(request);
}

/**
 * Removes a user and ends their sessions, audited as `console.user.remove`.
 * @example
 * await removeConsoleUser({ name: 'ada' });
 */
export async function removeConsoleUser(request: ConsoleUsersTarget & { readonly name: string }): Promise<void> {
  return (await users()).removeConsoleUser(request);
}

/**
 * The console's users and their roles; reads only.
 * @example
 * const { users } = await listConsoleUsers();
 */
export async function listConsoleUsers(target?: ConsoleUsersTarget): Promise<ConsoleUserList> {
  return (await users()).listConsoleUsers(target);
}
