/**
 * Environments sharing one database server: each in its own PostgreSQL
 * schema (`database.schema`, the connection's search_path) or behind its own
 * table prefix (`database.tablePrefix`, the Kysely plugin), with its own
 * stamp, its own audit chain and its own tables, none of which the other
 * sees. Schemas are PostgreSQL's; prefixes are tried on both dialects.
 */
import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { type Kysely, sql } from 'kysely';
import type { Store } from '../../src/store/index.ts';
import { DIALECTS, makeStoreProject, type StoreProject } from '../support/store-project.ts';

interface Bank {
  accounts: { id: string; owner: string };
}

/** Makes `accounts` (with an index) and one row in it, through the application's plain names. */
async function createAccounts(store: Store<Bank>, owner: string): Promise<void> {
  await store.db.schema
    .createTable('accounts')
    .addColumn('id', 'text', (column) => column.primaryKey())
    .addColumn('owner', 'text', (column) => column.notNull())
    .execute();
  await store.db.schema.createIndex('idx_accounts_owner').on('accounts').column('owner').execute();
  await store.db
    .insertInto('accounts')
    .values({ id: store.ids.next('acct'), owner })
    .execute();
}

const owners = async (db: Kysely<Bank>) =>
  (await db.selectFrom('accounts').select('owner').execute()).map((row) => row.owner);

/**
 * Two environments of one project and one tier on one database, each stamped
 * through `db stamp`: staging, and qa (staging tier), whose sharing staging
 * declares (protected tiers never share a database undeclared, nor mix).
 */
async function twoEnvironments(project: StoreProject) {
  for (const env of ['staging', 'qa']) await (await project.open(env, { stampMode: 'stamp' })).close();
  const staging = (await project.open('staging')) as unknown as Store<Bank>;
  const production = (await project.open('qa')) as unknown as Store<Bank>;
  return { staging, production };
}

describe('one PostgreSQL database, a schema per environment', { concurrency: true }, () => {
  const projects: StoreProject[] = [];
  const fresh = async () => {
    const project = await makeStoreProject('postgres', {
      settings: { staging: 'database:\n  schema: stg\n  shareWith: [qa]\n', qa: 'database:\n  schema: prd\n' },
    });
    projects.push(project);
    return project;
  };
  after(() => Promise.all(projects.map((project) => project.cleanup())));

  test("each environment has its own stamp and audit chain, and neither sees the other's tables", async () => {
    const project = await fresh();
    const { staging, production } = await twoEnvironments(project);
    assert.equal(staging.stamp?.environment, 'staging');
    assert.equal(production.stamp?.environment, 'qa');

    await createAccounts(staging, 'staging-owner');
    await assert.rejects(owners(production.db), { code: '42P01' }, "production does not see staging's accounts");
    await createAccounts(production, 'production-owner');
    assert.deepEqual(await owners(staging.db), ['staging-owner']);
    assert.deepEqual(await owners(production.db), ['production-owner']);

    // Raw SQL follows the schema too: search_path is the connection's.
    const schema = await sql<{ schema: string }>`select current_schema() as schema`.execute(production.db);
    assert.equal(schema.rows[0]?.schema, 'prd');

    await production.audit.append({ action: 'test.event', target: 'prd', outcome: 'done' });
    assert.deepEqual(
      (await staging.audit.list()).map((row) => [row.action, row.environment]),
      [
        ['db.stamp', 'staging'],
        ['db.share', 'staging'],
      ],
    );
    assert.deepEqual(
      (await production.audit.list()).map((row) => [row.action, row.environment]),
      [
        ['db.stamp', 'qa'],
        ['db.share', 'qa'],
        ['test.event', 'qa'],
      ],
    );
    assert.equal((await staging.audit.verify()).ok, true);
    assert.equal((await production.audit.verify()).ok, true);

    const tables = await project.sql<{ place: string }>(
      `select table_schema || '.' || table_name as place from information_schema.tables
       where table_schema in ('stg', 'prd', 'public') order by 1`,
    );
    assert.deepEqual(
      tables.map((row) => row.place),
      [
        'prd.accounts',
        'prd.envward_audit',
        'prd.envward_stamp',
        'stg.accounts',
        'stg.envward_audit',
        'stg.envward_stamp',
      ],
    );
  });

  test('an environment without a schema of its own still meets the stamp of the one that owns the database', async () => {
    const project = await fresh();
    await (
      await project.open('production', { stampMode: 'stamp', resolve: { set: { 'database.schema': 'prd' } } })
    ).close();
    // development has no schema setting: it would land in public, beside production's prd: refused, naming production.
    await assert.rejects(project.open('development'), { code: 'EW_SHARED_DATABASE', message: /production/ });
    // qa (staging tier) sets schema prd by mistake: refused, naming production.
    await assert.rejects(project.open('qa', { resolve: { set: { 'database.schema': 'prd' } } }), {
      code: 'EW_ENV_MISMATCH',
      message: /runs as qa, but .* belongs to production/,
    });
  });

  test('a schema name that is not a plain lower-case name is refused before anything is sent', async () => {
    const project = await fresh();
    await assert.rejects(
      project.open('development', { resolve: { set: { 'database.schema': 'x"; drop schema y' } } }),
      {
        code: 'EW_CONFIG_INVALID',
        message: /database\.schema \[development\] at explicit: a PostgreSQL schema here is a plain lower-case name/,
      },
    );
  });
});

