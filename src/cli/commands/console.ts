import type { Command } from 'commander';
// The entry's lazy functions: Fastify, the console's plugins and argon2 load when a command runs.
import {
  addConsoleUser,
  type ConsoleUser,
  listConsoleUsers,
  removeConsoleUser,
  setConsoleRoles,
  startConsole,
} from '../../console/index.js';
import { UsageError } from '../../errors.js';
import { type CommonOptions, outputFor, withCommonOptions } from '../common-options.js';
import { printable } from '../output.js';
import { readSecretInput } from '../read-secret-input.js';

function target(options: CommonOptions) {
  return {
    ...(options.cwd !== undefined ? { cwd: options.cwd } : {}),
    ...(options.env !== undefined ? { env: options.env } : {}),
  };
}

function portFrom(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  if (!/^\d{1,5}$/.test(text) || Number(text) > 65535) {
    throw new UsageError(
      `--port expects a port number from 0 to 65535, not "${text.slice(0, 40)}".`,
      'Example: envward console --port 4510',
    );
  }
  return Number(text);
}

/** A user for --json: roles as an object (a Map prints as {}). */
function userJson(user: ConsoleUser) {
  return { ...user, grants: Object.fromEntries(user.grants) };
}

function userLine(user: ConsoleUser): string {
  const roles = [...user.grants].map(([environment, role]) => `${environment}:${role}`).join(', ') || 'no roles';
  const lock =
    user.lockedUntil && user.lockedUntil > new Date().toISOString() ? `  locked until ${user.lockedUntil}` : '';
  return `  ${printable(user.name)}  ${roles}${user.hasPassword ? '' : '  (OpenID Connect only)'}${lock}`;
}

export function registerConsoleCommands(program: Command): void {
  withCommonOptions(
    program
      .command('console')
      .description('serve the web console for this project (login, per-environment roles) until interrupted')
      .option('--port <port>', 'port to listen on (default 4510; 0: any free port)')
      .option('--host <address>', 'address to listen on (default 127.0.0.1)'),
  ).action(async (options: CommonOptions & { port?: string; host?: string }) => {
    const output = outputFor(options);
    const port = portFrom(options.port);
    const running = await startConsole({
      ...target(options),
      log: true,
      ...(port !== undefined ? { port } : {}),
      ...(options.host !== undefined ? { host: options.host } : {}),
    });
    for (const warning of running.warnings) output.warn(warning);
    output.result(
      { url: running.url, environment: running.environment },
      () => `envward console on ${running.url} (users of ${running.environment}; Ctrl-C stops it)`,
    );
    await new Promise<void>((resolve) => {
      const stop = () => resolve();
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
    });
    await running.close();
  });

  const users = program.command('users').description("the console's users and their roles per environment");

  withCommonOptions(
    users
      .command('add')
      .description('add a console user; the password is read from stdin or a prompt that does not echo')
      .argument('<name>', 'user name (lower-case letters, digits, . _ -)')
      .requiredOption('--role <pairs>', 'roles per environment, e.g. development:admin,production:viewer')
      .option('--no-password', 'no password: the user signs in only through OpenID Connect'),
  ).action(async (name: string, options: CommonOptions & { role: string; password: boolean }) => {
    const output = outputFor(options);
    const password = options.password ? await readSecretInput(`password for ${name}: `) : undefined;
    const user = await addConsoleUser({
      ...target(options),
      name,
      roles: options.role,
      ...(password !== undefined ? { password } : {}),
    });
    output.result(userJson(user), () => `added console user ${user.name}:\n${userLine(user)}`);
  });

  withCommonOptions(
    users
      .command('roles')
      .description("replace a user's roles")
      .argument('<name>', 'user name')
      .requiredOption('--role <pairs>', 'roles per environment, e.g. staging:operator,production:viewer'),
  ).action(async (name: string, options: CommonOptions & { role: string }) => {
    const output = outputFor(options);
    const user = await setConsoleRoles({ ...target(options), name, roles: options.role });
    output.result(userJson(user), () => `roles of ${user.name}:\n${userLine(user)}`);
  });

  withCommonOptions(
    users.command('remove').description('remove a user and end their sessions').argument('<name>', 'user name'),
  ).action(async (name: string, options: CommonOptions) => {
    const output = outputFor(options);
    await removeConsoleUser({ ...target(options), name });
    output.result({ removed: name }, () => `removed console user ${printable(name)}`);
  });

  withCommonOptions(users.command('list').description("the console's users and their roles (reads only)")).action(
    async (options: CommonOptions) => {
      const output = outputFor(options);
      const list = await listConsoleUsers(target(options));
      output.result({ environment: list.environment, users: list.users.map(userJson) }, () =>
        list.users.length === 0
          ? `${list.environment}: no console users (envward users add NAME --role ENV:ROLE)`
          : [`console users in ${list.environment}'s store:`, ...list.users.map(userLine)].join('\n'),
      );
    },
  );
}
