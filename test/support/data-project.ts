/**
 * Projects for the `data` tests: production, staging and test each with a
 * database of their own (a SQLite file, or a fresh PostgreSQL database),
 * all migrated to the same schema: customers, accounts (foreign key to
 * customers) and postings (foreign key to accounts) whose insert trigger
 * moves its account's balance, as the ledger's journal does. Production
 * and staging are stamped as theirs. `rules` is the TypeScript source of
 * defineAnonymisation's argument.
 *
 * `seedProduction(n)` writes n customers with one account and two postings
 * each (the trigger sets the balances); `sql(env, ...)` reaches a database
 * around envward; `refresh(args)` runs the built CLI.
 */
import { join } from 'node:path';
import { resolveConfig } from '../../src/index.ts';
import { migrateUp } from '../../src/migrate/index.ts';
import { openStore } from '../../src/store/index.ts';
import { createTestDatabase, type TestDatabase } from './postgres.ts';
import { type RunResult, runCli } from './run-cli.ts';
import { querySqliteFile } from './sqlite-file.ts';
import { makeTempProject, type TempProject } from './temp-project.ts';

export type Dialect = 'sqlite' | 'postgres';
export const DIALECTS: readonly Dialect[] = ['sqlite', 'postgres'];

/** Every rule kind, each column ruled. */
export const FULL_RULES = `{
  customers: {
    id: 'keep',
    name: 'fake.person.fullName',
    email: 'hash.email',
    phone: 'mask',
    note: 'null',
    code: 'hash',
    nickname: (value) => (value === null ? null : 'x' + value),
    photo: 'keep',
    created_at: 'keep',
  },
  accounts: { id: 'keep', customer_id: 'keep', owner: 'fake.person.fullName', balance: 'keep' },
  postings: { id: 'keep', account_id: 'keep', amount: 'keep', memo: 'keep' },
}`;

const SCHEMA = `import { sql, type Kysely } from 'kysely';

const isPostgres = (db: Kysely<unknown>) => db.getExecutor().adapter.constructor.name === 'PostgresAdapter';

export async function up(db: Kysely<unknown>): Promise<void> {
  const pg = isPostgres(db);
  const statements = [
    \`create table customers (id integer primary key, name text not null, email text, phone text, note text,
      code text, nickname text, photo \${pg ? 'bytea' : 'blob'}, created_at text)\`,
    'create table accounts (id integer primary key, customer_id integer not null references customers (id), owner text, balance bigint not null default 0)',
    'create table postings (id integer primary key, account_id integer not null references accounts (id), amount bigint not null, memo text)',
    ...(pg
      ? [
          \`create function move_balance() returns trigger language plpgsql as $$
           begin update accounts set balance = balance + new.amount where id = new.account_id; return new; end $$\`,
          'create trigger postings_move_balance after insert on postings for each row execute function move_balance()',
        ]
      : [
          \`create trigger postings_move_balance after insert on postings begin
             update accounts set balance = balance + new.amount where id = new.account_id; end\`,
        ]),
  ];
  for (const statement of statements) await sql.raw(statement).execute(db);
}
`;

function config(rules: string): string {
  return `import { database, defineConfig, z } from 'envward';
import { defineAnonymisation } from 'envward/data';

const data = defineAnonymisation(${rules});

export default defineConfig({
  project: 'data-test',
  use: [database, data],
  schema: z.object({}),
  environments: { qa: { tier: 'staging' } },
});
`;
}

export interface DataProjectOptions {
  readonly rules?: string;
  /** database.url per environment instead of its own database (e.g. staging pointed at production's). */
  readonly urls?: Readonly<Record<string, string>>;
  /** A password in the PostgreSQL URLs (trust auth ignores it): a secret that must never be printed. */
  readonly password?: string;
}

export interface DataProject {
  readonly dialect: Dialect;
  readonly dir: string;
  readonly write: TempProject['write'];
  sql<Row = Record<string, unknown>>(env: string, text: string, values?: readonly unknown[]): Promise<Row[]>;
  /** Runs the built CLI in the project. */
  cli(args: readonly string[], env?: Readonly<Record<string, string | undefined>>): Promise<RunResult>;
  /** The URL of an environment's database as written in its settings. */
  url(env: string): string;
  /** n customers, an account each, two postings each (the trigger sets the balances). */
  seedProduction(n: number): Promise<void>;
  cleanup(): Promise<void>;
}

