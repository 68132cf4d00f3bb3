/**
 * The console inside an application's own Fastify server (`envward/console`):
 * its pages for the application's own environment, under a prefix, with the
 * same login, roles, banner and headers. Users live in the application's
 * store, added with `envward users add --env <its environment>`.
 */
import { randomBytes } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import type { ResolvedConfig } from '../config/resolve.js';
import type { Store } from '../store/open-store.js';
import { consoleConfigOf } from './console-config.js';
import { consolePlugin } from './console-plugin.js';
import { type ConsoleDb, ensureConsoleTables } from './console-tables.js';
import type { ConsoleSettings } from './site.js';

export interface ConsoleMountOptions {
  readonly resolved: ResolvedConfig<unknown>;
  /** The application's store (opened from the same `resolved`), whatever its tables. */
  // biome-ignore lint/suspicious/noExplicitAny: the application's own table types do not matter to the console.
  readonly store: Store<any>;
  /** Signs cookies; default `console.cookieSecret` (share one across instances so a session works on each), else random. */
  readonly cookieSecret?: string;
  readonly settings?: Partial<ConsoleSettings>;
  /** Fastify's own option: where the pages go, e.g. '/admin'. */
  readonly prefix?: string;
}

export async function mountConsole(app: FastifyInstance, options: ConsoleMountOptions): Promise<void> {
  const config = consoleConfigOf(options.resolved, options.settings);
  const db = options.store.db as unknown as ConsoleDb;
  await ensureConsoleTables(db);
  await consolePlugin(app, {
    site: {
      project: options.resolved.project,
      home: options.resolved.environment,
      store: options.store,
      db,
      environments: [options.resolved.environment],
      variables: process.env,
      hostname: options.resolved.hostname,
      prefix: app.prefix,
      settings: config.settings,
    },
    cookieSecret: options.cookieSecret ?? config.cookieSecret ?? randomBytes(32).toString('base64url'),
  });
}
