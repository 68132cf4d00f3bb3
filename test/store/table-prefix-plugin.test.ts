/**
 * What the table-prefix plugin does to the SQL of each query shape, compiled
 * for both dialects without a database: tables and references to them get
 * the prefix; aliases, CTE names and columns do not.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  DummyDriver,
  Kysely,
  PostgresAdapter,
  PostgresIntrospector,
  PostgresQueryCompiler,
  SqliteAdapter,
  SqliteIntrospector,
  SqliteQueryCompiler,
  sql,
} from 'kysely';
import { TablePrefixPlugin } from '../../src/store/table-prefix-plugin.ts';
import { DIALECTS } from '../support/store-project.ts';

interface Bank {
  accounts: { id: string; owner: string };
  entries: { id: string; account_id: string; amount: number };
}

function compilerFor(dialect: (typeof DIALECTS)[number]): Kysely<Bank> {
  const postgres = dialect === 'postgres';
  return new Kysely<Bank>({
    dialect: {
      createAdapter: () => (postgres ? new PostgresAdapter() : new SqliteAdapter()),
      createDriver: () => new DummyDriver(),
      createIntrospector: (db) => (postgres ? new PostgresIntrospector(db) : new SqliteIntrospector(db)),
      createQueryCompiler: () => (postgres ? new PostgresQueryCompiler() : new SqliteQueryCompiler()),
    },
    plugins: [new TablePrefixPlugin('stg_')],
  });
}

for (const dialect of DIALECTS) {
  describe(`table prefix plugin, SQL for ${dialect}`, () => {
    const db = compilerFor(dialect);

    test('tables in from, join and references get the prefix; an alias and its references do not', () => {
      const query = db
        .selectFrom('accounts as a')
        .innerJoin('entries', 'entries.account_id', 'a.id')
        .select(['a.owner', 'entries.amount'])
        .compile();
      assert.equal(
        query.sql,
        'select "a"."owner", "stg_entries"."amount" from "stg_accounts" as "a" inner join "stg_entries" on "stg_entries"."account_id" = "a"."id"',
      );
    });

    test("a correlated subquery's reference to the outer table gets the prefix", () => {
      const query = db
        .selectFrom('accounts')
        .select('owner')
        .where(({ exists, selectFrom }) =>
          exists(selectFrom('entries').select('id').whereRef('entries.account_id', '=', 'accounts.id')),
        )
        .compile();
      assert.equal(
        query.sql,
        'select "owner" from "stg_accounts" where exists (select "id" from "stg_entries" where "stg_entries"."account_id" = "stg_accounts"."id")',
      );
    });

    test('a CTE keeps its name; the tables in its body get the prefix', () => {
      const query = db
        .with('big', (qb) => qb.selectFrom('entries').select('id').where('amount', '>', 10))
        .selectFrom('big')
        .select('big.id')
        .compile();
      assert.equal(
        query.sql,
        `with "big" as (select "id" from "stg_entries" where "amount" > ${dialect === 'postgres' ? '$1' : '?'}) select "big"."id" from "big"`,
      );
    });

    test('insert, update and delete name the prefixed table', () => {
      assert.match(
        db.insertInto('accounts').values({ id: 'x', owner: 'y' }).compile().sql,
        /^insert into "stg_accounts" /,
      );
      assert.match(db.updateTable('accounts').set({ owner: 'z' }).compile().sql, /^update "stg_accounts" set/);
      assert.match(db.deleteFrom('entries').compile().sql, /^delete from "stg_entries"$/);
    });

    test('DDL: the table, its new name, its foreign keys and its indexes get the prefix', () => {
      const create = db.schema
        .createTable('entries')
        .addColumn('account_id', 'text', (column) => column.references('accounts.id'))
        .compile();
      assert.match(create.sql, /^create table "stg_entries" \("account_id" text references "stg_accounts" \("id"\)\)$/);
      assert.equal(
        db.schema.alterTable('accounts').renameTo('customers').compile().sql,
        'alter table "stg_accounts" rename to "stg_customers"',
      );
      assert.equal(
        db.schema.createIndex('idx_owner').on('accounts').column('owner').compile().sql,
        'create index "stg_idx_owner" on "stg_accounts" ("owner")',
      );
      assert.match(db.schema.dropIndex('idx_owner').compile().sql, /^drop index "stg_idx_owner"/);
      assert.equal(db.schema.dropTable('accounts').compile().sql, 'drop table "stg_accounts"');
    });

    test('raw SQL: sql.table() gets the prefix, a table named in the SQL text does not', () => {
      const query = sql`select count(*) from ${sql.table('accounts')} join entries on true`.compile(db);
      assert.equal(query.sql, 'select count(*) from "stg_accounts" join entries on true');
    });
  });
}
