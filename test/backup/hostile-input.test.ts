/**
 * What `db restore` is given may be anything: a changed backup, one without
 * its manifest, garbage, a manifest that names another path or is huge.
 * Each is refused with an EW_ code and nothing is touched. Also: no
 * PostgreSQL client on the PATH, and a password never printed or written
 * into a manifest. Through the built CLI (`npm run build` first).
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { appendFileSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { assertNoCanary, makeCanary } from '../support/canary.ts';
import { createTable, DIALECTS, json, type MigrateProject, makeMigrateProject } from '../support/migrate-project.ts';

for (const dialect of DIALECTS) {
  describe(`db restore refuses what is not an intact backup (${dialect})`, { concurrency: 4 }, () => {
    const projects: MigrateProject[] = [];
    after(() => Promise.all(projects.map((p) => p.cleanup())));
    const backedUp = async () => {
      const p = await makeMigrateProject(dialect, {
        environments: ['staging'],
        files: { 'migrations/001_accounts.ts': createTable('accounts') },
      });
      projects.push(p);
      assert.equal((await p.cli(['migrate', 'up', '--env', 'staging'])).code, 0);
      await p.sql('staging', "insert into accounts (id, label) values (1, 'kept')");
      const { file } = json(await p.cli(['db', 'backup', '--env', 'staging', '--json'])) as { file: string };
      await p.sql('staging', "update accounts set label = 'current'");
      return { p, file };
    };
    const refused = async (p: MigrateProject, file: string, code: string, exit = 1) => {
      const result = await p.cli(['db', 'restore', file, '--env', 'staging', '--reason', 'hostile', '--json']);
      assert.equal(result.code, exit, result.stderr);
      assert.equal(
        (JSON.parse(result.stdout) as { code?: string }).code ?? result.stderr.match(/EW_[A-Z_]+/)?.[0],
        code,
        result.stderr + result.stdout,
      );
      assert.deepEqual(await p.sql('staging', 'select label from accounts'), [{ label: 'current' }], 'nothing touched');
      return result;
    };

    test('a backup changed by one byte is refused (EW_BACKUP_INVALID)', async () => {
      const { p, file } = await backedUp();
      const bytes = readFileSync(file);
      bytes.writeUInt8((bytes.at(-1) ?? 0) ^ 0xff, bytes.length - 1);
      writeFileSync(file, bytes);
      const result = await refused(p, file, 'EW_BACKUP_INVALID');
      assert.match(result.stdout, /SHA-256/);
    });

    test('a backup without its manifest is refused (EW_BACKUP_INVALID)', async () => {
      const { p, file } = await backedUp();
      renameSync(`${file}.manifest.json`, `${file}.elsewhere`);
      const result = await refused(p, file, 'EW_BACKUP_INVALID');
      assert.match(result.stdout, /no manifest/);
    });

    test('a garbage file with a manifest made up for it is refused by its content (EW_BACKUP_INVALID)', async () => {
      const { p, file } = await backedUp();
      const garbage = join(p.dir, 'garbage.bin');
      writeFileSync(garbage, randomBytes(64 * 1024));
      const manifest = JSON.parse(readFileSync(`${file}.manifest.json`, 'utf8'));
      const { createHash } = await import('node:crypto');
      const bytes = readFileSync(garbage);
      writeFileSync(
        `${garbage}.manifest.json`,
        JSON.stringify({
          ...manifest,
          file: 'garbage.bin',
          bytes: bytes.length,
          sha256: createHash('sha256').update(bytes).digest('hex'),
        }),
      );
      await refused(p, garbage, 'EW_BACKUP_INVALID');
    });

    test('a manifest whose file is a path elsewhere is refused (EW_BACKUP_INVALID)', async () => {
      const { p, file } = await backedUp();
      const manifest = JSON.parse(readFileSync(`${file}.manifest.json`, 'utf8'));
      writeFileSync(`${file}.manifest.json`, JSON.stringify({ ...manifest, file: '../../../etc/passwd' }));
      await refused(p, file, 'EW_BACKUP_INVALID');
    });

    test('a manifest over 1 MiB is refused unread, and one that is not JSON is refused (EW_BACKUP_INVALID)', async () => {
      const { p, file } = await backedUp();
      const original = readFileSync(`${file}.manifest.json`, 'utf8');
      writeFileSync(`${file}.manifest.json`, `{"migrations": [${'"a",'.repeat(400_000)}"a"]}`);
      const huge = await refused(p, file, 'EW_BACKUP_INVALID');
      assert.match(huge.stdout, /over the/);
      writeFileSync(`${file}.manifest.json`, original.slice(0, 40));
      await refused(p, file, 'EW_BACKUP_INVALID');
      writeFileSync(`${file}.manifest.json`, randomBytes(300));
      await refused(p, file, 'EW_BACKUP_INVALID');
    });

    test('a directory, a missing file and /dev/zero are refused (EW_BACKUP_INVALID)', async () => {
      const { p } = await backedUp();
      for (const path of [p.dir, join(p.dir, 'nope.db'), '/dev/zero']) await refused(p, path, 'EW_BACKUP_INVALID');
    });

    test('a file appended to after the backup is refused as cut short or changed', async () => {
      const { p, file } = await backedUp();
      appendFileSync(file, 'more');
      await refused(p, file, 'EW_BACKUP_INVALID');
    });

    if (dialect === 'postgres') {
      test('without pg_dump on the PATH, db backup is EW_PG_CLIENT_MISSING naming postgresql-client and the version', async () => {
        const { p } = await backedUp();
        const result = await p.cli(['db', 'backup', '--env', 'staging'], { env: { PATH: '/nowhere' } });
        assert.equal(result.code, 2, result.stderr);
        assert.match(result.stderr, /EW_PG_CLIENT_MISSING/);
        assert.match(result.stderr, /install the Debian package postgresql-client \(pg_dump \d+ or newer\)/);
      });

      test('without pg_restore and psql on the PATH, db restore is EW_PG_CLIENT_MISSING and nothing is touched', async () => {
        const { p, file } = await backedUp();
        const result = await p.cli(['db', 'restore', file, '--env', 'staging', '--reason', 'x'], {
          env: { PATH: '/nowhere' },
        });
        assert.match(result.stderr, /EW_PG_CLIENT_MISSING/);
        assert.match(result.stderr, /postgresql-client/);
        assert.deepEqual(await p.sql('staging', 'select label from accounts'), [{ label: 'current' }]);
      });

      test('the database password is never in stdout, stderr, --json or the manifest', async () => {
        const { p } = await backedUp();
        const canary = makeCanary('dbpassword');
        const url = (await p.sql<{ u: string }>('staging', 'select current_database() as u'))[0]?.u;
        const DATABASE_URL = `postgres://postgres:${canary}@127.0.0.1:5432/${url}`;
        const runs = [
          await p.cli(['db', 'backup', '--env', 'staging', '--json'], { env: { DATABASE_URL } }),
          await p.cli(['db', 'backup', '--env', 'staging'], { env: { DATABASE_URL } }),
        ];
        const { file } = JSON.parse(runs[0]?.stdout ?? '{}') as { file: string };
        runs.push(
          await p.cli(['db', 'restore', file, '--env', 'staging', '--reason', 'x', '--json'], {
            env: { DATABASE_URL },
          }),
          await p.cli(['db', 'restore', join(p.dir, 'nope'), '--env', 'staging', '--reason', 'x'], {
            env: { DATABASE_URL },
          }),
        );
        assert.equal(runs[0]?.code, 0, runs[0]?.stderr);
        assert.equal(runs[2]?.code, 0, runs[2]?.stderr);
        for (const [index, run] of runs.entries()) {
          assertNoCanary(run.stdout, [canary], `stdout of run ${index}`);
          assertNoCanary(run.stderr, [canary], `stderr of run ${index}`);
        }
        assertNoCanary(readFileSync(`${file}.manifest.json`, 'utf8'), [canary], 'the manifest');
      });
    }
  });
}
