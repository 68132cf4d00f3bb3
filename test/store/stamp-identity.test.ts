/**
 * Stamps record which database they were made on, so that a copy carrying
 * the original's stamp is told apart from the original: a SQLite file copied
 * (or moved) to another path, a PostgreSQL database made with `create
 * database ... template` (a real copy, as a restored dump is). A protected
 * environment refuses the copy (EW_DB_IDENTITY_MISMATCH) until `db stamp`;
 * development and test record where it is now, with a warning. Through the
 * API first, the CLI for exit codes, on both dialects.
 */
import assert from 'node:assert/strict';
import { copyFileSync, realpathSync, renameSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { runPreflight } from '../../src/preflight/index.ts';
import type { AuditRow, Store } from '../../src/store/index.ts';
import { createTestRole } from '../support/postgres.ts';
import { escapeRegExp } from '../support/run-cli.ts';
import { querySqliteFile } from '../support/sqlite-file.ts';
import { DIALECTS, makeStoreProject, type OpenOptions, type StoreProject } from '../support/store-project.ts';

const OK = 0;
const PROBLEM = 1;
const REFUSED = 3;
const REASON = 'reading last night’s copy for INC-77';

interface StampRow {
  environment: string;
  database: string;
  stamped_at: string;
  host: string;
  actor: string;
}

/** A copy of the project's shared database: its URL, SQL on it, and how to remove it. */
interface DatabaseCopy {
  readonly url: string;
  sql<Row>(text: string, values?: readonly unknown[]): Promise<Row[]>;
  drop(): Promise<void>;
}

async function copyOf(project: StoreProject): Promise<DatabaseCopy> {
  if (project.database) {
    const copy = await project.database.copy();
    return { url: copy.url, sql: (text, values = []) => copy.query(text, [...values]), drop: () => copy.drop() };
  }
  copyFileSync(join(project.dir, 'var/shared.db'), join(project.dir, 'var/copy.db'));
  return {
    url: 'sqlite:var/copy.db',
    sql: async (text, values = []) => querySqliteFile(join(project.dir, 'var/copy.db'), text, values),
    drop: async () => {},
  };
}

/** Every column the stamp row has, quoted: `database` is a keyword in SQLite. */
const STAMP_ROW = 'select environment, "database", stamped_at, host, actor from envward_stamp';
const auditRows = (on: Pick<DatabaseCopy, 'sql'>) => on.sql<AuditRow>('select * from envward_audit order by seq');

/** The identity envward gives the project's shared database on this dialect. */
function identityPattern(project: StoreProject, database: string): RegExp {
  if (project.dialect === 'sqlite')
    return new RegExp(`^sqlite:${escapeRegExp(realpathSync(join(project.dir, database)))}$`);
  return new RegExp(`^postgres:\\d+/${escapeRegExp(database)}/public$`);
}

for (const dialect of DIALECTS) {
  describe(`database identity in stamps on ${dialect}`, { concurrency: true }, () => {
    const cleanups: (() => Promise<void>)[] = [];
    after(async () => {
      for (const cleanup of cleanups.reverse()) await cleanup();
    });
    const fresh = async () => {
      const project = await makeStoreProject(dialect);
      cleanups.push(() => project.cleanup());
      return project;
    };
    /** A project whose shared database is stamped for `env` by `db stamp` (the CLI), and a copy of it. */
    const stampedCopy = async (env: string, how: 'cli' | 'api' = 'api') => {
      const project = await fresh();
      if (how === 'cli') {
        const stamped = await project.cli(['db', 'stamp', '--env', env]);
        assert.equal(stamped.code, OK, stamped.stderr);
      } else {
        await (await project.open(env, { stampMode: 'stamp' })).close();
      }
      const copy = await copyOf(project);
      cleanups.push(() => copy.drop());
      return { project, copy };
    };
    const openCopy = (
      project: StoreProject,
      copy: DatabaseCopy,
      env: string,
      options: OpenOptions = {},
    ): Promise<Store> => project.open(env, { ...options, resolve: { variables: { DATABASE_URL: copy.url } } });
    const ownName = (project: StoreProject) => (project.database ? project.database.name : 'var/shared.db');
    const copyName = (project: StoreProject, copy: DatabaseCopy) =>
      project.database ? new URL(copy.url).pathname.slice(1) : 'var/copy.db';

    test('the stamp records the identity of the database it was made on', async () => {
      const project = await fresh();
      const store = await project.open('development');
      assert.match(store.identity, identityPattern(project, ownName(project)));
      assert.equal(store.stamp?.database, store.identity);
      const [row] = await project.sql<StampRow>(STAMP_ROW);
      assert.equal(row?.database, store.identity);
    });

    test('a copy opened as production is refused with EW_DB_IDENTITY_MISMATCH naming both identities, and nothing is written', async () => {
      const { project, copy } = await stampedCopy('production', 'cli');
      const [before] = await copy.sql<StampRow>(STAMP_ROW);
      const auditBefore = await auditRows(copy);
      await assert.rejects(
        openCopy(project, copy, 'production'),
        (error: Error & { code?: string; kind?: string; details?: Record<string, unknown> }) => {
          assert.equal(error.code, 'EW_DB_IDENTITY_MISMATCH');
          assert.equal(error.kind, 'refused');
          assert.equal(error.details?.stamped, before?.database);
          assert.notEqual(error.details?.current, before?.database);
          assert.ok(error.message.includes(`stamped ${before?.stamped_at} on ${before?.host}`), error.message);
          assert.ok(error.message.includes(String(before?.database)), error.message);
          assert.ok(error.message.includes(String(error.details?.current)), error.message);
          assert.match(error.message, /production's stamp/);
          return true;
        },
      );
      const cli = await project.cli(['audit', 'list', '--env', 'production'], { env: { DATABASE_URL: copy.url } });
      assert.equal(cli.code, REFUSED, cli.stderr);
      assert.match(cli.stderr, /^error\[EW_DB_IDENTITY_MISMATCH\]/);
      assert.match(cli.stderr, /hint: .*`envward db stamp --env production`.*DATABASE_URL/);
      assert.deepEqual(await copy.sql<StampRow>(STAMP_ROW), [before], 'the stamp row is unchanged');
      assert.deepEqual(await auditRows(copy), auditBefore, 'nothing audited on the copy');
      const original = await project.open('production');
      assert.deepEqual(original.overrides, [], 'the original still opens');
    });

    test('a copy opened as staging (protected too) is refused', async () => {
      const { project, copy } = await stampedCopy('staging');
      await assert.rejects(openCopy(project, copy, 'staging'), { code: 'EW_DB_IDENTITY_MISMATCH' });
    });

    for (const env of ['development', 'test']) {
      test(`a copy opened in ${env} is taken, its stamp records where it is now (audited) and a warning says so`, async () => {
        const { project, copy } = await stampedCopy(env);
        const [before] = await copy.sql<StampRow>(STAMP_ROW);
        const store = await openCopy(project, copy, env);
        assert.notEqual(store.identity, before?.database);
        assert.equal(store.stamp?.database, store.identity);
        assert.equal(store.stamp?.stampedAt, before?.stamped_at, 'the rest of the stamp is kept');
        assert.equal(store.warnings.length, 1);
        assert.match(store.warnings[0] ?? '', /copied or moved/);
        assert.ok(store.warnings[0]?.includes(String(before?.database)));
        const [row] = await copy.sql<StampRow>(STAMP_ROW);
        assert.equal(row?.database, store.identity);
        const events = await auditRows(copy);
        assert.deepEqual(
          events.map((event) => [event.action, event.environment, event.reason]),
          [
            ['db.stamp', env, null],
            ['db.stamp', env, `automatic: database moved or copied (was ${before?.database})`],
          ],
        );
        await store.close();
        const again = await openCopy(project, copy, env);
        assert.deepEqual(again.warnings, [], 'recorded once');
        assert.equal((await auditRows(copy)).length, 2);
      });
    }

    test('db stamp on the copy records where it is now, without --force, and then production opens it', async () => {
      const { project, copy } = await stampedCopy('production');
      const stamped = await project.cli(['db', 'stamp', '--env', 'production', '--json'], {
        env: { DATABASE_URL: copy.url },
      });
      assert.equal(stamped.code, OK, stamped.stderr);
      const data = JSON.parse(stamped.stdout) as { stamp: { environment: string; database: string } };
      assert.equal(data.stamp.environment, 'production');
      const store = await openCopy(project, copy, 'production');
      assert.equal(store.stamp?.database, store.identity);
      assert.equal(data.stamp.database, store.identity);
      assert.deepEqual(store.overrides, []);
      assert.deepEqual(
        (await auditRows(copy)).map((event) => [event.action, event.environment, event.reason]),
        [
          ['db.stamp', 'production', null],
          ['db.stamp', 'production', null],
        ],
        'the original stamping, then the explicit one on the copy',
      );
      const original = await project.open('production');
      assert.notEqual(original.stamp?.database, store.identity, "the original's stamp is its own");
    });

    test('force with a reason opens the copy, audits the override, and leaves the stamp as it was', async () => {
      const { project, copy } = await stampedCopy('production');
      const [before] = await copy.sql<StampRow>(STAMP_ROW);
      const store = await openCopy(project, copy, 'production', { force: { reason: REASON } });
      assert.deepEqual(
        store.overrides.map((override) => [override.guard, override.reason]),
        [['EW_DB_IDENTITY_MISMATCH', REASON]],
      );
      const events = await auditRows(copy);
      assert.deepEqual(
        events.map((event) => [event.action, event.reason, event.outcome]),
        [
          ['db.stamp', null, 'done'],
          ['guard.override', REASON, 'allowed'],
        ],
      );
      assert.match(events[1]?.target ?? '', /^EW_DB_IDENTITY_MISMATCH /);
      assert.deepEqual(await copy.sql<StampRow>(STAMP_ROW), [before], 'not restamped: the next open is refused again');
      await assert.rejects(openCopy(project, copy, 'production'), { code: 'EW_DB_IDENTITY_MISMATCH' });
    });

    test('db status shows the stamped identity and the current one, with --json too, and writes nothing', async () => {
      const { project, copy } = await stampedCopy('production');
      const [before] = await copy.sql<StampRow>(STAMP_ROW);
      const status = await project.cli(['db', 'status', '--env', 'production'], { env: { DATABASE_URL: copy.url } });
      assert.equal(status.code, PROBLEM, status.stderr);
      assert.ok(status.stdout.includes(`stamped as ${before?.database}: a copy or a move`), status.stdout);
      assert.match(status.stdout, /refused until `envward db stamp --env production`/);
      const json = await project.cli(['db', 'status', '--env', 'production', '--json'], {
        env: { DATABASE_URL: copy.url },
      });
      assert.equal(json.code, PROBLEM, json.stderr);
      const data = JSON.parse(json.stdout);
      assert.equal(data.matches, true, 'the environment matches');
      assert.equal(data.sameDatabase, false);
      assert.equal(data.stamp.database, before?.database);
      assert.match(data.identity, identityPattern(project, copyName(project, copy)));
      assert.notEqual(data.identity, before?.database);

      const own = JSON.parse((await project.cli(['db', 'status', '--env', 'production', '--json'])).stdout);
      assert.equal(own.sameDatabase, true);
      assert.equal(own.identity, own.stamp.database);
      assert.deepEqual(await copy.sql<StampRow>(STAMP_ROW), [before]);
      assert.equal((await auditRows(copy)).length, 1);
    });

    test('preflight production on a copy reports the refusal', async () => {
      const { project, copy } = await stampedCopy('production');
      const report = await runPreflight('production', {
        cwd: project.dir,
        variables: { DATABASE_URL: copy.url },
      });
      const database = report.checks.find((check) => check.name === 'database');
      assert.equal(report.outcome, 'refused');
      assert.equal(database?.status, 'refused');
      assert.equal(database?.findings[0]?.code, 'EW_DB_IDENTITY_MISMATCH');
      assert.equal(report.checks.find((check) => check.name === 'migrations')?.status, 'skipped');
      const cli = await project.cli(['preflight', 'production', '--json'], { env: { DATABASE_URL: copy.url } });
      assert.equal(cli.code, REFUSED, cli.stderr);
      assert.equal(JSON.parse(cli.stdout).outcome, 'refused');
    });

    test('a stamp table made before stamps recorded the database gains the column, and the identity is recorded (audited)', async () => {
      const project = await fresh();
      project.write('var/.keep', '');
      await project.sql(
        "create table envward_stamp (id integer primary key, environment text not null, tier text not null, code text not null, stamped_at text not null, host text not null, actor text not null, project text not null default '')",
      );
      await project.sql(
        "insert into envward_stamp values (1, 'production', 'production', 'PRD', '2026-01-01T00:00:00.000Z', 'old-host', 'old-user', 'store-test')",
      );
      const store = await project.open('production');
      assert.equal(store.stamp?.database, store.identity);
      assert.equal(store.stamp?.stampedAt, '2026-01-01T00:00:00.000Z', 'only the identity is added');
      assert.deepEqual(store.warnings, []);
      assert.deepEqual(
        (await auditRows(project)).map((event) => [event.action, event.environment, event.reason]),
        [['db.stamp', 'production', 'identity recorded']],
      );
      await store.close();
      await (await project.open('production')).close();
      assert.equal((await auditRows(project)).length, 1, 'recorded once');
    });
  });
}

describe('database identity of SQLite files', { concurrency: true }, () => {
  const projects: StoreProject[] = [];
  after(() => Promise.all(projects.map((project) => project.cleanup())));
  /** A project whose file was stamped for `env`, then moved to var/moved.db. */
  const stampedThenMoved = async (env: string) => {
    const project = await makeStoreProject('sqlite');
    projects.push(project);
    await (await project.open(env, { stampMode: 'stamp' })).close();
    renameSync(join(project.dir, 'var/shared.db'), join(project.dir, 'var/moved.db'));
    return project;
  };
  const MOVED = { resolve: { variables: { DATABASE_URL: 'sqlite:var/moved.db' } } };

  test('a file moved to another path is refused in production', async () => {
    const project = await stampedThenMoved('production');
    await assert.rejects(project.open('production', MOVED), { code: 'EW_DB_IDENTITY_MISMATCH' });
  });

  test('a file moved to another path is recorded anew in test, with a warning', async () => {
    const project = await stampedThenMoved('test');
    const store = await project.open('test', MOVED);
    assert.equal(store.stamp?.database, `sqlite:${realpathSync(join(project.dir, 'var/moved.db'))}`);
    assert.equal(store.warnings.length, 1);
  });

  test('a symbolic link to the file is the same database', async () => {
    const project = await makeStoreProject('sqlite');
    projects.push(project);
    await (await project.open('production', { stampMode: 'stamp' })).close();
    symlinkSync(join(project.dir, 'var/shared.db'), join(project.dir, 'var/link.db'));
    const store = await project.open('production', { resolve: { variables: { DATABASE_URL: 'sqlite:var/link.db' } } });
    assert.equal(store.identity, `sqlite:${realpathSync(join(project.dir, 'var/shared.db'))}`);
    assert.deepEqual(store.overrides, []);
  });
});

describe('database identity on PostgreSQL', { concurrency: true }, () => {
  test('a role that may not read the system identifier opens the store with "?" for it; a copy is still refused', async () => {
    const project = await makeStoreProject('postgres');
    const role = await createTestRole('store_app');
    const database = project.database;
    assert.ok(database);
    let copy: DatabaseCopy | undefined;
    try {
      // As a managed server does: pg_control_system() is closed to application roles.
      await database.query('revoke execute on function pg_control_system() from public');
      await database.query(`grant connect, create on database "${database.name}" to "${role.name}"`);
      await database.query(`grant usage, create on schema public to "${role.name}"`);
      const asRole = (name: string) => ({ resolve: { variables: { DATABASE_URL: role.urlFor(name) } } });
      const stamping = await project.open('production', { ...asRole(database.name), stampMode: 'stamp' });
      assert.equal(stamping.identity, `postgres:?/${database.name}/public`);
      assert.equal(stamping.stamp?.database, stamping.identity);
      await stamping.close();
      const again = await project.open('production', asRole(database.name));
      assert.deepEqual(again.overrides, []);
      await again.close();

      // A superuser sees the system identifier: it matches '?', and the stamp now records it.
      const superuser = await project.open('production');
      assert.match(superuser.identity, new RegExp(`^postgres:\\d+/${database.name}/public$`));
      assert.equal(superuser.stamp?.database, superuser.identity);
      await superuser.close();
      const asRoleAfter = await project.open('production', asRole(database.name));
      assert.equal(asRoleAfter.stamp?.database, superuser.identity, 'a role seeing less does not take it back');
      await asRoleAfter.close();
      assert.deepEqual(
        (await database.query<AuditRow>('select * from envward_audit order by seq')).map((row) => [
          row.action,
          row.reason,
        ]),
        [
          ['db.stamp', null],
          ['db.stamp', 'identity recorded'],
        ],
      );

      copy = await copyOf(project);
      const copyName = new URL(copy.url).pathname.slice(1);
      await assert.rejects(project.open('production', asRole(copyName)), { code: 'EW_DB_IDENTITY_MISMATCH' });
    } finally {
      await copy?.drop();
      await project.cleanup();
      await role.drop();
    }
  });

  test('with database.schema, the identity names the schema', async () => {
    const project = await makeStoreProject('postgres', { settings: { staging: 'database:\n  schema: stg\n' } });
    try {
      const store = await project.open('staging', { stampMode: 'stamp' });
      assert.match(store.identity, new RegExp(`^postgres:\\d+/${project.database?.name}/stg$`));
      assert.equal(store.stamp?.database, store.identity);
    } finally {
      await project.cleanup();
    }
  });
});
