/**
 * A kill -9 at every failpoint of `db backup` and `db restore` leaves
 * nothing half-written: no backup under a final name without its manifest,
 * and the database either as it was or wholly restored. Through the built
 * CLI (`npm run build` first), on SQLite and PostgreSQL.
 */
import assert from 'node:assert/strict';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import Database from 'better-sqlite3';
import { createTable, DIALECTS, json, type MigrateProject, makeMigrateProject } from '../support/migrate-project.ts';

const BACKUP_POINTS = ['backup:opened', 'backup:written', 'backup:checked'];

for (const dialect of DIALECTS) {
  const RESTORE_POINTS = [
    'restore:checked',
    dialect === 'sqlite' ? 'restore:copying' : 'restore:loaded',
    'restore:restored',
  ];
  describe(`a kill during db backup or db restore (${dialect})`, { concurrency: 4 }, () => {
    const projects: MigrateProject[] = [];
    after(() => Promise.all(projects.map((p) => p.cleanup())));
    /** A staging database with enough rows (about 1 MB) that a SQLite copy takes several steps. */
    const project = async () => {
      const p = await makeMigrateProject(dialect, {
        environments: ['staging'],
        files: { 'migrations/001_accounts.ts': createTable('accounts') },
      });
      projects.push(p);
      assert.equal((await p.cli(['migrate', 'up', '--env', 'staging'])).code, 0);
      const pad = 'x'.repeat(1000);
      for (let i = 1; i <= 1000; i += 100) {
        const rows = Array.from({ length: 100 }, (_, k) => `(${i + k}, '${pad}')`).join(', ');
        await p.sql('staging', `insert into accounts (id, label) values ${rows}`);
      }
      return p;
    };
    const count = async (p: MigrateProject) =>
      Number((await p.sql<{ n: number | string }>('staging', 'select count(*) as n from accounts'))[0]?.n);
    const backups = (p: MigrateProject) => {
      const dir = join(p.dir, 'var/staging/backups');
      return existsSync(dir) ? readdirSync(dir) : [];
    };

    for (const point of BACKUP_POINTS) {
      test(`killed at ${point}, every backup under a final name has its manifest, and the next backup completes`, async () => {
        const p = await project();
        const before = backups(p);
        const killed = await p.cli(['db', 'backup', '--env', 'staging'], { env: { ENVWARD_FAILPOINT: point } });
        assert.equal(killed.code, -1, `expected a SIGKILL at ${point}; got ${killed.code}\n${killed.stderr}`);
        const finals = backups(p).filter((name) => !before.includes(name) && !name.includes('.partial-'));
        assert.deepEqual(
          finals.filter((name) => !name.endsWith('.manifest.json')),
          [],
          'no new backup under a final name',
        );
        const again = await p.cli(['db', 'backup', '--env', 'staging', '--json']);
        assert.equal(again.code, 0, again.stderr);
        const { file } = json(again) as { file: string };
        assert.ok(existsSync(`${file}.manifest.json`));
        assert.deepEqual(
          backups(p).filter((name) => name.includes('.partial-')),
          [],
          "the dead process's partial file was removed",
        );
      });
    }

    for (const point of RESTORE_POINTS) {
      test(`killed at ${point}, the database is either as it was or wholly restored, and a rerun restores it`, async () => {
        const p = await project();
        const { file } = json(await p.cli(['db', 'backup', '--env', 'staging', '--json'])) as { file: string };
        await p.sql('staging', 'delete from accounts where id > 10');
        const killed = await p.cli(['db', 'restore', file, '--env', 'staging', '--reason', 'crash test'], {
          env: { ENVWARD_FAILPOINT: point },
        });
        assert.equal(killed.code, -1, `expected a SIGKILL at ${point}; got ${killed.code}\n${killed.stderr}`);
        const rows = await count(p);
        if (point === 'restore:restored') assert.equal(rows, 1000, 'restored as a whole before the kill');
        else assert.equal(rows, 10, 'the database as it was');
        const rerun = await p.cli(['db', 'restore', file, '--env', 'staging', '--reason', 'crash test']);
        assert.equal(rerun.code, 0, rerun.stderr);
        assert.equal(await count(p), 1000);
        assert.equal((await p.cli(['audit', 'verify', '--env', 'staging'])).code, 0);
      });
    }

    if (dialect === 'sqlite') {
      test('a connection open during the restore sees the restored data afterwards', async () => {
        const p = await project();
        const { file } = json(await p.cli(['db', 'backup', '--env', 'staging', '--json'])) as { file: string };
        const live = new Database(join(p.dir, 'var/staging/app.db'));
        try {
          live.prepare('delete from accounts where id > 10').run();
          const read = () => (live.prepare('select count(*) as n from accounts').get() as { n: number }).n;
          assert.equal(read(), 10);
          const restored = await p.cli(['db', 'restore', file, '--env', 'staging', '--reason', 'live reader']);
          assert.equal(restored.code, 0, restored.stderr);
          assert.equal(read(), 1000);
          assert.equal(live.pragma('quick_check', { simple: true }), 'ok');
        } finally {
          live.close();
        }
      });
    }
  });
}
