/**
 * `envward console`: the console in its own Fastify server for a project,
 * showing every environment the project declares. Users and sessions live
 * in the store of the environment it runs in (as `envward users` writes
 * them); acts on other environments go through the library, into each
 * environment's own store and audit log.
 */
import { randomBytes } from 'node:crypto';
import type { FastifyBaseLogger, FastifyInstance } from 'fastify';
import type { EnvironmentTarget } from '../acts/environment-target.js';
import type { ResolvedConfig } from '../config/resolve.js';
import { isEnvwardError } from '../errors.js';
import { importPeer } from '../peers.js';
import { consoleConfigOf } from './console-config.js';
import { ConsoleConfigError } from './console-errors.js';
import { type ConsoleDb, ensureConsoleTables } from './console-tables.js';
import type { ConsoleSettings, ConsoleSite } from './site.js';

export interface StartConsoleOptions extends EnvironmentTarget {
  /** Address to listen on; default `console.host`, else 127.0.0.1 (the console is not for the open network without a proxy). */
  readonly host?: string;
  /** Default `console.port`, else 4510; 0 picks a free port. */
  readonly port?: number;
  /** Signs cookies; default `console.cookieSecret`, else random per start (sessions end when the console restarts). */
  readonly cookieSecret?: string;
  readonly settings?: Partial<ConsoleSettings>;
  /**
   * Log requests and failures with envward's logger (`envward/observe`, its
   * secret scrubbing included) when the project uses the `log` settings;
   * what `envward console` does. Default: no log.
   */
  readonly log?: boolean;
}

export interface RunningConsole {
  /** Where it listens, e.g. http://127.0.0.1:4510/ */
  readonly url: string;
  /** The environment whose store holds its users. */
  readonly environment: string;
  /** What the operator should know, e.g. that requests are not logged because the logger's packages are missing. */
  readonly warnings: readonly string[];
  close(): Promise<void>;
}

export const DEFAULT_CONSOLE_PORT = 4510;

/** The console's server, built but not listening: what `startConsole` listens with, and tests inject into. */
export interface ConsoleServer {
  readonly app: FastifyInstance;
  readonly site: ConsoleSite;
  /** Where to listen: the options, else the project's `console.host` and `console.port`. */
  readonly host: string;
  readonly port: number;
  readonly warnings: readonly string[];
  close(): Promise<void>;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}

/**
 * envward's logger for the console when the project uses the `log`
 * settings; without the logger's packages the console still starts, unlogged,
 * and says so (a console that cannot start over a missing logger helps no one).
 */
async function consoleLogger(resolved: ResolvedConfig<unknown>, warnings: string[]) {
  if (!isRecord(resolved.values) || !('log' in resolved.values)) return undefined;
  try {
    return await (await import('../observe/index.js')).createLogger(resolved, { name: 'envward-console' });
  } catch (error) {
    if (!isEnvwardError(error) || error.code !== 'EW_PEER_MISSING') throw error;
    warnings.push(`requests are not logged: ${error.message} ${error.hint}`);
    return undefined;
  }
}

export async function buildConsoleServer(options: StartConsoleOptions = {}): Promise<ConsoleServer> {
  const { resolveForAct, openActStore } = await import('../runtime/revision-context.js');
  const act = await resolveForAct(options, { collectIssues: true });
  const config = consoleConfigOf(act.resolved, options.settings);
  const store = await openActStore(act, 'write');
  const { default: Fastify } = await importPeer('envward/console', () => import('fastify'));
  const { consolePlugin } = await importPeer('envward/console', () => import('./console-plugin.js'));
  const db = store.db as unknown as ConsoleDb;
  const warnings: string[] = [];
  const logger = options.log ? await consoleLogger(act.resolved, warnings) : undefined;
  // The logger's own type (pino's) would make this a FastifyInstance of pino's Logger; the console needs the base one.
  const app: FastifyInstance = Fastify({
    ...(logger ? { loggerInstance: logger as FastifyBaseLogger } : { logger: false }),
    bodyLimit: 64 * 1024,
  });
  const close = async () => {
    await app.close().catch(() => {});
    await store.close();
    if (logger) await (await import('../observe/index.js')).closeLogger(logger);
  };
  try {
    await ensureConsoleTables(db);
    const site: ConsoleSite = {
      project: act.resolved.project,
      home: act.resolved.environment,
      store,
      db,
      environments: act.resolved.project.environments.all,
      variables: options.variables ?? process.env,
      hostname: act.resolved.hostname,
      prefix: '',
      settings: config.settings,
    };
    await app.register(consolePlugin, {
      site,
      cookieSecret: options.cookieSecret ?? config.cookieSecret ?? randomBytes(32).toString('base64url'),
    });
    await app.ready();
    return {
      app,
      site,
      host: options.host ?? config.host ?? '127.0.0.1',
      port: options.port ?? config.port ?? DEFAULT_CONSOLE_PORT,
      warnings,
      close,
    };
  } catch (error) {
    await close();
    throw error;
  }
}

export async function startConsole(options: StartConsoleOptions = {}): Promise<RunningConsole> {
  const asked = options.port;
  if (asked !== undefined && (!Number.isInteger(asked) || asked < 0 || asked > 65535)) {
    throw new ConsoleConfigError(`The console's port ${asked} is not a port.`, 'Give --port a number from 1 to 65535.');
  }
  const server = await buildConsoleServer(options);
  const { host, port } = server;
  try {
    await server.app.listen({ host, port });
  } catch (error) {
    await server.close();
    throw new ConsoleConfigError(
      `The console cannot listen on ${host}:${port}: ${(error as { code?: string }).code ?? 'error'}.`,
      'Choose another port with --port, or stop what holds it.',
    );
  }
  const address = server.app.server.address();
  const bound = typeof address === 'object' && address ? address.port : port;
  const shownHost = host.includes(':') ? `[${host}]` : host;
  return {
    url: `http://${shownHost}:${bound}/`,
    environment: server.site.home.name,
    warnings: server.warnings,
    close: server.close,
  };
}