for (const dialect of DIALECTS) {
  describe(`one ${dialect} database, a table prefix per environment`, { concurrency: true }, () => {
    const projects: StoreProject[] = [];
    after(() => Promise.all(projects.map((project) => project.cleanup())));

    test("each environment has its own stamp and audit chain, and neither sees the other's tables", async () => {
      const project = await makeStoreProject(dialect, {
        settings: {
          staging: 'database:\n  tablePrefix: stg_\n  shareWith: [qa]\n',
          qa: 'database:\n  tablePrefix: prd_\n',
        },
      });
      projects.push(project);
      const { staging, production } = await twoEnvironments(project);
      assert.equal(staging.stamp?.environment, 'staging');
      assert.equal(production.stamp?.environment, 'qa');

      await createAccounts(staging, 'staging-owner');
      await assert.rejects(owners(production.db), "production does not see staging's accounts");
      await createAccounts(production, 'production-owner');
      assert.deepEqual(await owners(staging.db), ['staging-owner']);
      assert.deepEqual(await owners(production.db), ['production-owner']);

      await production.audit.append({ action: 'test.event', target: 'prd', outcome: 'done' });
      assert.equal((await staging.audit.list()).length, 2, 'db.stamp, db.share');
      assert.equal((await production.audit.list()).length, 3, 'db.stamp, db.share, test.event');
      assert.equal((await staging.audit.verify()).ok, true);
      assert.equal((await production.audit.verify()).ok, true);

      const tables =
        dialect === 'sqlite'
          ? await project.sql<{ name: string }>(
              "select name from sqlite_master where type in ('table', 'index') and name not like 'sqlite_%' order by name",
            )
          : await project.sql<{ name: string }>(
              `select relname as name from pg_class where relnamespace = 'public'::regnamespace
               and relkind in ('r', 'i') and relname not like '%_pkey' order by relname`,
            );
      assert.deepEqual(
        tables.map((row) => row.name).filter((name) => !name.startsWith('sqlite_autoindex')),
        [
          'prd_accounts',
          'prd_envward_audit',
          'prd_envward_stamp',
          'prd_idx_accounts_owner',
          'stg_accounts',
          'stg_envward_audit',
          'stg_envward_stamp',
          'stg_idx_accounts_owner',
        ],
        'every table and index name carries its environment prefix',
      );
    });

    test('application queries with aliases, joins, subqueries and CTEs run unchanged behind a prefix', async () => {
      const project = await makeStoreProject(dialect, {
        settings: { development: 'database:\n  tablePrefix: dev_\n' },
      });
      projects.push(project);
      interface Ledger extends Bank {
        entries: { id: string; account_id: string; amount: number };
      }
      const store = (await project.open('development')) as unknown as Store<Ledger>;
      await createAccounts(store as unknown as Store<Bank>, 'ann');
      await store.db.schema
        .createTable('entries')
        .addColumn('id', 'text', (column) => column.primaryKey())
        .addColumn('account_id', 'text', (column) => column.references('accounts.id'))
        .addColumn('amount', 'integer', (column) => column.notNull())
        .execute();
      const account = await store.db.selectFrom('accounts').select('id').executeTakeFirstOrThrow();
      await store.db
        .insertInto('entries')
        .values([10, 20, 30].map((amount) => ({ id: store.ids.next('ent'), account_id: account.id, amount })))
        .execute();
      const joined = await store.db
        .selectFrom('accounts as a')
        .innerJoin('entries', 'entries.account_id', 'a.id')
        .select(['a.owner', (eb) => eb.fn.sum<number>('entries.amount').as('total')])
        .where('a.id', 'in', (eb) => eb.selectFrom('entries').select('entries.account_id'))
        .groupBy('a.owner')
        .execute();
      assert.deepEqual(
        joined.map((row) => [row.owner, Number(row.total)]),
        [['ann', 60]],
      );
      const big = await store.db
        .with('big', (db) => db.selectFrom('entries').select(['id', 'amount']).where('amount', '>', 15))
        .selectFrom('big')
        .select((eb) => eb.fn.countAll().as('n'))
        .executeTakeFirstOrThrow();
      assert.equal(Number(big.n), 2);
      await store.db.deleteFrom('entries').where('amount', '<', 15).execute();
      await store.db.updateTable('entries').set({ amount: 0 }).where('amount', '=', 20).execute();
      const left = await store.db.selectFrom('entries').select('amount').orderBy('amount').execute();
      assert.deepEqual(
        left.map((row) => row.amount),
        [0, 30],
      );
    });
  });
}
