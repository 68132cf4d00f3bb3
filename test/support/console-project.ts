/**
 * A project for the console tests: every environment on its own SQLite
 * file (`var/<env>.db`), console users added through the library, and a
 * console server built in-process (`buildConsoleServer`) that tests drive
 * with `inject` as a browser would: cookies kept per client, the CSRF token
 * taken from the last page fetched, redirects not followed.
 */

import assert from 'node:assert/strict';
import type { FastifyInstance } from 'fastify';
import { addConsoleUser } from '../../src/console/index.ts';
import { buildConsoleServer, type ConsoleServer } from '../../src/console/start-console.ts';
import { resolveConfig } from '../../src/index.ts';
import { type AuditFilter, type AuditRow, openStore } from '../../src/store/index.ts';
import { makeTempProject, type TempProject } from './temp-project.ts';

/** What a test adds to the console project's envward.config.ts (the default adds nothing). */
export interface ConsoleConfigOptions {
  /** Import lines above the config, e.g. `import { flags } from 'envward/flags';`. */
  readonly imports?: string;
  /** More entries of `use: [database, ...]`, as TypeScript source. */
  readonly use?: string;
  /** More groups of the schema object, as TypeScript source (`secret` is imported). */
  readonly schema?: string;
  /** The entries of `environments: {...}`, as TypeScript source (default `qa: { tier: 'staging' }`). */
  readonly environments?: string;
}

/** The console project's envward.config.ts, with what `options` adds. */
export function consoleConfig(options: ConsoleConfigOptions = {}): string {
  return `import { database, defineConfig, live, secret, z } from 'envward';
${options.imports ?? ''}

export default defineConfig({
  project: 'console-test',
  use: [database${options.use ? `, ${options.use}` : ''}],
  schema: z.object({
    app: z.object({
      greeting: live(z.string().default('hello')),
      port: z.number().int().default(3000),
    }),
    ${options.schema ?? ''}
  }),
  environments: { ${options.environments ?? "qa: { tier: 'staging' }"} },
});
`;
}

export const CONSOLE_CONFIG = consoleConfig();

/** A password the tests use for every user (never a secret of the project). */
export const PASSWORD = 'correct horse battery staple';

export interface ConsoleProject {
  readonly dir: string;
  readonly files: TempProject;
  addUser(name: string, roles: string, password?: string): Promise<void>;
  /** A console server of `env` (default development), with its own cookie secret. */
  server(env?: string): Promise<ConsoleServer>;
  /** Stamps `env`'s database as `envward db stamp` would, so acts there may open it. */
  stamp(env: string): Promise<void>;
  /** `env`'s audit events matching `filter`, read from its store opened read-only. */
  auditOf(env: string, filter?: AuditFilter): Promise<AuditRow[]>;
  cleanup(): void;
}

export function makeConsoleProject(
  files: Readonly<Record<string, string>> = {},
  config: ConsoleConfigOptions = {},
): ConsoleProject {
  const settings: Record<string, string> = {};
  for (const env of ['development', 'test', 'staging', 'qa', 'production']) {
    settings[`config/environments/${env}/settings.yml`] = `database:\n  url: sqlite:var/${env}.db\n`;
  }
  const project = makeTempProject({ 'envward.config.ts': consoleConfig(config), ...settings, ...files });
  const variables = { PATH: process.env.PATH };
  return {
    dir: project.dir,
    files: project,
    addUser: async (name, roles, password = PASSWORD) => {
      await addConsoleUser({ cwd: project.dir, env: 'development', variables, name, roles, password });
    },
    server: (env = 'development') => buildConsoleServer({ cwd: project.dir, env, variables }),
    stamp: async (env) => {
      const resolved = await resolveConfig({ cwd: project.dir, env, variables: {}, checkHost: false });
      await (await openStore(resolved, { stampMode: 'stamp' })).close();
    },
    auditOf: async (env, filter) => {
      const resolved = await resolveConfig({ cwd: project.dir, env, variables: {}, checkHost: false });
      const store = await openStore(resolved, { stampMode: 'read' });
      try {
        return await store.audit.list(filter);
      } finally {
        await store.close();
      }
    },
    cleanup: () => project.cleanup(),
  };
}

/** A client of `app` logged in as `name` (asserting the login's redirect). */
export async function loggedIn(app: FastifyInstance, name: string): Promise<ConsoleClient> {
  const client = new ConsoleClient(app);
  const login = await client.login(name);
  assert.equal(login.status, 303, login.body);
  return client;
}

export interface Answer {
  readonly status: number;
  readonly body: string;
  readonly headers: Record<string, string | string[] | number | undefined>;
  readonly location: string | undefined;
}

/** A browser-like client of an in-process console: cookies and the page's CSRF token kept between calls. */
export class ConsoleClient {
  readonly #app: FastifyInstance;
  readonly cookies = new Map<string, string>();
  csrf: string | undefined;

  constructor(app: FastifyInstance) {
    this.#app = app;
  }

  #keep(headers: Answer['headers']): void {
    const set = headers['set-cookie'];
    for (const line of Array.isArray(set) ? set : set ? [String(set)] : []) {
      const [pair] = line.split(';');
      const at = (pair ?? '').indexOf('=');
      const name = (pair ?? '').slice(0, at);
      const value = (pair ?? '').slice(at + 1);
      if (value === '' || /Max-Age=0/i.test(line)) this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
  }

  #answer(response: { statusCode: number; body: string; headers: Answer['headers'] }): Answer {
    this.#keep(response.headers);
    const token = /name="_csrf" value="([^"]+)"/.exec(response.body)?.[1];
    if (token) this.csrf = token;
    const location = response.headers.location;
    return {
      status: response.statusCode,
      body: response.body,
      headers: response.headers,
      location: typeof location === 'string' ? location : undefined,
    };
  }

  #cookieHeader(): string {
    return [...this.cookies].map(([name, value]) => `${name}=${value}`).join('; ');
  }

  async get(url: string): Promise<Answer> {
    return this.#answer(await this.#app.inject({ method: 'GET', url, headers: { cookie: this.#cookieHeader() } }));
  }

  /** A form POST; `_csrf` is the last page's token unless `fields` gives one (or `csrf: false` leaves it out). */
  async post(url: string, fields: Record<string, string> = {}, options: { csrf?: boolean } = {}): Promise<Answer> {
    const form = new URLSearchParams(fields);
    if (options.csrf !== false && !form.has('_csrf') && this.csrf) form.set('_csrf', this.csrf);
    return this.#answer(
      await this.#app.inject({
        method: 'POST',
        url,
        headers: { cookie: this.#cookieHeader(), 'content-type': 'application/x-www-form-urlencoded' },
        payload: form.toString(),
      }),
    );
  }

  /** Logs in (the login page first, for its CSRF token); the answer of the POST. */
  async login(name: string, password = PASSWORD): Promise<Answer> {
    await this.get('/login');
    return this.post('/login', { name, password });
  }
}
