/**
 * `migrate plan`: the statements `up` would run, per pending migration,
 * each flagged safe or destructive, without running anything.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { migrationPlan, type PlannedMigration } from '../../src/migrate/index.ts';
import { DIALECTS, json, type MigrateProject, makeMigrateProject, migration } from '../support/migrate-project.ts';

/** One migration per kind of statement: its body, and the reason the plan should give (undefined: safe). */
const CASES: readonly { name: string; what: string; up: string; why: RegExp | undefined; extra?: string }[] = [
  {
    name: 'drop_table',
    what: 'dropping a table',
    up: "await db.schema.dropTable('accounts').execute();",
    why: /drops table accounts/,
  },
  {
    name: 'drop_column',
    what: 'dropping a column',
    up: "await db.schema.alterTable('accounts').dropColumn('legacy').execute();",
    why: /drops column accounts\.legacy/,
  },
  {
    name: 'drop_index',
    what: 'dropping an index',
    up: "await db.schema.dropIndex('accounts_owner').execute();",
    why: /drops index accounts_owner/,
  },
  {
    name: 'drop_constraint',
    what: 'dropping a constraint',
    up: "await db.schema.alterTable('accounts').dropConstraint('accounts_owner_fk').execute();",
    why: /drops a constraint of accounts/,
  },
  {
    name: 'truncate',
    what: 'a truncate',
    up: 'await sql`truncate table accounts`.execute(db);',
    why: /raw SQL: truncate table accounts/,
  },
  {
    name: 'delete_all',
    what: 'a delete without where',
    up: "await db.deleteFrom('accounts').execute();",
    why: /deletes every row/,
  },
  {
    name: 'update_all',
    what: 'an update without where',
    up: "await db.updateTable('accounts').set({ label: 'x' }).execute();",
    why: /updates every row/,
  },
  {
    name: 'type_change',
    what: 'a column type change',
    up: "await db.schema.alterTable('accounts').alterColumn('label', (c) => c.setDataType('varchar(10)')).execute();",
    why: /changes the type of accounts\.label/,
  },
  {
    name: 'rename_column',
    what: 'renaming a column',
    up: "await db.schema.alterTable('accounts').renameColumn('label', 'title').execute();",
    why: /renames column accounts\.label/,
  },
  {
    name: 'rename_table',
    what: 'renaming a table',
    up: "await db.schema.alterTable('accounts').renameTo('ledger_accounts').execute();",
    why: /renames table accounts/,
  },
  {
    name: 'raw_unknown',
    what: 'raw SQL whose effect cannot be known',
    up: 'await sql`alter table accounts add column note text`.execute(db);',
    why: /raw SQL whose effect cannot be known/,
  },
  {
    name: 'raw_drop_marked_safe',
    what: 'a raw drop, even in a migration marked safe',
    up: 'await sql`drop table accounts`.execute(db);',
    why: /raw SQL: drop table accounts/,
    extra: "export const safe = 'the table is empty';",
  },
  {
    name: 'raw_drop_after_comment',
    what: 'a raw drop after a comment, in a migration marked safe',
    up: 'await sql`-- tidy\\nDROP TABLE accounts`.execute(db);',
    why: /raw SQL: drop table accounts/,
    extra: "export const safe = 'only tidies up';",
  },
  {
    name: 'raw_drop_in_block_comment_line',
    what: 'a raw delete without where after a block comment and a harmless statement',
    up: 'await sql`/* ; */ select 1; /* tidy */ DELETE /* all */ FROM accounts`.execute(db);',
    why: /raw SQL: delete from accounts/,
    extra: "export const safe = 'only tidies up';",
  },
  {
    name: 'create_table',
    what: 'creating a table',
    up: "await db.schema.createTable('limits').addColumn('id', 'integer', (c) => c.primaryKey()).execute();",
    why: undefined,
  },
  {
    name: 'add_column',
    what: 'adding a column and an index',
    up: "await db.schema.alterTable('accounts').addColumn('note', 'text').execute();\n  await db.schema.createIndex('accounts_note').on('accounts').column('note').execute();",
    why: undefined,
  },
  {
    name: 'delete_where',
    what: 'a delete or update with a where clause',
    up: "await db.deleteFrom('accounts').where('id', '=', 1).execute();\n  await db.updateTable('accounts').set({ label: 'x' }).where('id', '=', 2).execute();",
    why: undefined,
  },
  {
    name: 'raw_create',
    what: 'raw SQL that plainly creates',
    up: 'await sql`create index accounts_label on accounts (label)`.execute(db);',
    why: undefined,
  },
  {
    name: 'raw_literal_drop',
    what: "raw SQL with ';drop' inside a string literal",
    up: "await sql`insert into accounts (label) values (';drop table accounts; --')`.execute(db);",
    why: undefined,
  },
];

for (const dialect of DIALECTS) {
  describe(`migrate plan (${dialect})`, () => {
    let p: MigrateProject;
    let plans: PlannedMigration[];
    before(async () => {
      const files: Record<string, string> = {};
      for (const [index, c] of CASES.entries()) {
        files[`migrations/${String(index + 1).padStart(3, '0')}_${c.name}.ts`] = migration(c.up, undefined, c.extra);
      }
      files['migrations/100_raw_marked_safe.ts'] = migration(
        'await sql`alter table accounts add column note text`.execute(db);',
        undefined,
        "export const safe = 'adds a nullable column';",
      );
      p = await makeMigrateProject(dialect, { files });
      plans = await migrationPlan(await p.open());
    });
    after(() => p.cleanup());

    for (const [index, c] of CASES.entries()) {
      const name = `${String(index + 1).padStart(3, '0')}_${c.name}`;
      test(`${c.what} is flagged ${c.why ? 'destructive' : 'safe'}`, () => {
        const plan = plans.find((candidate) => candidate.name === name);
        assert.ok(plan, `no plan for ${name}`);
        assert.ok(plan.statements.length > 0);
        assert.equal(plan.destructive, c.why !== undefined);
        for (const statement of plan.statements) {
          assert.equal(statement.destructive, c.why !== undefined, statement.sql);
          if (c.why) assert.match(statement.why ?? '', c.why);
        }
      });
    }

    test('raw SQL envward cannot judge is safe when the migration exports a safe reason', () => {
      const plan = plans.find((candidate) => candidate.name === '100_raw_marked_safe');
      assert.deepEqual(plan?.statements, [
        {
          sql: 'alter table accounts add column note text',
          destructive: false,
          why: 'raw SQL marked safe: adds a nullable column',
        },
      ]);
    });

    test('planning runs nothing: no table is made and nothing is recorded', async () => {
      assert.deepEqual(await p.tables(), []);
      assert.deepEqual(await p.applied(), []);
    });

    test('migrate plan prints every pending statement flagged safe or destructive', async () => {
      const result = await p.cli(['migrate', 'plan']);
      assert.equal(result.code, 0, result.stderr);
      assert.match(
        result.stdout,
        /^002_drop_column {2}DESTRUCTIVE\n {2}destructive {2}alter table "accounts" drop column "legacy"\n {15}\(drops column accounts\.legacy\)$/m,
      );
      assert.match(
        result.stdout,
        /^015_create_table\n {2}safe {9}create table "limits" \("id" integer primary key\)$/m,
      );
      const listed = json(await p.cli(['migrate', 'plan', '--json'])) as { migrations: PlannedMigration[] };
      assert.deepEqual(
        listed.migrations.map((plan) => plan.name),
        plans.map((plan) => plan.name),
      );
      assert.deepEqual(await p.applied(), []);
    });
  });
}
