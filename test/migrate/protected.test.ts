/**
 * Protected environments (staging here): destructive migrations and every
 * rollback are refused without `--allow-destructive --reason`; an approved
 * run takes a backup first; refusals, approvals, backups and runs are all
 * in the audit log. The issue's "Done when" path, through the built CLI.
 */
import assert from 'node:assert/strict';
import { existsSync, statSync } from 'node:fs';
import { after, describe, test } from 'node:test';
import { DestructiveMigrationError, migrateUp } from '../../src/migrate/index.ts';
import {
  createTable,
  DIALECTS,
  json,
  type MigrateProject,
  makeMigrateProject,
  migration,
} from '../support/migrate-project.ts';

const DROP_LEGACY = migration(
  "await db.schema.alterTable('accounts').dropColumn('legacy').execute();",
  "await db.schema.alterTable('accounts').addColumn('legacy', 'text').execute();",
);
const ACCOUNTS = migration(
  "await db.schema.createTable('accounts').addColumn('id', 'integer', (c) => c.primaryKey()).addColumn('legacy', 'text').execute();",
  "await db.schema.dropTable('accounts').execute();",
);

/** The issue's bypass: a raw DROP after a comment, in a migration that vouches for its raw SQL. */
const TIDY_DROP = migration(
  'await sql`-- tidy\\nDROP TABLE accounts`.execute(db);',
  undefined,
  "export const safe = 'only tidies up';",
);

/**
 * A migration that plans harmless and runs destructive: the plan's reads return no rows, so the drop
 * only happens for real. The second one also swallows the refusal.
 */
const DROP_WHEN_ROWS = migration(
  "const rows = await db.selectFrom('accounts').selectAll().execute();\n  if (rows.length > 0) await db.schema.dropTable('accounts').execute();",
);
const DROP_WHEN_ROWS_CAUGHT = migration(
  "const rows = await db.selectFrom('accounts').selectAll().execute();\n  if (rows.length > 0) await sql`drop table accounts`.execute(db).catch(() => undefined);",
  undefined,
  "export const safe = 'reads only';",
);

interface AuditRow {
  action: string;
  target: string;
  reason: string | null;
  outcome: string;
}

