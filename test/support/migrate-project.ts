/**
 * Temporary projects for the migration tests, on SQLite or on a real
 * PostgreSQL.
 *
 * `makeMigrateProject(dialect, { environments, files })` writes a project
 * (the `database.*` keys of `envward init`, the built-in environments) in
 * which every listed environment has its own database, as a real project
 * has: `sqlite:var/<env>/app.db`, or a fresh PostgreSQL database of
 * test/support/postgres.ts per environment. Protected environments are
 * stamped (as `envward db stamp` would) so that `migrate` may open them.
 *
 * `open(env)` opens the environment's store through the library; `cli(args)`
 * runs the built CLI (`npm run build` first) in the project; `sql(env, text)`
 * and `tables(env)` look at the database around envward. `cleanup()` closes
 * what `open` opened, drops the PostgreSQL databases and removes the
 * directory.
 */
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { resolveConfig } from '../../src/index.ts';
import { openStore, type Store } from '../../src/store/index.ts';
import { createTestDatabase, type TestDatabase } from './postgres.ts';
import { type RunOptions, type RunResult, runCli } from './run-cli.ts';
import { querySqliteFile } from './sqlite-file.ts';
import { makeTempProject } from './temp-project.ts';

export type Dialect = 'sqlite' | 'postgres';
/** Every migration suite runs once per dialect. */
export const DIALECTS: readonly Dialect[] = ['sqlite', 'postgres'];

const CONFIG = `import { database, defineConfig, z } from 'envward';

export default defineConfig({
  project: 'migrate-test',
  use: [database],
  schema: z.object({}),
});
`;

const PROTECTED = new Set(['staging', 'production']);

export interface MigrateProjectOptions {
  /** Environments that get a database (default development). */
  readonly environments?: readonly string[];
  /** Files, relative path -> content (migrations/..., seeds/...). */
  readonly files?: Readonly<Record<string, string>>;
  /** Extra settings.yml lines under `database:` for every environment, e.g. `  statementTimeoutMs: 500\n`. */
  readonly databaseSettings?: string;
}

export interface MigrateProject {
  readonly dialect: Dialect;
  readonly dir: string;
  /** Writes (or replaces) a file relative to the project; returns its path. */
  write(path: string, text: string): string;
  remove(path: string): void;
  open(env?: string): Promise<Store>;
  /** Runs the built CLI in the project, without colour. */
  cli(args: readonly string[], options?: Pick<RunOptions, 'env'>): Promise<RunResult>;
  /** Runs SQL on the environment's database around envward; `$1` parameters on both dialects. */
  sql<Row = Record<string, unknown>>(env: string, text: string, values?: readonly unknown[]): Promise<Row[]>;
  /** The application's tables in the environment's database (envward's own left out), sorted. */
  tables(env?: string): Promise<string[]>;
  /** Names of the migrations recorded as applied, in name order. */
  applied(env?: string): Promise<string[]>;
  cleanup(): Promise<void>;
}

/** A migration file exporting `up` (and `down` when given) from Kysely builder code. */
export function migration(up: string, down?: string, extra = ''): string {
  return `import { sql, type Kysely } from 'kysely';
${extra}
export async function up(db: Kysely<any>): Promise<void> {
  ${up}
}
${down === undefined ? '' : `\nexport async function down(db: Kysely<any>): Promise<void> {\n  ${down}\n}\n`}`;
}

/** `create table <name> (id integer primary key, label text)`, undone by dropping it. */
export function createTable(name: string): string {
  return migration(
    `await db.schema.createTable('${name}').addColumn('id', 'integer', (c) => c.primaryKey()).addColumn('label', 'text').execute();`,
    `await db.schema.dropTable('${name}').execute();`,
  );
}

export async function makeMigrateProject(
  dialect: Dialect,
  options: MigrateProjectOptions = {},
): Promise<MigrateProject> {
  const environments = options.environments ?? ['development'];
  const databases = new Map<string, TestDatabase>();
  if (dialect === 'postgres') {
    const made = await Promise.all(environments.map((env) => createTestDatabase(`mig_${env}`)));
    for (const [index, env] of environments.entries()) databases.set(env, made[index] as TestDatabase);
  }
  const files: Record<string, string> = { 'envward.config.ts': CONFIG, ...options.files };
  for (const env of environments) {
    const url = databases.get(env)?.url ?? `sqlite:var/${env}/app.db`;
    files[`config/environments/${env}/settings.yml`] = `database:\n  url: ${url}\n${options.databaseSettings ?? ''}`;
  }
  const project = makeTempProject(files);
  const opened: Store[] = [];
  const open = async (env = 'development') => {
    const resolved = await resolveConfig<unknown>({ variables: {}, cwd: project.dir, env });
    const store = await openStore(resolved);
    opened.push(store);
    return store;
  };
  const sql = async <Row>(env: string, text: string, values: readonly unknown[] = []): Promise<Row[]> => {
    const database = databases.get(env);
    if (database) return database.query<Row>(text, [...values]);
    return querySqliteFile<Row>(join(project.dir, 'var', env, 'app.db'), text, values);
  };
  for (const env of environments.filter((name) => PROTECTED.has(name))) {
    const resolved = await resolveConfig<unknown>({ variables: {}, cwd: project.dir, env });
    await (await openStore(resolved, { stampMode: 'stamp' })).close();
  }
  return {
    dialect,
    dir: project.dir,
    write: project.write,
    remove: (path) => rmSync(join(project.dir, path), { force: true }),
    open,
    cli: (args, runOptions = {}) =>
      runCli(args, { cwd: project.dir, env: { NO_COLOR: '1', DATABASE_URL: undefined, ...runOptions.env } }),
    sql,
    async tables(env = 'development') {
      const rows =
        dialect === 'postgres'
          ? await sql<{ name: string }>(
              env,
              "select table_name as name from information_schema.tables where table_schema = 'public'",
            )
          : await sql<{ name: string }>(env, "select name from sqlite_master where type = 'table'");
      return rows
        .map((row) => row.name)
        .filter((name) => !name.startsWith('envward_') && !name.startsWith('sqlite_'))
        .sort();
    },
    async applied(env = 'development') {
      const rows = await sql<{ name: string }>(env, 'select name from envward_migrations order by name').catch(
        () => [],
      );
      return rows.map((row) => row.name);
    },
    async cleanup() {
      await Promise.allSettled(opened.map((store) => store.close()));
      await Promise.all([...databases.values()].map((database) => database.drop()));
      project.cleanup();
    },
  };
}

/** What `promise` rejects with; fails if it resolves. */
export async function rejection(promise: Promise<unknown>): Promise<Error & { code?: string; details?: unknown }> {
  try {
    await promise;
  } catch (error) {
    return error as Error & { code?: string };
  }
  throw new Error('expected a rejection, but the promise resolved');
}

/** Parses a CLI's stdout as one JSON object. */
export function json(result: RunResult): Record<string, unknown> {
  try {
    return JSON.parse(result.stdout) as Record<string, unknown>;
  } catch {
    throw new Error(`stdout is not JSON (exit ${result.code}):\n${result.stdout}\nstderr:\n${result.stderr}`);
  }
}
