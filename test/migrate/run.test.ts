/**
 * `migrate up` and `down` as a user runs them: a failing migration is
 * rolled back and stops the run; feedback without a terminal is one line
 * (or one JSON event on stderr) per migration; down undoes the last one.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { after, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { sql } from 'kysely';
import { migrateUp } from '../../src/migrate/index.ts';
import {
  createTable,
  DIALECTS,
  json,
  type MigrateProject,
  makeMigrateProject,
  migration,
} from '../support/migrate-project.ts';
import { CLI, cleanEnv } from '../support/run-cli.ts';

interface AuditRow {
  action: string;
  target: string;
  outcome: string;
}

for (const dialect of DIALECTS) {
  describe(`migrate up and down (${dialect})`, { concurrency: 4 }, () => {
    const projects: MigrateProject[] = [];
    const project = async (files: Record<string, string>) => {
      const made = await makeMigrateProject(dialect, { files });
      projects.push(made);
      return made;
    };
    after(() => Promise.all(projects.map((p) => p.cleanup())));

    test('a migration that fails is rolled back, named with its statement, and nothing after it runs', async () => {
      const p = await project({
        'migrations/001_accounts.ts': createTable('accounts'),
        'migrations/002_broken.ts': migration(
          `await db.schema.createTable('half_done').addColumn('id', 'integer').execute();
  await db.insertInto('no_such_table').values({ id: 1 }).execute();`,
        ),
        'migrations/003_limits.ts': createTable('limits'),
      });
      const result = await p.cli(['migrate', 'up']);
      assert.equal(result.code, 1);
      assert.match(
        result.stderr,
        /error\[EW_MIGRATION_FAILED\]: Migration 002_broken failed at: insert into "no_such_table" \("id"\) values \((\?|\$1)\): .*no_such_table.*\. It was rolled back; nothing after it was applied\./,
      );
      assert.match(result.stderr, /migrated 001_accounts /);
      assert.deepEqual(await p.applied(), ['001_accounts']);
      assert.deepEqual(await p.tables(), ['accounts']);
      const events = (json(await p.cli(['audit', 'list', '--json'])) as { events: AuditRow[] }).events;
      const run = events.find((event) => event.action === 'migrate.up');
      assert.deepEqual([run?.target, run?.outcome], ['001_accounts, 002_broken', 'failed at 002_broken']);
    });

    test('without a terminal, up prints one line per migration on stderr and the result on stdout', async () => {
      const p = await project({
        'migrations/001_accounts.ts': createTable('accounts'),
        'migrations/002_limits.ts': createTable('limits'),
      });
      const result = await p.cli(['migrate', 'up']);
      assert.equal(result.code, 0, result.stderr);
      const lines = result.stderr.trimEnd().split('\n');
      assert.equal(lines.length, 2, result.stderr);
      assert.match(lines[0] ?? '', /^migrated 001_accounts \(\d+ ms\) \[1\/2\]$/);
      assert.match(lines[1] ?? '', /^migrated 002_limits \(\d+ ms\) \[2\/2\]$/);
      assert.equal(result.stdout, 'applied 2: 001_accounts, 002_limits\n');
    });

    test('on a terminal, up draws a progress bar with the name of each migration', async () => {
      const p = await project({
        'migrations/001_accounts.ts': createTable('accounts'),
        'migrations/002_limits.ts': createTable('limits'),
      });
      // script(1) gives the CLI a pseudo-terminal; its output is the terminal's.
      const screen = await new Promise<string>((resolve, reject) =>
        execFile(
          'script',
          ['-qec', `'${process.execPath}' '${CLI}' migrate up`, '/dev/null'],
          { cwd: p.dir, env: cleanEnv({ NO_COLOR: '1' }), encoding: 'utf8' },
          (error, stdout) => (error ? reject(error) : resolve(stdout)),
        ),
      );
      // Each redraw returns to the line's start and clears it (CR, ESC [2K).
      const redraws = screen.split('\r\u001b[2K').slice(1);
      assert.equal(redraws[0], `[${'-'.repeat(24)}] 0/2 001_accounts...`);
      assert.match(redraws[1] ?? '', /^\[#{12}-{12}\] 1\/2 001_accounts \(\d+ ms\)$/);
      assert.match(redraws.at(-1) ?? '', /^\[#{24}\] 2\/2 002_limits \(\d+ ms\)\r?\n/);
      assert.doesNotMatch(screen, /migrated 001_accounts/);
    });

    test('with --json, up prints one JSON event per migration on stderr and one JSON result on stdout', async () => {
      const p = await project({
        'migrations/001_accounts.ts': createTable('accounts'),
        'migrations/002_limits.ts': createTable('limits'),
      });
      const result = await p.cli(['migrate', 'up', '--json']);
      assert.equal(result.code, 0, result.stderr);
      const events = result.stderr
        .trimEnd()
        .split('\n')
        .map((line) => JSON.parse(line) as Record<string, unknown>);
      assert.deepEqual(
        events.map(({ ms: _ms, ...event }) => event),
        [
          { type: 'done', name: '001_accounts', index: 0, total: 2 },
          { type: 'done', name: '002_limits', index: 1, total: 2 },
        ],
      );
      assert.deepEqual(json(result), { environment: 'development', applied: ['001_accounts', '002_limits'] });
      const again = await p.cli(['migrate', 'up']);
      assert.deepEqual([again.code, again.stdout, again.stderr], [0, 'nothing to migrate\n', '']);
    });

    if (dialect === 'postgres') {
      test("after up, every pooled connection commits synchronously again (up's setting does not leak)", async () => {
        const p = await project({ 'migrations/001_accounts.ts': createTable('accounts') });
        const store = await p.open();
        await migrateUp(store);
        // Hold all five of the pool's connections at once, so the one that migrated is among them.
        const settings = await Promise.all(
          Array.from({ length: 5 }, () =>
            store.db.connection().execute(async (connection) => {
              const { rows } = await sql<{
                value: string;
              }>`select current_setting('synchronous_commit') as value`.execute(connection);
              await sleep(100);
              return rows[0]?.value;
            }),
          ),
        );
        assert.deepEqual(settings, ['on', 'on', 'on', 'on', 'on']);
      });
    }

    test('down rolls back the last applied migration in development without approval', async () => {
      const p = await project({
        'migrations/001_accounts.ts': createTable('accounts'),
        'migrations/002_limits.ts': createTable('limits'),
      });
      await p.cli(['migrate', 'up']);
      const result = await p.cli(['migrate', 'down', '--json']);
      assert.equal(result.code, 0, result.stderr);
      assert.deepEqual(json(result), { environment: 'development', rolledBack: ['002_limits'], backup: null });
      assert.deepEqual(await p.applied(), ['001_accounts']);
      assert.deepEqual(await p.tables(), ['accounts']);
      assert.deepEqual((json(await p.cli(['migrate', 'status', '--json'])) as { pending: string[] }).pending, [
        '002_limits',
      ]);
    });
  });
}
