/**
 * `envward db backup` and `envward db restore` through the built CLI, on
 * SQLite and on a real PostgreSQL: a round trip, the manifest, retention,
 * the backups `migrate up` takes, and the safety backup of a protected
 * environment. Run `npm run build` first.
 */
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { createTable, DIALECTS, json, type MigrateProject, makeMigrateProject } from '../support/migrate-project.ts';

/** Runs at once must be processes of their own to contend (test/support/run-cli.ts). */
const SPAWN = { ENVWARD_TEST_SPAWN: '1' };

const ACCOUNTS = createTable('accounts');

interface Manifest {
  format: string;
  environment: string;
  tier: string;
  project: string;
  dialect: string;
  stamp: { environment: string } | null;
  identity: string;
  migrationHead: string | null;
  migrations: string[];
  createdAt: string;
  file: string;
  bytes: number;
  sha256: string;
}

const manifestOf = (file: string) => JSON.parse(readFileSync(`${file}.manifest.json`, 'utf8')) as Manifest;

const listBackups = (p: MigrateProject, env: string) => {
  const dir = join(p.dir, 'var', env, 'backups');
  return existsSync(dir) ? readdirSync(dir).sort() : [];
};

for (const dialect of DIALECTS) {
  describe(`db backup and restore (${dialect})`, { concurrency: 4 }, () => {
    const projects: MigrateProject[] = [];
    after(() => Promise.all(projects.map((p) => p.cleanup())));
    const project = async (options: Parameters<typeof makeMigrateProject>[1] = {}) => {
      const p = await makeMigrateProject(dialect, {
        environments: ['staging'],
        files: { 'migrations/001_accounts.ts': ACCOUNTS },
        ...options,
      });
      projects.push(p);
      return p;
    };
    const migrated = async (options: Parameters<typeof makeMigrateProject>[1] = {}) => {
      const p = await project(options);
      const up = await p.cli(['migrate', 'up', '--env', 'staging', '--json']);
      assert.equal(up.code, 0, up.stderr);
      await p.sql('staging', "insert into accounts (id, label) values (1, 'before')");
      return p;
    };

    test('a backup written through the CLI has a manifest naming its environment, stamp, migrations and checksum', async () => {
      const p = await migrated();
      const result = await p.cli(['db', 'backup', '--env', 'staging', '--json']);
      assert.equal(result.code, 0, result.stderr);
      const out = json(result) as { file: string; manifest: Manifest; pruned: string[] };
      assert.ok(out.file.startsWith(join(p.dir, 'var/staging/backups/')), out.file);
      assert.match(out.file, /-manual\.(db|dump)$/);
      const manifest = manifestOf(out.file);
      assert.deepEqual(manifest, out.manifest);
      assert.equal(manifest.format, 'envward-backup/1');
      assert.deepEqual(
        [manifest.environment, manifest.tier, manifest.project, manifest.dialect],
        ['staging', 'staging', 'migrate-test', dialect],
      );
      assert.equal(manifest.stamp?.environment, 'staging');
      assert.deepEqual([manifest.migrationHead, manifest.migrations], ['001_accounts', ['001_accounts']]);
      assert.equal(manifest.file, out.file.split('/').at(-1));
      assert.match(manifest.sha256, /^[0-9a-f]{64}$/);
      assert.equal(manifest.bytes, readFileSync(out.file).length);
      assert.match(manifest.identity, dialect === 'sqlite' ? /^sqlite:/ : /^postgres:/);
      const events = (
        json(await p.cli(['audit', 'list', '--env', 'staging', '--json'])) as {
          events: { action: string; target: string }[];
        }
      ).events;
      assert.deepEqual(
        events.filter((e) => e.action === 'db.backup').map((e) => e.target),
        [out.file],
      );
    });

    test('a restore brings the data back, stamps the database for the environment, and the audit chain verifies', async () => {
      const p = await migrated();
      const backup = json(await p.cli(['db', 'backup', '--env', 'staging', '--json'])) as { file: string };
      await p.sql('staging', "update accounts set label = 'after' where id = 1");
      await p.sql('staging', "insert into accounts (id, label) values (2, 'later')");
      const restored = await p.cli(['db', 'restore', backup.file, '--env', 'staging', '--reason', 'INC-1', '--json']);
      assert.equal(restored.code, 0, restored.stderr);
      const out = json(restored) as { environment: string; restoredFrom: string; safetyBackup: string | null };
      assert.equal(out.restoredFrom, backup.file);
      assert.deepEqual(await p.sql('staging', 'select id, label from accounts order by id'), [
        { id: 1, label: 'before' },
      ]);
      assert.ok(out.safetyBackup?.includes('-before-restore.'), 'a protected environment is backed up first');
      assert.ok(existsSync(`${out.safetyBackup}.manifest.json`));
      const status = json(await p.cli(['db', 'status', '--env', 'staging', '--json'])) as {
        matches: boolean;
        sameDatabase: boolean;
      };
      assert.deepEqual([status.matches, status.sameDatabase], [true, true]);
      const verify = await p.cli(['audit', 'verify', '--env', 'staging']);
      assert.equal(verify.code, 0, verify.stdout + verify.stderr);
      const events = (
        json(await p.cli(['audit', 'list', '--env', 'staging', '--json'])) as {
          events: { action: string; target: string; reason?: string }[];
        }
      ).events;
      const restore = events.find((e) => e.action === 'db.restore');
      assert.equal(restore?.reason, 'INC-1');
      assert.ok(restore?.target.startsWith(backup.file));
    });

    test('tables of migrations newer than the backup do not survive the restore', async () => {
      const p = await migrated();
      const backup = json(await p.cli(['db', 'backup', '--env', 'staging', '--json'])) as { file: string };
      p.write('migrations/002_ledger.ts', createTable('ledger'));
      assert.equal((await p.cli(['migrate', 'up', '--env', 'staging'])).code, 0);
      assert.deepEqual(await p.tables('staging'), ['accounts', 'ledger']);
      const restored = await p.cli(['db', 'restore', backup.file, '--env', 'staging', '--reason', 'undo 002']);
      assert.equal(restored.code, 0, restored.stderr);
      assert.deepEqual(await p.tables('staging'), ['accounts']);
      assert.deepEqual(await p.applied('staging'), ['001_accounts']);
    });

    test('a backup holding a migration the code does not have is refused with exit 3 (EW_RESTORE_NEWER)', async () => {
      const p = await migrated();
      p.write('migrations/002_ledger.ts', createTable('ledger'));
      assert.equal((await p.cli(['migrate', 'up', '--env', 'staging'])).code, 0);
      const backup = json(await p.cli(['db', 'backup', '--env', 'staging', '--json'])) as { file: string };
      p.remove('migrations/002_ledger.ts');
      const restored = await p.cli(['db', 'restore', backup.file, '--env', 'staging', '--reason', 'x']);
      assert.equal(restored.code, 3, restored.stderr);
      assert.match(restored.stderr, /EW_RESTORE_NEWER/);
      assert.match(restored.stderr, /002_ledger/);
    });

    test("another environment's backup is refused with exit 3, naming data refresh", async () => {
      const p = await project({ environments: ['staging', 'production'] });
      for (const env of ['staging', 'production']) {
        assert.equal((await p.cli(['migrate', 'up', '--env', env])).code, 0);
      }
      const backup = json(await p.cli(['db', 'backup', '--env', 'staging', '--json'])) as { file: string };
      const before = listBackups(p, 'production');
      const restored = await p.cli(['db', 'restore', backup.file, '--env', 'production', '--reason', 'x']);
      assert.equal(restored.code, 3, restored.stderr);
      assert.match(restored.stderr, /EW_RESTORE_OTHER_ENVIRONMENT/);
      assert.match(restored.stderr, /envward data refresh --from staging --to production --reason/);
      assert.deepEqual(listBackups(p, 'production'), before, 'nothing was touched, not even a safety backup');
    });

    test('restore without --reason is a usage error', async () => {
      const p = await migrated();
      const backup = json(await p.cli(['db', 'backup', '--env', 'staging', '--json'])) as { file: string };
      const restored = await p.cli(['db', 'restore', backup.file, '--env', 'staging']);
      assert.equal(restored.code, 2, restored.stderr);
      assert.match(restored.stderr, /--reason/);
    });

    test('retention keeps database.backups.keep backups with a manifest and never touches other files', async () => {
      const p = await migrated({ databaseSettings: '  backups:\n    keep: 2\n' });
      p.write('var/staging/backups/hand-made.db', 'not ours');
      const files: string[] = [];
      for (let i = 0; i < 4; i++) {
        const result = await p.cli(['db', 'backup', '--env', 'staging', '--json']);
        assert.equal(result.code, 0, result.stderr);
        files.push((json(result) as { file: string }).file);
      }
      const names = listBackups(p, 'staging');
      // The migrate run's before-migrate backup is the oldest, so it went first.
      const kept = files.slice(-2).map((file) => file.split('/').at(-1) as string);
      assert.deepEqual(names, ['hand-made.db', ...kept.flatMap((name) => [name, `${name}.manifest.json`])].sort());
    });

    test('with database.backups.afterMigrate, migrate up also backs up after applying, audited', async () => {
      const p = await project({ databaseSettings: '  backups:\n    afterMigrate: true\n' });
      const up = await p.cli(['migrate', 'up', '--env', 'staging', '--json']);
      assert.equal(up.code, 0, up.stderr);
      const out = json(up) as { backup: string; backupAfter: string };
      assert.match(out.backup, /-before-migrate\./);
      assert.match(out.backupAfter, /-after-migrate\./);
      assert.deepEqual(manifestOf(out.backupAfter).migrations, ['001_accounts']);
      assert.deepEqual(manifestOf(out.backup).migrations, []);
      const events = (
        json(await p.cli(['audit', 'list', '--env', 'staging', '--json'])) as {
          events: { action: string; target: string }[];
        }
      ).events;
      assert.deepEqual(
        events.filter((e) => e.action === 'migrate.backup').map((e) => e.target),
        [out.backup, out.backupAfter],
      );
    });

    test('two backups at once both complete, with distinct files', async () => {
      const p = await migrated();
      const [a, b] = await Promise.all([
        p.cli(['db', 'backup', '--env', 'staging', '--json'], { env: SPAWN }),
        p.cli(['db', 'backup', '--env', 'staging', '--json'], { env: SPAWN }),
      ]);
      assert.equal(a?.code, 0, a?.stderr);
      assert.equal(b?.code, 0, b?.stderr);
      const fa = (json(a as never) as { file: string }).file;
      const fb = (json(b as never) as { file: string }).file;
      assert.notEqual(fa, fb);
      for (const file of [fa, fb]) assert.equal(manifestOf(file).sha256.length, 64);
    });

    test('--out writes there, refuses an existing file, and /proc is a clean EW_FILE_WRITE', async () => {
      const p = await migrated();
      const out = join(p.dir, 'elsewhere', 'copy.bak');
      const first = await p.cli(['db', 'backup', '--env', 'staging', '--out', out, '--json']);
      assert.equal(first.code, 0, first.stderr);
      assert.equal(manifestOf(out).file, 'copy.bak');
      const again = await p.cli(['db', 'backup', '--env', 'staging', '--out', out]);
      assert.equal(again.code, 3, again.stderr);
      assert.match(again.stderr, /EW_BACKUP_EXISTS/);
      for (const target of ['/proc/envward-nope/x.bak', '/proc/x.bak']) {
        const proc = await p.cli(['db', 'backup', '--env', 'staging', '--out', target]);
        assert.equal(proc.code, 1, proc.stderr);
        assert.match(proc.stderr, /EW_FILE_WRITE/);
      }
    });
  });
}
