/**
 * Ordered migrations, per-environment paths, and the history they leave:
 * what is recorded, how status compares it with the files (set membership,
 * checksums that ignore line endings, changed and missing files), and the
 * refusal of two migrations with one order number before anything runs.
 */
import assert from 'node:assert/strict';
import { hostname, userInfo } from 'node:os';
import { after, describe, test } from 'node:test';
import { migrateUp, migrationStatus } from '../../src/migrate/index.ts';
import {
  createTable,
  DIALECTS,
  json,
  type MigrateProject,
  makeMigrateProject,
  migration,
  rejection,
} from '../support/migrate-project.ts';

for (const dialect of DIALECTS) {
  describe(`migration history (${dialect})`, { concurrency: 4 }, () => {
    const projects: MigrateProject[] = [];
    const project = async (options: Parameters<typeof makeMigrateProject>[1]) => {
      const made = await makeMigrateProject(dialect, options);
      projects.push(made);
      return made;
    };
    after(() => Promise.all(projects.map((p) => p.cleanup())));

    test('pending migrations run in the order of their numbers, not of their names or creation', async () => {
      const p = await project({
        files: {
          'migrations/010_c.ts': migration("await db.insertInto('log').values({ id: 3, label: 'c' }).execute();"),
          'migrations/002_b.ts': migration("await db.insertInto('log').values({ id: 2, label: 'b' }).execute();"),
          'migrations/001_a.ts': createTable('log'),
          'migrations/9_d.ts': migration("await db.insertInto('log').values({ id: 1, label: 'd' }).execute();"),
        },
      });
      const store = await p.open();
      const result = await migrateUp(store);
      assert.deepEqual(result.applied, ['001_a', '002_b', '9_d', '010_c']);
    });

    test('status on a database never migrated reads only: everything pending, no history table made', async () => {
      const p = await project({ files: { 'migrations/001_accounts.ts': createTable('accounts') } });
      const status = await migrationStatus(await p.open());
      assert.deepEqual(status.pending, ['001_accounts']);
      const history =
        dialect === 'postgres'
          ? "select table_name as name from information_schema.tables where table_name in ('envward_migrations', 'envward_seeds')"
          : "select name from sqlite_master where name in ('envward_migrations', 'envward_seeds')";
      assert.deepEqual(await p.sql('development', history), [], 'neither envward_migrations nor envward_seeds exists');
    });

    test('a migration under migrations/<env>/ runs only in that environment', async () => {
      const p = await project({
        environments: ['development', 'test'],
        files: {
          'migrations/001_accounts.ts': createTable('accounts'),
          'migrations/test/002_fixture_table.ts': createTable('fixtures'),
          'migrations/003_limits.ts': createTable('limits'),
        },
      });
      const inTest = await migrateUp(await p.open('test'));
      const inDevelopment = await migrateUp(await p.open('development'));
      assert.deepEqual(inTest.applied, ['001_accounts', 'test/002_fixture_table', '003_limits']);
      assert.deepEqual(inDevelopment.applied, ['001_accounts', '003_limits']);
      assert.deepEqual(await p.tables('development'), ['accounts', 'limits']);
      assert.deepEqual(await p.tables('test'), ['accounts', 'fixtures', 'limits']);
    });

    test('each applied migration is recorded with name, checksum, time, duration, actor, host and environment', async () => {
      const p = await project({ files: { 'migrations/001_accounts.ts': createTable('accounts') } });
      const before = new Date().toISOString();
      await migrateUp(await p.open());
      const [record, ...rest] = (await migrationStatus(await p.open())).applied;
      assert.equal(rest.length, 0);
      assert.ok(record);
      assert.equal(record.name, '001_accounts');
      assert.match(record.checksum, /^v1:[0-9a-f]{64}$/);
      assert.ok(record.applied_at >= before && record.applied_at <= new Date().toISOString(), record.applied_at);
      assert.ok(Number(record.duration_ms) >= 0);
      assert.equal(record.actor, userInfo().username);
      assert.equal(record.host, hostname());
      assert.equal(record.environment, 'development');
    });

    test('migrate status --json lists applied and pending migrations', async () => {
      const p = await project({
        files: { 'migrations/001_accounts.ts': createTable('accounts'), 'migrations/002_limits.ts': createTable('x') },
      });
      await p.cli(['migrate', 'up']);
      p.write('migrations/003_more.ts', createTable('more'));
      const result = await p.cli(['migrate', 'status', '--json']);
      assert.equal(result.code, 0, result.stderr);
      const status = json(result) as { applied: { name: string }[]; pending: string[]; changed: []; missing: [] };
      assert.deepEqual(
        status.applied.map((r) => r.name),
        ['001_accounts', '002_limits'],
      );
      assert.deepEqual(status.pending, ['003_more']);
      assert.deepEqual([status.changed, status.missing], [[], []]);
    });

    test('a migration with a lower number added after later ones ran is still pending, and up applies it', async () => {
      const p = await project({
        files: { 'migrations/001_a.ts': createTable('a'), 'migrations/003_c.ts': createTable('c') },
      });
      await migrateUp(await p.open());
      p.write('migrations/002_b.ts', createTable('b'));
      assert.deepEqual((await migrationStatus(await p.open())).pending, ['002_b']);
      assert.deepEqual((await migrateUp(await p.open())).applied, ['002_b']);
      assert.deepEqual(await p.tables(), ['a', 'b', 'c']);
    });

    test('editing an applied migration makes status fail with EW_MIGRATION_CHECKSUM and exit 1', async () => {
      const p = await project({ files: { 'migrations/001_accounts.ts': createTable('accounts') } });
      await p.cli(['migrate', 'up']);
      p.write('migrations/001_accounts.ts', createTable('accounts_renamed'));
      const text = await p.cli(['migrate', 'status']);
      assert.equal(text.code, 1);
      assert.match(text.stdout, /001_accounts .*CHANGED since applied \(EW_MIGRATION_CHECKSUM\)/);
      const result = await p.cli(['migrate', 'status', '--json']);
      assert.equal(result.code, 1);
      const status = json(result) as { changed: string[]; error: { code: string } };
      assert.deepEqual(status.changed, ['001_accounts']);
      assert.equal(status.error.code, 'EW_MIGRATION_CHECKSUM');
    });

    test('up refuses to run while an applied migration was edited, and applies nothing', async () => {
      const p = await project({ files: { 'migrations/001_accounts.ts': createTable('accounts') } });
      await migrateUp(await p.open());
      p.write('migrations/001_accounts.ts', `${createTable('accounts')}\n// edited\n`);
      p.write('migrations/002_limits.ts', createTable('limits'));
      const result = await p.cli(['migrate', 'up']);
      assert.equal(result.code, 1);
      assert.match(result.stderr, /error\[EW_MIGRATION_CHECKSUM\]: .*changed since applied: 001_accounts/);
      assert.deepEqual(await p.applied(), ['001_accounts']);
    });

    test('an applied migration missing from disk is reported by status', async () => {
      const p = await project({
        files: { 'migrations/001_accounts.ts': createTable('accounts'), 'migrations/002_limits.ts': createTable('x') },
      });
      await migrateUp(await p.open());
      p.remove('migrations/002_limits.ts');
      const result = await p.cli(['migrate', 'status', '--json']);
      assert.equal(result.code, 1);
      assert.deepEqual((json(result) as { missing: string[] }).missing, ['002_limits']);
      const error = await rejection(migrateUp(await p.open()));
      assert.equal(error.code, 'EW_MIGRATION_CHECKSUM');
      assert.match(error.message, /applied but missing from disk: 002_limits/);
    });

    test('a migration checked out with CRLF line endings has the checksum it had with LF', async () => {
      const p = await project({ files: { 'migrations/001_accounts.ts': createTable('accounts') } });
      await migrateUp(await p.open());
      const recorded = (await migrationStatus(await p.open())).applied[0]?.checksum;
      p.write('migrations/001_accounts.ts', `\uFEFF${createTable('accounts').replace(/\n/g, '\r\n')}`);
      const status = await migrationStatus(await p.open());
      assert.deepEqual(status.changed, []);
      assert.ok(recorded);
      const other = await project({
        files: { 'migrations/001_accounts.ts': createTable('accounts').replace(/\n/g, '\r\n') },
      });
      await migrateUp(await other.open());
      assert.equal((await migrationStatus(await other.open())).applied[0]?.checksum, recorded);
    });

    test('two migrations with one order number are refused with EW_MIGRATION_ORDER before anything runs', async () => {
      const p = await project({
        files: {
          'migrations/001_accounts.ts': createTable('accounts'),
          'migrations/002_limits.ts': createTable('limits'),
          'migrations/002_fees.ts': createTable('fees'),
        },
      });
      const result = await p.cli(['migrate', 'up']);
      assert.equal(result.code, 1);
      assert.match(
        result.stderr,
        /error\[EW_MIGRATION_ORDER\]: two migrations share an order number: migrations\/002_(limits|fees)\.ts, migrations\/002_(fees|limits)\.ts\. Nothing was run\./,
      );
      assert.deepEqual(await p.tables(), []);
    });

    test("an environment's migration that shares a number with a common one is refused in that environment", async () => {
      const p = await project({
        environments: ['test'],
        files: {
          'migrations/001_accounts.ts': createTable('accounts'),
          'migrations/test/001_fixtures.ts': createTable('fixtures'),
        },
      });
      const error = await rejection(migrateUp(await p.open('test')));
      assert.equal(error.code, 'EW_MIGRATION_ORDER');
      assert.match(error.message, /migrations\/001_accounts\.ts, migrations\/test\/001_fixtures\.ts/);
      assert.deepEqual(await p.tables('test'), []);
    });
  });
}
