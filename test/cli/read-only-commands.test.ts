/**
 * Commands that only read write nothing anywhere: not the project's files,
 * not a missing SQLite path (nor its directory), not PostgreSQL's catalogue
 * (no schema, no table). A refused command leaves nothing behind either.
 * Each command runs through the built CLI (`npm run build` first), and the
 * file tree and `pg_catalog` are compared before and after.
 */
import assert from 'node:assert/strict';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { type Dialect, makeStoreProject, type StoreProject } from '../support/store-project.ts';

const REFUSED = 3;
const MIGRATION = `export async function up(db) {
  await db.schema.createTable('accounts').addColumn('id', 'text', (c) => c.primaryKey()).execute();
}
export async function down(db) {
  await db.schema.dropTable('accounts').execute();
}
`;

/** Every command that only reads, as run against one environment. */
const READ_COMMANDS: readonly (readonly string[])[] = [
  ['db', 'status'],
  ['preflight'],
  ['migrate', 'plan'],
  ['migrate', 'status'],
  ['audit', 'list'],
  ['audit', 'verify'],
  ['config', 'show'],
  ['config', 'explain', 'database.url'],
  ['config', 'validate'],
  ['config', 'diff', 'development', 'production'],
  ['config', 'history'],
  ['config', 'set', 'database.poolSize=7', '--dry-run', '--reason', 'a dry run writes nothing'],
  ['env'],
  ['secrets', 'list'],
  ['flags', 'list'],
  ['jobs', 'list'],
  ['jobs', 'history'],
  ['users', 'list'],
  ['requests', 'list'],
  ['requests', 'show', '1'],
];

/** Every file and directory under `dir`, with size and modification time (a write changes one of them). */
function fileTree(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return (
    readdirSync(dir, { recursive: true })
      .map(String)
      // SQLite's WAL coordination files (-wal, -shm) hold no data: any reader of a WAL database opens them.
      .filter((path) => !path.startsWith('.envward-cache') && !/\.db-(wal|shm)$/.test(path))
      .sort()
      .map((path) => {
        const stats = statSync(join(dir, path));
        return stats.isDirectory() ? `${path}/` : `${path} ${stats.size} ${stats.mtimeMs}`;
      })
  );
}

async function catalogue(project: StoreProject): Promise<string[]> {
  if (project.dialect === 'sqlite') return [];
  const schemas = await project.sql<{ name: string }>('select nspname as name from pg_namespace order by 1');
  const tables = await project.sql<{ name: string }>(
    "select schemaname || '.' || tablename as name from pg_tables order by 1",
  );
  return [...schemas.map((row) => `schema ${row.name}`), ...tables.map((row) => `table ${row.name}`)];
}

const projects: StoreProject[] = [];
after(() => Promise.all(projects.map((project) => project.cleanup())));

async function fresh(dialect: Dialect, settings: Record<string, string> = {}): Promise<StoreProject> {
  const project = await makeStoreProject(dialect, {
    files: { 'migrations/001_accounts.ts': MIGRATION },
    settings,
  });
  projects.push(project);
  return project;
}

interface Situation {
  readonly name: string;
  readonly dialect: Dialect;
  readonly settings?: Record<string, string>;
  readonly variables?: Record<string, string>;
  /** Prepares the database before the commands run. */
  readonly prepare?: (project: StoreProject) => Promise<void>;
  /** The code every store-opening command reports, if any. */
  readonly code?: string;
}

const SITUATIONS: readonly Situation[] = [
  {
    name: 'a missing SQLite path (and its directory)',
    dialect: 'sqlite',
    variables: { DATABASE_URL: 'sqlite:var/mistyped/app.db' },
    code: 'EW_DB_MISSING',
  },
  {
    name: 'a stamped SQLite database',
    dialect: 'sqlite',
    prepare: async (project) => {
      await (await project.open('production', { stampMode: 'stamp' })).close();
    },
  },
  {
    name: 'an unstamped PostgreSQL database, each environment in a schema that does not exist',
    dialect: 'postgres',
    settings: { development: 'database:\n  schema: devx\n', production: 'database:\n  schema: prd\n' },
  },
  {
    name: 'a stamped PostgreSQL database',
    dialect: 'postgres',
    prepare: async (project) => {
      await (await project.open('production', { stampMode: 'stamp' })).close();
    },
  },
];

for (const situation of SITUATIONS) {
  describe(`read-only commands on ${situation.name}`, { concurrency: true }, () => {
    for (const env of ['development', 'production']) {
      test(`as ${env}, every read-only command leaves the files and the catalogue as they were`, async () => {
        const project = await fresh(situation.dialect, situation.settings);
        await situation.prepare?.(project);
        for (const command of READ_COMMANDS) {
          const files = fileTree(project.dir);
          const pg = await catalogue(project);
          const result = await project.cli([...command, '--env', env], { env: situation.variables ?? {} });
          const label = `${command.join(' ')} --env ${env}: exit ${result.code}\n${result.stderr}${result.stdout}`;
          assert.deepEqual(fileTree(project.dir), files, `${label}\nno file written`);
          assert.deepEqual(await catalogue(project), pg, `${label}\nno schema or table made`);
          assert.doesNotMatch(result.stderr, /EW_INTERNAL/, label);
          const opensStore = ['db', 'preflight', 'migrate', 'audit'].includes(command[0] as string);
          if (situation.code && opensStore) {
            assert.match(result.stderr + result.stdout, new RegExp(situation.code), label);
            assert.notEqual(result.code, 0, label);
            assert.doesNotMatch(result.stdout, /is reachable/, `${label}\na missing database is not "reachable"`);
          }
        }
      });
    }
  });
}

describe('a refused command leaves nothing behind', { concurrency: true }, () => {
  test('migrate up of production on an unstamped SQLite file makes no table; on a missing path, no file', async () => {
    const project = await fresh('sqlite');
    const missing = await project.cli(['migrate', 'up', '--env', 'production']);
    assert.match(missing.stderr, /EW_DB_MISSING/);
    assert.equal(existsSync(join(project.dir, 'var')), false, 'no directory, no file');
    project.write('var/.keep', '');
    await project.sql('select 1');
    const unstamped = await project.cli(['migrate', 'up', '--env', 'production']);
    assert.equal(unstamped.code, REFUSED, unstamped.stderr);
    assert.match(unstamped.stderr, /EW_DB_UNSTAMPED/);
    assert.deepEqual(await project.sql("select name from sqlite_master where type = 'table'"), []);
  });

  test('migrate up of production on an unstamped PostgreSQL database makes no schema and no table', async () => {
    const project = await fresh('postgres', { production: 'database:\n  schema: prd\n' });
    const before = await catalogue(project);
    const result = await project.cli(['migrate', 'up', '--env', 'production']);
    assert.equal(result.code, REFUSED, result.stderr);
    assert.match(result.stderr, /EW_DB_UNSTAMPED/);
    assert.deepEqual(await catalogue(project), before);
  });

  test('migrate up refused by a protected stamp in another namespace makes nothing', async () => {
    const project = await fresh('postgres');
    await (await project.open('production', { stampMode: 'stamp' })).close();
    const before = await catalogue(project);
    const result = await project.cli(['migrate', 'up', '--env', 'development'], { env: { DATABASE_SCHEMA: 'devx' } });
    assert.equal(result.code, REFUSED, result.stderr);
    assert.deepEqual(await catalogue(project), before);
  });
});