const ENVIRONMENTS = ['production', 'staging', 'test'] as const;

export async function makeDataProject(dialect: Dialect, options: DataProjectOptions = {}): Promise<DataProject> {
  const databases = new Map<string, TestDatabase>();
  if (dialect === 'postgres') {
    for (const env of ENVIRONMENTS) databases.set(env, await createTestDatabase(`data_${env}`));
  }
  const urlOf = (env: string) => {
    const database = databases.get(env);
    if (!database) return `sqlite:var/${env}/app.db`;
    if (!options.password) return database.url;
    const url = new URL(database.url);
    url.password = options.password;
    return url.toString();
  };
  const files: Record<string, string> = {
    'envward.config.ts': config(options.rules ?? FULL_RULES),
    'migrations/001_schema.ts': SCHEMA,
  };
  for (const env of ENVIRONMENTS) {
    files[`config/environments/${env}/settings.yml`] = `database:\n  url: ${options.urls?.[env] ?? urlOf(env)}\n`;
  }
  const project = makeTempProject(files);
  const sql = async <Row>(env: string, text: string, values: readonly unknown[] = []): Promise<Row[]> => {
    const database = databases.get(env);
    if (database) return database.query<Row>(text, [...values]);
    return querySqliteFile<Row>(join(project.dir, 'var', env, 'app.db'), text, values);
  };
  for (const env of ENVIRONMENTS) {
    if (options.urls?.[env]) continue;
    const resolved = await resolveConfig<unknown>({ variables: {}, cwd: project.dir, env });
    const store = await openStore(resolved, { stampMode: 'stamp' });
    try {
      await migrateUp(store, {
        reason: 'test schema',
        noBackup: { reason: 'an empty test database' },
        allowDestructive: { reason: 'the test schema makes a trigger' },
      });
    } finally {
      await store.close();
    }
  }
  return {
    dialect,
    dir: project.dir,
    write: project.write,
    sql,
    url: (env) => options.urls?.[env] ?? urlOf(env),
    cli: (args, env = {}) =>
      runCli(args, { cwd: project.dir, env: { NO_COLOR: '1', DATABASE_URL: undefined, ...env } }),
    async seedProduction(n) {
      const chunk = 500;
      for (let start = 1; start <= n; start += chunk) {
        const ids = Array.from({ length: Math.min(chunk, n - start + 1) }, (_, index) => start + index);
        const list = (make: (id: number) => string) => ids.map(make).join(', ');
        await sql(
          'production',
          `insert into customers (id, name, email, phone, note, code, nickname, created_at) values ${list(
            (id) =>
              `(${id}, 'Prodname Person${id}', 'person${id}@prod.example', '+4915100${id}', 'note ${id}', 'CODE-${id}', 'nick${id}', '2026-01-01')`,
          )}`,
        );
        await sql(
          'production',
          `insert into accounts (id, customer_id, owner, balance) values ${list((id) => `(${id}, ${id}, 'Prodname Person${id}', 0)`)}`,
        );
        await sql(
          'production',
          `insert into postings (id, account_id, amount, memo) values ${list(
            (id) => `(${id * 2 - 1}, ${id}, ${id * 1000}, 'deposit'), (${id * 2}, ${id}, -${id}, 'fee')`,
          )}`,
        );
      }
    },
    async cleanup() {
      await Promise.all([...databases.values()].map((database) => database.drop()));
      project.cleanup();
    },
  };
}

/** Balances by account id, as text (bigint-safe on both dialects). */
export async function balances(project: DataProject, env: string): Promise<string[]> {
  const rows = await project.sql<{ id: unknown; balance: unknown }>(
    env,
    'select id, cast(balance as text) as balance from accounts order by id',
  );
  return rows.map((row) => `${row.id}:${row.balance}`);
}
