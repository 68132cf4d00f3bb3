/**
 * Crash safety: a `migrate up` process killed with SIGKILL (a failpoint, see
 * src/failpoint.ts) after any statement of a multi-statement migration, or
 * right after a migration commits, leaves the database at the last
 * completed migration; a rerun finishes the job. A process killed during a
 * protected environment's pre-migration backup leaves no file under a
 * backup's final name, and ran nothing.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import {
  createTable,
  DIALECTS,
  type MigrateProject,
  makeMigrateProject,
  migration,
} from '../support/migrate-project.ts';

const FILES = {
  'migrations/001_accounts.ts': createTable('accounts'),
  // Three statements, each a step the process may die after.
  'migrations/002_ledger.ts': migration(
    `await db.schema.createTable('ledger').addColumn('id', 'integer', (c) => c.primaryKey()).addColumn('amount', 'integer').execute();
  await db.insertInto('ledger').values({ id: 1, amount: 100 }).execute();
  await db.schema.createIndex('ledger_amount').on('ledger').column('amount').execute();`,
  ),
  'migrations/003_limits.ts': createTable('limits'),
};

/** Where the process dies, and what must then be applied (and so exist). */
const KILL_POINTS: readonly { failpoint: string; applied: string[]; tables: string[] }[] = [
  { failpoint: 'migrate:001_accounts:committed', applied: ['001_accounts'], tables: ['accounts'] },
  { failpoint: 'migrate:002_ledger:1', applied: ['001_accounts'], tables: ['accounts'] },
  { failpoint: 'migrate:002_ledger:2', applied: ['001_accounts'], tables: ['accounts'] },
  { failpoint: 'migrate:002_ledger:3', applied: ['001_accounts'], tables: ['accounts'] },
  {
    failpoint: 'migrate:002_ledger:committed',
    applied: ['001_accounts', '002_ledger'],
    tables: ['accounts', 'ledger'],
  },
];

for (const dialect of DIALECTS) {
  describe(`crash safety (${dialect})`, { concurrency: 4 }, () => {
    const projects: MigrateProject[] = [];
    after(() => Promise.all(projects.map((p) => p.cleanup())));

    for (const point of KILL_POINTS) {
      test(`killed at ${point.failpoint}, the database keeps the last completed migration and a rerun finishes`, async () => {
        const p = await makeMigrateProject(dialect, { files: FILES });
        projects.push(p);
        const killed = await p.cli(['migrate', 'up'], { env: { ENVWARD_FAILPOINT: point.failpoint } });
        assert.equal(
          killed.code,
          -1,
          `expected a SIGKILL at ${point.failpoint}; got exit ${killed.code}\n${killed.stderr}`,
        );
        assert.deepEqual(await p.applied(), point.applied);
        assert.deepEqual(await p.tables(), point.tables);

        const rerun = await p.cli(['migrate', 'up', '--wait', '10']);
        assert.equal(rerun.code, 0, rerun.stderr);
        assert.deepEqual(await p.applied(), ['001_accounts', '002_ledger', '003_limits']);
        assert.deepEqual(await p.tables(), ['accounts', 'ledger', 'limits']);
        assert.deepEqual(
          (await p.sql<{ id: number; amount: number }>('development', 'select id, amount from ledger')).map((row) => [
            Number(row.id),
            Number(row.amount),
          ]),
          [[1, 100]],
        );
      });
    }
  });
}

/** Points of the pre-migration backup (src/store/atomic-backup.ts): an empty file, a written one, a checked one. */
const BACKUP_KILL_POINTS = ['backup:opened', 'backup:written', 'backup:checked'] as const;

/** Asserts that `file` is a complete backup: SQLite opens it and finds the stamp; pg_restore lists the archive. */
async function assertCompleteBackup(dialect: string, file: string): Promise<void> {
  if (dialect === 'sqlite') {
    const { default: Database } = await import('better-sqlite3');
    const copy = new Database(file, { readonly: true, fileMustExist: true });
    try {
      assert.equal(copy.pragma('quick_check', { simple: true }), 'ok');
      assert.deepEqual(copy.prepare('select environment from envward_stamp').all(), [{ environment: 'staging' }]);
    } finally {
      copy.close();
    }
  } else {
    assert.match(execFileSync('pg_restore', ['--list', file], { encoding: 'utf8' }), /TABLE public envward_stamp/);
  }
}

for (const dialect of DIALECTS) {
  describe(`a kill during the pre-migration backup (${dialect})`, { concurrency: 3 }, () => {
    const projects: MigrateProject[] = [];
    after(() => Promise.all(projects.map((p) => p.cleanup())));

    for (const point of BACKUP_KILL_POINTS) {
      test(`killed at ${point}, no file has a backup's final name, nothing ran, and the next run's backup is complete`, async () => {
        const p = await makeMigrateProject(dialect, {
          environments: ['staging'],
          files: { 'migrations/001_accounts.ts': createTable('accounts') },
        });
        projects.push(p);
        const backups = join(p.dir, 'var/staging/backups');
        const finals = () =>
          existsSync(backups)
            ? readdirSync(backups).filter((name) => !name.includes('.partial-') && !name.endsWith('.manifest.json'))
            : [];
        // A kill after the manifest is written and before the rename leaves that manifest, naming no file.
        const files = () => readdirSync(backups).filter((name) => !name.endsWith('.manifest.json'));
        const killed = await p.cli(['migrate', 'up', '--env', 'staging'], { env: { ENVWARD_FAILPOINT: point } });
        assert.equal(killed.code, -1, `expected a SIGKILL at ${point}; got exit ${killed.code}\n${killed.stderr}`);
        assert.deepEqual(finals(), [], 'no file under a final backup name');
        assert.equal(files().length, 1, 'the partial file the kill left');
        assert.deepEqual(await p.applied('staging'), []);

        const rerun = await p.cli(['migrate', 'up', '--env', 'staging', '--wait', '10']);
        assert.equal(rerun.code, 0, rerun.stderr);
        assert.deepEqual(await p.applied('staging'), ['001_accounts']);
        const [backup, ...more] = finals();
        assert.ok(backup !== undefined && more.length === 0, `one backup: ${readdirSync(backups).join(', ')}`);
        assert.deepEqual(files(), [backup], "the dead process's partial file was removed");
        assert.ok(existsSync(join(backups, `${backup}.manifest.json`)), 'the backup has its manifest');
        await assertCompleteBackup(dialect, join(backups, backup));
      });
    }
  });
}
