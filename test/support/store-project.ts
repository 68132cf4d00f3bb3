/**
 * Temporary projects for the store tests, on SQLite or on a real PostgreSQL.
 *
 * `makeStoreProject(dialect)` writes a project whose schema has the
 * `database.*` keys of `envward init` and a custom `qa` environment of the
 * staging tier. Every environment shares one database (`config/base.yml`
 * sets `database.url`): a SQLite file in the project (`sqlite:var/shared.db`)
 * or a fresh PostgreSQL database of test/support/postgres.ts. That is the
 * situation the stamp exists for: a process of one environment pointed at
 * another's database. `settings` adds per-environment settings.yml.
 *
 * `open(env)` resolves the environment (no process variables unless given)
 * and opens its store through the library; `cli(args)` runs the built CLI
 * (`npm run build` first) in the project; `sql(text, values)` reaches the
 * database around envward, for tampering (`$1`-style parameters on both
 * dialects). `cleanup()` closes what `open` opened, drops the PostgreSQL
 * database and removes the directory. `runStoreProcesses` starts several
 * processes that open the store (and append audit events) at the same time.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { ResolvedConfig, ResolveOptions } from '../../src/config/index.ts';
import { resolveConfig } from '../../src/index.ts';
import { type OpenStoreOptions, openStore, type Store } from '../../src/store/index.ts';
import { createTestDatabase, type TestDatabase } from './postgres.ts';
import { withSlot } from './process-slots.ts';
import { releaseTogether } from './release-together.ts';
import { type RunResult, runCli } from './run-cli.ts';
import { querySqliteFile } from './sqlite-file.ts';
import { makeTempProject, type TempProject } from './temp-project.ts';

export type Dialect = 'sqlite' | 'postgres';
/** Every store suite runs once per dialect. */
export const DIALECTS: readonly Dialect[] = ['sqlite', 'postgres'];

/** A PostgreSQL address where nothing listens: connecting is refused at once. */
export const UNREACHABLE_PG = 'postgres://app:pw-never-shown-5kQ@127.0.0.1:1/app';

export const STORE_CONFIG = `import { database, defineConfig, z } from 'envward';

export default defineConfig({
  project: 'store-test',
  use: [database],
  schema: z.object({}),
  environments: {
    qa: { tier: 'staging' },
  },
});
`;

export interface StoreProjectOptions {
  /** settings.yml per environment, e.g. `{ staging: 'database:\n  schema: stg\n' }`. */
  readonly settings?: Readonly<Record<string, string>>;
  /** Extra files, relative path -> content. */
  readonly files?: Readonly<Record<string, string>>;
}

export interface OpenOptions extends OpenStoreOptions {
  /** Passed to resolveConfig (variables, set, force, hostname). */
  readonly resolve?: Omit<ResolveOptions, 'cwd' | 'env'>;
}

export interface StoreProject {
  readonly dialect: Dialect;
  readonly dir: string;
  /** The `database.url` every environment shares. */
  readonly url: string;
  /** The PostgreSQL test database (postgres only). */
  readonly database: TestDatabase | undefined;
  resolve(env: string, options?: Omit<ResolveOptions, 'cwd' | 'env'>): Promise<ResolvedConfig<unknown>>;
  open(env: string, options?: OpenOptions): Promise<Store>;
  /** Runs SQL on the shared database, around envward. */
  sql<Row = Record<string, unknown>>(text: string, values?: readonly unknown[]): Promise<Row[]>;
  /** Runs the built CLI in the project (no DATABASE_URL unless `env` gives one). */
  cli(
    args: readonly string[],
    options?: { readonly env?: Readonly<Record<string, string | undefined>>; readonly input?: string },
  ): Promise<RunResult>;
  write: TempProject['write'];
  cleanup(): Promise<void>;
}

export async function makeStoreProject(dialect: Dialect, options: StoreProjectOptions = {}): Promise<StoreProject> {
  const database = dialect === 'postgres' ? await createTestDatabase('store') : undefined;
  const url = database ? database.url : 'sqlite:var/shared.db';
  const files: Record<string, string> = {
    'envward.config.ts': STORE_CONFIG,
    'config/base.yml': `database:\n  url: ${url}\n`,
    ...options.files,
  };
  for (const [env, text] of Object.entries(options.settings ?? {})) {
    files[`config/environments/${env}/settings.yml`] = text;
  }
  const project = makeTempProject(files);
  const opened: Store[] = [];
  const resolve = (env: string, resolveOptions: Omit<ResolveOptions, 'cwd' | 'env'> = {}) =>
    resolveConfig<unknown>({ variables: {}, ...resolveOptions, cwd: project.dir, env });
  return {
    dialect,
    dir: project.dir,
    url,
    database,
    resolve,
    async open(env, { resolve: resolveOptions, ...openOptions } = {}) {
      const store = await openStore(await resolve(env, resolveOptions), openOptions);
      opened.push(store);
      return store;
    },
    async sql<Row>(text: string, values: readonly unknown[] = []) {
      if (database) return database.query<Row>(text, [...values]);
      return querySqliteFile<Row>(`${project.dir}/var/shared.db`, text, values);
    },
    cli: (args, { env = {}, input } = {}) =>
      runCli(args, {
        cwd: project.dir,
        env: { NO_COLOR: '1', DATABASE_URL: undefined, ...env },
        ...(input === undefined ? {} : { input }),
      }),
    write: project.write,
    async cleanup() {
      await Promise.allSettled(opened.map((store) => store.close()));
      await database?.drop();
      project.cleanup();
    },
  };
}

const STORE_PROCESS = fileURLToPath(new URL('./store-process.mjs', import.meta.url));

export interface StoreProcess {
  readonly env: string;
  /** Audit events to append once the store is open. */
  readonly appends?: number;
  /** The actor of its events (default `process<index>`). */
  readonly label?: string;
}

/**
 * Starts one process per entry (test/support/store-process.mjs, on dist/), waits until
 * each has resolved its environment, then lets them all open the store at
 * once. Resolves to what each reported: the stamp it found, or the code of
 * the error that stopped it.
 */
export function runStoreProcesses(
  project: StoreProject,
  processes: readonly StoreProcess[],
): Promise<{ stamp?: string; error?: string }[]> {
  return withSlot(async () => {
    const children = processes.map((entry, index) =>
      spawn(
        process.execPath,
        [STORE_PROCESS, project.dir, entry.env, String(entry.appends ?? 0), entry.label ?? `process${index}`],
        { stdio: ['pipe', 'pipe', 'pipe'] },
      ),
    );
    const reports = await releaseTogether<{ stamp?: string; error?: string; message?: string }>(
      children,
      'store process',
    );
    // envward's refusals are what the tests compare; anything else is a failure to show whole.
    return reports.map(({ message, ...report }) => {
      if (report.error && !report.error.startsWith('EW_')) {
        throw new Error(`a store process failed with ${report.error}: ${message}`);
      }
      return report;
    });
  });
}
