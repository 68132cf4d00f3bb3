/**
 * openStore's stamp check, the way the "Done when" tries it: every
 * environment of the project shares one database (a SQLite file, or a real
 * PostgreSQL database), so a process of one environment meets another's
 * stamp. Through the API first, then the CLI for exit codes and output.
 */
import assert from 'node:assert/strict';
import { hostname, userInfo } from 'node:os';
import { after, describe, test } from 'node:test';
import type { AuditRow } from '../../src/store/index.ts';
import { escapeRegExp } from '../support/run-cli.ts';
import { DIALECTS, makeStoreProject, runStoreProcesses, type StoreProject } from '../support/store-project.ts';

const OK = 0;
const PROBLEM = 1;
const USAGE = 2;
const REFUSED = 3;
const REASON = 'debugging INC-42 against a copy';

for (const dialect of DIALECTS) {
  describe(`stamps and overrides on ${dialect}`, { concurrency: true }, () => {
    const projects: StoreProject[] = [];
    const fresh = async () => {
      const project = await makeStoreProject(dialect);
      projects.push(project);
      return project;
    };
    after(() => Promise.all(projects.map((project) => project.cleanup())));

    /** Stamps the shared database for `env` (what `envward db stamp --env env` does). */
    const stampFor = async (project: StoreProject, env: string) => {
      const store = await project.open(env, { stampMode: 'stamp' });
      await store.close();
    };
    const auditRows = (project: StoreProject) =>
      project
        .sql<AuditRow>('select * from envward_audit order by seq')
        .then((rows) => rows.map((row) => ({ ...row, seq: Number(row.seq) })));

    test('a database stamped for the environment that opens it passes', async () => {
      const project = await fresh();
      await stampFor(project, 'production');
      const store = await project.open('production');
      assert.equal(store.stamp?.environment, 'production');
      assert.equal(store.stamp?.tier, 'production');
      assert.equal(store.stamp?.code, 'PRD');
      assert.deepEqual(store.overrides, []);
      assert.equal(store.dialect, dialect);
      await store.close();
      const again = await project.open('production');
      assert.equal(again.stamp?.environment, 'production');
      assert.deepEqual(
        (await auditRows(project)).map((row) => row.action),
        ['db.stamp'],
        'opening a matching database writes nothing more',
      );
    });

    test("another environment's stamp is refused with EW_ENV_MISMATCH naming both environments", async () => {
      const project = await fresh();
      await stampFor(project, 'production');
      await assert.rejects(project.open('development'), (error: Error & { code?: string; kind?: string }) => {
        assert.equal(error.code, 'EW_ENV_MISMATCH');
        assert.equal(error.kind, 'refused');
        assert.match(error.message, /runs as development, but the database at .* belongs to production \(production;/);
        return true;
      });
      const stamp = await project.sql<{ environment: string }>('select environment from envward_stamp');
      assert.deepEqual(stamp, [{ environment: 'production' }], 'the stamp is left alone');
      assert.equal((await auditRows(project)).length, 1, 'a refusal writes nothing');
    });

    test('the CLI refuses the other environment with exit 3 and a message naming both', async () => {
      const project = await fresh();
      await stampFor(project, 'production');
      for (const args of [
        ['audit', 'list', '--env', 'development'],
        ['audit', 'verify', '--env', 'test'],
      ]) {
        const result = await project.cli(args);
        assert.equal(result.code, REFUSED, `${args.join(' ')}: ${result.stderr}`);
        const env = args[3] as string;
        assert.match(
          result.stderr,
          new RegExp(`^error\\[EW_ENV_MISMATCH\\]: This process runs as ${env}, .*production`),
        );
        assert.match(result.stderr, /\nhint: .*--force --reason/);
        assert.equal(result.stdout, '');
        assert.doesNotMatch(result.stderr, /\n\s+at /, 'no stack trace');
      }
    });

    test('force with a reason lets a mismatch through, and the override is audited with actor, host and reason', async () => {
      const project = await fresh();
      await stampFor(project, 'production');
      const store = await project.open('development', {
        force: { reason: `  ${REASON} ` },
        actor: 'alice',
        resolve: { hostname: 'alice-laptop' },
      });
      assert.equal(store.stamp?.environment, 'production', 'the override does not restamp');
      assert.deepEqual(
        store.overrides.map((override) => [override.guard, override.reason]),
        [['EW_ENV_MISMATCH', REASON]],
      );
      assert.match(store.overrides[0]?.message ?? '', /development.*production/);
      const [, override] = await auditRows(project);
      assert.ok(override);
      assert.equal(override.action, 'guard.override');
      assert.equal(override.outcome, 'allowed');
      assert.equal(override.environment, 'development');
      assert.equal(override.actor, 'alice');
      assert.equal(override.host, 'alice-laptop');
      assert.equal(override.reason, REASON);
      assert.match(override.target, /^EW_ENV_MISMATCH /);
    });

    test('--force --reason prints a loud warning, and audit list shows who, where and why', async () => {
      const project = await fresh();
      await stampFor(project, 'production');
      const forced = await project.cli(['audit', 'list', '--env', 'development', '--force', '--reason', REASON]);
      assert.equal(forced.code, OK, forced.stderr);
      assert.match(forced.stderr, /!{72}\nOVERRIDE of EW_ENV_MISMATCH: This process runs as development, .*production/);
      assert.match(forced.stderr, new RegExp(`\nreason: ${REASON}\n!{72}\n`));
      const listed = await project.cli(['audit', 'list', '--env', 'production', '--action', 'guard.override']);
      assert.equal(listed.code, OK, listed.stderr);
      const who = `${userInfo().username}@${hostname()}`;
      assert.match(
        listed.stdout,
        new RegExp(
          `^#2 \\S+ development ${who} guard.override EW_ENV_MISMATCH \\S+ -> allowed\n {6}reason: ${REASON}\n$`,
        ),
      );
    });

    test('force without a reason is refused with EW_FORCE_REASON and writes nothing', async () => {
      const project = await fresh();
      await stampFor(project, 'production');
      for (const reason of ['', '   ']) {
        await assert.rejects(project.open('development', { force: { reason } }), { code: 'EW_FORCE_REASON' });
      }
      const result = await project.cli(['audit', 'list', '--env', 'development', '--force']);
      assert.equal(result.code, USAGE, result.stderr);
      assert.match(result.stderr, /^error\[EW_FORCE_REASON\]/);
      assert.doesNotMatch(result.stderr, /OVERRIDE/);
      assert.deepEqual(
        (await auditRows(project)).map((row) => row.action),
        ['db.stamp'],
      );
    });

    for (const env of ['development', 'test']) {
      test(`an unstamped database is stamped on first open in ${env}, and the stamping is audited`, async () => {
        const project = await fresh();
        const store = await project.open(env, { actor: 'bob', resolve: { hostname: 'ci-runner-3' } });
        assert.equal(store.stamp?.environment, env);
        assert.equal(store.stamp?.actor, 'bob');
        assert.equal(store.stamp?.host, 'ci-runner-3');
        assert.ok(!Number.isNaN(Date.parse(store.stamp?.stampedAt ?? '')));
        const rows = await auditRows(project);
        assert.equal(rows.length, 1);
        assert.equal(rows[0]?.action, 'db.stamp');
        assert.equal(rows[0]?.environment, env);
        assert.equal(rows[0]?.reason, `automatic: first open in ${env}`);
      });
    }

    // Regression: each process read "unstamped" and then wrote its own stamp over the other's, so a
    // development process went on with a database stamped test (PostgreSQL also failed with a raw 23505).
    test('processes of two environments racing to stamp a new database: one wins, the other is refused', async () => {
      const project = await fresh();
      const racers = ['development', 'test', 'development', 'test'].map((env) => ({ env }));
      const reports = await runStoreProcesses(project, racers);
      const [stamp] = await project.sql<{ environment: string }>('select environment from envward_stamp');
      const winner = stamp?.environment ?? '';
      assert.deepEqual(
        reports,
        racers.map(({ env }) => (env === winner ? { stamp: winner } : { error: 'EW_ENV_MISMATCH' })),
      );
      assert.deepEqual(
        (await auditRows(project)).map((row) => [row.action, row.environment]),
        [['db.stamp', winner]],
        'stamped once',
      );
    });

    for (const env of ['staging', 'production', 'qa']) {
      test(`an unstamped database is refused in ${env} until \`db stamp\``, async () => {
        const project = await fresh();
        // An empty database: a missing SQLite file is EW_DB_MISSING, and is not created.
        project.write('var/.keep', '');
        await project.sql('select 1');
        await assert.rejects(project.open(env), (error: Error & { code?: string; kind?: string }) => {
          assert.equal(error.code, 'EW_DB_UNSTAMPED');
          assert.equal(error.kind, 'refused');
          assert.ok(error.message.includes(`${env} is protected`));
          return true;
        });
        const tables =
          project.dialect === 'postgres'
            ? "select table_name from information_schema.tables where table_name like 'envward%'"
            : "select name from sqlite_master where name like 'envward%'";
        assert.deepEqual(await project.sql(tables), [], 'the refusal made no table');
        if (env === 'production') {
          // The CLI once (each CLI run is a node process); the API's stampMode 'stamp' is what `db stamp` runs.
          const refused = await project.cli(['audit', 'list', '--env', env]);
          assert.equal(refused.code, REFUSED);
          assert.match(
            refused.stderr,
            new RegExp(`^error\\[EW_DB_UNSTAMPED\\].*\nhint: .*envward db stamp --env ${env}`),
          );
          const stamped = await project.cli(['db', 'stamp', '--env', env]);
          assert.equal(stamped.code, OK, stamped.stderr);
        } else {
          await (await project.open(env, { stampMode: 'stamp' })).close();
        }
        const store = await project.open(env);
        assert.equal(store.stamp?.environment, env);
        assert.deepEqual(
          (await auditRows(project)).map((row) => [row.action, row.environment, row.reason]),
          [['db.stamp', env, null]],
        );
      });
    }

    test("db stamp over another environment's stamp needs --force --reason, and then restamps (audited)", async () => {
      const project = await fresh();
      await stampFor(project, 'production');
      const refused = await project.cli(['db', 'stamp', '--env', 'staging']);
      assert.equal(refused.code, REFUSED);
      assert.match(refused.stderr, /^error\[EW_ENV_MISMATCH\]/);
      const forced = await project.cli(['db', 'stamp', '--env', 'staging', '--force', '--reason', 'restored dump']);
      assert.equal(forced.code, OK, forced.stderr);
      assert.match(forced.stderr, /OVERRIDE of EW_ENV_MISMATCH/);
      assert.equal((await project.open('staging')).stamp?.environment, 'staging');
      assert.deepEqual(
        (await auditRows(project)).map((row) => [row.action, row.environment, row.reason]),
        [
          ['db.stamp', 'production', null],
          ['guard.override', 'staging', 'restored dump'],
          ['db.stamp', 'staging', 'restored dump'],
        ],
      );
    });

    test('db status shows the stamp, and with --json gives it as data', async () => {
      const project = await fresh();
      // An empty database (reading never creates a missing file: that is EW_DB_MISSING).
      project.write('var/.keep', '');
      await project.sql('select 1');
      const unstamped = await project.cli(['db', 'status', '--env', 'production']);
      assert.equal(unstamped.code, OK, unstamped.stderr);
      assert.match(
        unstamped.stdout,
        /^production: \S+ \(\w+\)\n {2}not stamped: run `envward db stamp --env production`\n {2}identity \S+\n$/,
      );
      const envwardTables =
        project.dialect === 'postgres'
          ? "select table_name from information_schema.tables where table_name like 'envward%'"
          : "select name from sqlite_master where name like 'envward%'";
      assert.deepEqual(await project.sql(envwardTables), [], 'status neither stamps nor creates a table');

      await stampFor(project, 'production');
      const who = `${userInfo().username}@${hostname()}`;
      const status = await project.cli(['db', 'status', '--env', 'production']);
      assert.equal(status.code, OK, status.stderr);
      assert.match(
        status.stdout,
        new RegExp(`^ {2}stamped for production \\(production\\) of project store-test on \\S+ by ${who}$`, 'm'),
      );

      const json = await project.cli(['db', 'status', '--env', 'production', '--json']);
      assert.equal(json.code, OK, json.stderr);
      const data = JSON.parse(json.stdout);
      assert.equal(data.environment, 'production');
      assert.equal(data.dialect, dialect);
      assert.equal(data.matches, true);
      assert.equal(data.stamp.environment, 'production');
      assert.equal(data.stamp.tier, 'production');
      assert.equal(data.stamp.code, 'PRD');
      assert.equal(`${data.stamp.actor}@${data.stamp.host}`, who);
      assert.equal(data.stamp.database, data.identity, 'the database that was stamped');
      assert.equal(data.sameDatabase, true);
      assert.match(status.stdout, new RegExp(`^ {2}identity ${escapeRegExp(data.identity)} \\(as stamped\\)$`, 'm'));

      // As another environment: shown, not refused, but exit 1 (a check found a problem).
      const other = await project.cli(['db', 'status', '--env', 'development', '--json']);
      assert.equal(other.code, PROBLEM, other.stderr);
      assert.equal(JSON.parse(other.stdout).matches, false);
      assert.equal(JSON.parse(other.stdout).stamp.environment, 'production');
    });
  });
}