for (const dialect of DIALECTS) {
  describe(`migrations in a protected environment (${dialect})`, { concurrency: 4 }, () => {
    const projects: MigrateProject[] = [];
    const project = async (files: Record<string, string>) => {
      const made = await makeMigrateProject(dialect, { environments: ['staging'], files });
      projects.push(made);
      return made;
    };
    after(() => Promise.all(projects.map((p) => p.cleanup())));
    const audit = async (p: MigrateProject) =>
      (json(await p.cli(['audit', 'list', '--env', 'staging', '--json'])) as { events: AuditRow[] }).events;
    const columns = async (p: MigrateProject) =>
      dialect === 'postgres'
        ? (
            await p.sql<{ name: string }>(
              'staging',
              "select column_name as name from information_schema.columns where table_name = 'accounts' order by 1",
            )
          ).map((row) => row.name)
        : (await p.sql<{ name: string }>('staging', "select name from pragma_table_info('accounts') order by 1")).map(
            (row) => row.name,
          );

    test('up refuses a drop-column migration with exit 3, naming migration and statement and how to approve', async () => {
      const p = await project({ 'migrations/001_accounts.ts': ACCOUNTS, 'migrations/002_drop_legacy.ts': DROP_LEGACY });
      const plan = await p.cli(['migrate', 'plan', '--env', 'staging']);
      assert.match(plan.stdout, /002_drop_legacy {2}DESTRUCTIVE/);
      const result = await p.cli(['migrate', 'up', '--env', 'staging']);
      assert.equal(result.code, 3);
      assert.match(
        result.stderr,
        /error\[EW_DESTRUCTIVE_MIGRATION\]: Migration 002_drop_legacy is destructive \(drops column accounts\.legacy\): alter table "accounts" drop column "legacy"\. staging is protected; nothing was run\./,
      );
      assert.match(result.stderr, /hint: .*--allow-destructive --reason "\.\.\."/);
      assert.deepEqual(await p.applied('staging'), []);
      assert.deepEqual(await p.tables('staging'), []);
      const refusal = (await audit(p)).at(-1);
      assert.equal(refusal?.action, 'migrate.up');
      assert.equal(refusal?.outcome, 'refused');
      assert.match(refusal?.target ?? '', /002_drop_legacy/);
    });

    test('with --allow-destructive --reason the migration runs after a backup, and the audit log shows it', async () => {
      const p = await project({ 'migrations/001_accounts.ts': ACCOUNTS, 'migrations/002_drop_legacy.ts': DROP_LEGACY });
      const result = await p.cli([
        'migrate',
        'up',
        '--env',
        'staging',
        '--allow-destructive',
        '--reason',
        'legacy column unused since v2, CHG-1234',
        '--json',
      ]);
      assert.equal(result.code, 0, result.stderr);
      const output = json(result) as { applied: string[]; backup: string };
      assert.deepEqual(output.applied, ['001_accounts', '002_drop_legacy']);
      assert.ok(
        output.backup.startsWith(`${p.dir}/var/staging/backups/`) &&
          output.backup.endsWith(dialect === 'sqlite' ? '.db' : '.dump'),
        output.backup,
      );
      assert.ok(existsSync(output.backup) && statSync(output.backup).size > 0);
      assert.match(result.stderr, /warning: backup before migrating: /);
      assert.deepEqual(await columns(p), ['id']);
      const events = await audit(p);
      const approval = events.find((event) => event.action === 'migrate.allow-destructive');
      assert.deepEqual(
        { target: approval?.target, reason: approval?.reason, outcome: approval?.outcome },
        { target: '002_drop_legacy', reason: 'legacy column unused since v2, CHG-1234', outcome: 'allowed' },
      );
      assert.equal(events.find((event) => event.action === 'migrate.backup')?.target, output.backup);
      const run = events.find((event) => event.action === 'migrate.up');
      assert.deepEqual([run?.target, run?.outcome], ['001_accounts, 002_drop_legacy', 'done']);
      const listed = await p.cli(['audit', 'list', '--env', 'staging']);
      assert.match(listed.stdout, /migrate\.allow-destructive 002_drop_legacy -> allowed\n\s+reason: legacy column/);
    });

    test('the backup holds the database as it was before the migration', async () => {
      const p = await project({ 'migrations/001_accounts.ts': ACCOUNTS });
      await p.cli(['migrate', 'up', '--env', 'staging']);
      await p.sql('staging', "insert into accounts (id, legacy) values (1, 'kept')");
      p.write('migrations/002_drop_legacy.ts', DROP_LEGACY);
      const result = await p.cli([
        'migrate',
        'up',
        '--env',
        'staging',
        '--allow-destructive',
        '--reason',
        'r',
        '--json',
      ]);
      const { backup } = json(result) as { backup: string };
      if (dialect === 'sqlite') {
        const { default: Database } = await import('better-sqlite3');
        const copy = new Database(backup, { readonly: true });
        assert.deepEqual(copy.prepare('select id, legacy from accounts').all(), [{ id: 1, legacy: 'kept' }]);
        copy.close();
      } else {
        const { execFileSync } = await import('node:child_process');
        const listing = execFileSync('pg_restore', ['--data-only', '--table=accounts', '--file=-', backup], {
          encoding: 'utf8',
        });
        assert.match(listing, /COPY public\.accounts \(id, legacy\) FROM stdin;\n1\tkept\n/);
      }
    });

    test('--allow-destructive without --reason is a usage error, and nothing runs', async () => {
      const p = await project({ 'migrations/001_accounts.ts': ACCOUNTS });
      const result = await p.cli(['migrate', 'up', '--env', 'staging', '--allow-destructive']);
      assert.equal(result.code, 2);
      assert.match(result.stderr, /error\[EW_USAGE\]: --allow-destructive needs --reason/);
      assert.deepEqual(await p.applied('staging'), []);
    });

    test('--no-backup needs --reason, and with one skips the backup and audits that', async () => {
      const p = await project({ 'migrations/001_accounts.ts': ACCOUNTS });
      const refused = await p.cli(['migrate', 'up', '--env', 'staging', '--no-backup']);
      assert.equal(refused.code, 2);
      assert.match(refused.stderr, /error\[EW_USAGE\]: --no-backup needs --reason/);
      const result = await p.cli([
        'migrate',
        'up',
        '--env',
        'staging',
        '--no-backup',
        '--reason',
        'empty db',
        '--json',
      ]);
      assert.equal(result.code, 0, result.stderr);
      assert.deepEqual(json(result), { environment: 'staging', applied: ['001_accounts'] });
      assert.equal(existsSync(`${p.dir}/var/staging/backups`), false);
      const skipped = (await audit(p)).find((event) => event.action === 'migrate.no-backup');
      assert.deepEqual([skipped?.reason, skipped?.outcome], ['empty db', 'allowed']);
    });

    if (dialect === 'postgres') {
      test('without pg_dump, up in staging fails with EW_PG_CLIENT_MISSING naming the Debian package, and applies nothing', async () => {
        const p = await project({ 'migrations/001_accounts.ts': ACCOUNTS });
        const result = await p.cli(['migrate', 'up', '--env', 'staging'], { env: { PATH: '/nonexistent' } });
        assert.equal(result.code, 2);
        assert.match(
          result.stderr,
          /error\[EW_PG_CLIENT_MISSING\]: pg_dump is not on this host's PATH: install the Debian package postgresql-client \(pg_dump \d+ or newer\)/,
        );
        assert.match(result.stderr, /hint: .*--no-backup --reason/);
        assert.deepEqual(await p.applied('staging'), []);
      });
    }

    test('a raw DROP after a comment is refused in staging although the migration is marked safe', async () => {
      const p = await project({ 'migrations/001_accounts.ts': ACCOUNTS });
      await migrateUp(await p.open('staging'));
      p.write('migrations/002_tidy.ts', TIDY_DROP);
      await assert.rejects(
        migrateUp(await p.open('staging')),
        (error: unknown) =>
          error instanceof DestructiveMigrationError &&
          /Migration 002_tidy is destructive \(raw SQL: drop table accounts\)/.test(error.message),
      );
      assert.deepEqual(await p.tables('staging'), ['accounts']);
      assert.deepEqual(await p.applied('staging'), ['001_accounts']);
    });

    test('migrate up of a comment-prefixed raw DROP marked safe exits 3 in staging and drops nothing', async () => {
      const p = await project({ 'migrations/001_accounts.ts': ACCOUNTS, 'migrations/002_tidy.ts': TIDY_DROP });
      const result = await p.cli(['migrate', 'up', '--env', 'staging']);
      assert.equal(result.code, 3, result.stderr);
      assert.match(
        result.stderr,
        /error\[EW_DESTRUCTIVE_MIGRATION\]: Migration 002_tidy is destructive \(raw SQL: drop table accounts\)/,
      );
      assert.deepEqual(await p.applied('staging'), []);
      assert.deepEqual(await p.tables('staging'), []);
    });

    for (const [label, source] of [
      ['', DROP_WHEN_ROWS],
      [', even when the migration catches the refusal', DROP_WHEN_ROWS_CAUGHT],
    ] as const) {
      test(`a destructive statement the plan did not show is refused as it runs${label}`, async () => {
        const p = await project({ 'migrations/001_accounts.ts': ACCOUNTS });
        await migrateUp(await p.open('staging'));
        await p.sql('staging', 'insert into accounts (id) values (1)');
        p.write('migrations/002_branch.ts', source);
        const plan = await p.cli(['migrate', 'plan', '--env', 'staging']);
        assert.doesNotMatch(plan.stdout, /DESTRUCTIVE/, 'the plan sees empty tables');
        const result = await p.cli(['migrate', 'up', '--env', 'staging']);
        assert.equal(result.code, 3, result.stderr);
        assert.match(
          result.stderr,
          /error\[EW_DESTRUCTIVE_MIGRATION\]: Migration 002_branch is destructive \(.*drop.*the plan did not show it/i,
        );
        assert.deepEqual(await p.tables('staging'), ['accounts']);
        assert.deepEqual(await p.applied('staging'), ['001_accounts']);
        assert.equal(
          (await p.sql<{ n: number }>('staging', 'select count(*) as n from accounts'))[0]?.n.toString(),
          '1',
        );
        const refusal = (await audit(p)).at(-1);
        assert.equal(refusal?.action, 'migrate.up');
        assert.equal(refusal?.outcome, 'refused at 002_branch');
      });
    }

    test('a migration that destroys nothing runs in staging without approval, after a backup', async () => {
      const p = await project({ 'migrations/001_accounts.ts': ACCOUNTS });
      const result = await p.cli(['migrate', 'up', '--env', 'staging', '--json']);
      assert.equal(result.code, 0, result.stderr);
      const { backup } = json(result) as { backup: string };
      assert.ok(existsSync(backup));
      assert.deepEqual(await p.applied('staging'), ['001_accounts']);
    });

    test('down is refused in staging without approval, and rolls back with it', async () => {
      const p = await project({
        'migrations/001_accounts.ts': ACCOUNTS,
        'migrations/002_limits.ts': createTable('limits'),
      });
      await migrateUp(await p.open('staging'));
      const refused = await p.cli(['migrate', 'down', '--env', 'staging']);
      assert.equal(refused.code, 3);
      assert.match(
        refused.stderr,
        /error\[EW_DESTRUCTIVE_MIGRATION\]: Rolling back 002_limits is destructive \(drops table limits\): drop table "limits"\. staging is protected; nothing was run\./,
      );
      assert.deepEqual(await p.applied('staging'), ['001_accounts', '002_limits']);
      const result = await p.cli([
        'migrate',
        'down',
        '--env',
        'staging',
        '--allow-destructive',
        '--reason',
        'r',
        '--json',
      ]);
      assert.equal(result.code, 0, result.stderr);
      const output = json(result) as { rolledBack: string[]; backup: string };
      assert.deepEqual(output.rolledBack, ['002_limits']);
      assert.ok(existsSync(output.backup));
      assert.deepEqual(await p.applied('staging'), ['001_accounts']);
      assert.deepEqual(await p.tables('staging'), ['accounts']);
      const events = await audit(p);
      assert.deepEqual(
        events.filter((event) => event.action === 'migrate.down').map((event) => event.outcome),
        ['refused', 'done'],
      );
    });
  });
}
