/**
 * Which database a store opens and what happens when it cannot: the
 * `database.*` keys and DATABASE_URL, a PostgreSQL server that is down
 * (EW_DB_UNAVAILABLE, host and port, never the password), the development
 * fallback to SQLite and the protected tiers that never fall back, and the
 * per-environment pool size and statement timeout on a real PostgreSQL.
 */
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { existsSync } from 'node:fs';
import { type AddressInfo, createServer, type Socket } from 'node:net';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { sql } from 'kysely';
import { DIALECTS, makeStoreProject, type StoreProject, UNREACHABLE_PG } from '../support/store-project.ts';

const OK = 0;
const PROBLEM = 1;
const PASSWORD = new URL(UNREACHABLE_PG).password;

describe('a PostgreSQL that cannot be reached or used', { concurrency: true }, () => {
  const projects: StoreProject[] = [];
  const fresh = async (base = `database:\n  url: ${UNREACHABLE_PG}\n  fallback: sqlite:var/fallback.db\n`) => {
    const project = await makeStoreProject('sqlite', { files: { 'config/base.yml': base } });
    projects.push(project);
    return project;
  };
  after(() => Promise.all(projects.map((project) => project.cleanup())));

  for (const env of ['production', 'staging', 'test']) {
    test(`is EW_DB_UNAVAILABLE in ${env}, naming host and port but not the password, with no fallback to SQLite`, async () => {
      const project = await fresh();
      await assert.rejects(project.open(env), (error: Error & { code?: string; details?: object }) => {
        assert.equal(error.code, 'EW_DB_UNAVAILABLE');
        assert.match(
          error.message,
          new RegExp(`^${env} cannot reach its database at postgres://127\\.0\\.0\\.1:1/app: `),
        );
        if (env !== 'test') assert.match(error.message, /is protected and never falls back to SQLite/);
        assert.ok(!JSON.stringify({ message: error.message, details: error.details }).includes(PASSWORD));
        return true;
      });
      assert.equal(existsSync(join(project.dir, 'var', 'fallback.db')), false, 'no SQLite file was made');
    });
  }

  test("a database that does not exist is EW_DB_UNAVAILABLE in the server's words, without the password", async () => {
    const project = await makeStoreProject('postgres');
    projects.push(project);
    const missing = new URL(project.url);
    missing.password = PASSWORD;
    missing.pathname = '/envward_test_no_such_database';
    await assert.rejects(
      project.open('production', { resolve: { variables: { DATABASE_URL: missing.toString() } } }),
      (error: Error & { code?: string }) => {
        assert.equal(error.code, 'EW_DB_UNAVAILABLE');
        assert.ok(
          error.message.includes(
            `at postgres://${missing.host}/envward_test_no_such_database: database "envward_test_no_such_database" does not exist (3D000).`,
          ),
          error.message,
        );
        assert.ok(!error.message.includes(PASSWORD));
        return true;
      },
    );
  });

  test('database.connectTimeoutMs bounds the wait for a server that accepts but never answers', async () => {
    // A TCP server that takes connections and says nothing: the PostgreSQL handshake never ends.
    const sockets: Socket[] = [];
    const silent = createServer((socket) => sockets.push(socket));
    silent.listen(0, '127.0.0.1');
    await once(silent, 'listening');
    try {
      const { port } = silent.address() as AddressInfo;
      const project = await fresh(
        `database:\n  url: postgres://app:${PASSWORD}@127.0.0.1:${port}/app\n  connectTimeoutMs: 300\n`,
      );
      const started = performance.now();
      await assert.rejects(project.open('production'), (error: Error & { code?: string }) => {
        assert.equal(error.code, 'EW_DB_UNAVAILABLE');
        assert.match(error.message, new RegExp(`at postgres://127\\.0\\.0\\.1:${port}/app: .*timeout`, 'i'));
        assert.ok(!error.message.includes(PASSWORD));
        return true;
      });
      const waited = performance.now() - started;
      // Under the default 5 s (what a timeout not applied would wait), with room for a loaded machine.
      assert.ok(waited >= 250 && waited < 4500, `waited ${Math.round(waited)} ms for a 300 ms timeout`);
    } finally {
      for (const socket of sockets) socket.destroy();
      silent.close();
    }
  });

  test('is exit 1 from the CLI, with the password in neither stdout nor stderr', async () => {
    const project = await fresh();
    for (const args of [
      ['db', 'status', '--env', 'production'],
      ['audit', 'list', '--env', 'production', '--json'],
    ]) {
      const result = await project.cli(args);
      assert.equal(result.code, PROBLEM, result.stderr);
      assert.match(
        result.stderr,
        /^error\[EW_DB_UNAVAILABLE\]: production cannot reach its database at postgres:\/\/127\.0\.0\.1:1\/app/,
      );
      assert.ok(!`${result.stdout}${result.stderr}`.includes(PASSWORD), 'the password is never printed');
      if (args.includes('--json')) assert.equal(JSON.parse(result.stdout).error.code, 'EW_DB_UNAVAILABLE');
    }
    assert.equal(existsSync(join(project.dir, 'var')), false, 'nothing was written under var/');
  });

  test('development falls back to the configured SQLite file, with a warning', async () => {
    const project = await fresh();
    const store = await project.open('development');
    assert.equal(store.dialect, 'sqlite');
    assert.equal(store.where, 'sqlite:var/fallback.db');
    assert.equal(store.warnings.length, 1);
    assert.match(store.warnings[0] ?? '', /127\.0\.0\.1:1.*Falling back to sqlite:var\/fallback\.db/);
    assert.ok(!store.warnings[0]?.includes(PASSWORD));
    assert.equal(store.stamp?.environment, 'development');
    assert.ok(existsSync(join(project.dir, 'var', 'fallback.db')));

    const cli = await project.cli(['db', 'status', '--env', 'development']);
    assert.equal(cli.code, OK, cli.stderr);
    assert.match(cli.stderr, /^warning: .*Falling back to sqlite:var\/fallback\.db/);
  });

  test('development without database.fallback is EW_DB_UNAVAILABLE too', async () => {
    const project = await fresh(`database:\n  url: ${UNREACHABLE_PG}\n`);
    await assert.rejects(project.open('development'), (error: Error & { code?: string }) => {
      assert.equal(error.code, 'EW_DB_UNAVAILABLE');
      assert.match(error.message, /^development cannot reach its database at postgres:\/\/127\.0\.0\.1:1\/app: /);
      assert.match((error as Error & { hint?: string }).hint ?? '', /database\.fallback/);
      return true;
    });
    assert.equal(existsSync(join(project.dir, 'var')), false);
  });
});

for (const dialect of DIALECTS) {
  describe(`database.url and DATABASE_URL on ${dialect}`, { concurrency: true }, () => {
    const projects: StoreProject[] = [];
    const fresh = async () => {
      const project = await makeStoreProject(dialect);
      projects.push(project);
      return project;
    };
    after(() => Promise.all(projects.map((project) => project.cleanup())));

    test('DATABASE_URL overrides database.url', async () => {
      const project = await fresh();
      // The configured URL is unreachable: only the variable's database can open.
      project.write('config/base.yml', `database:\n  url: ${UNREACHABLE_PG}\n`);
      const store = await project.open('development', { resolve: { variables: { DATABASE_URL: project.url } } });
      assert.equal(store.dialect, dialect);
      assert.equal(store.stamp?.environment, 'development');
      const cli = await project.cli(['db', 'status', '--env', 'development', '--json'], {
        env: { DATABASE_URL: project.url },
      });
      assert.equal(cli.code, OK, cli.stderr);
      assert.equal(JSON.parse(cli.stdout).dialect, dialect);
      assert.equal(JSON.parse(cli.stdout).stamp.environment, 'development');
    });

    test('a URL that is neither sqlite: nor postgres:// fails validation at its variable (the database settings own the type)', async () => {
      const project = await fresh();
      await assert.rejects(
        project.open('development', { resolve: { variables: { DATABASE_URL: 'mysql://user:pw-hidden@db/app' } } }),
        (error: Error & { code?: string }) => {
          assert.equal(error.code, 'EW_CONFIG_INVALID');
          assert.match(error.message, /database\.url \[development\] at \$DATABASE_URL: must be sqlite:<path>/);
          assert.ok(!error.message.includes('pw-hidden'), 'the URL is never quoted');
          return true;
        },
      );
    });

    test('where the store is can be printed: no password in it', async () => {
      const project = await fresh();
      const store = await project.open('development');
      if (dialect === 'sqlite') {
        assert.equal(store.where, 'sqlite:var/shared.db');
        assert.ok(existsSync(join(project.dir, 'var', 'shared.db')), 'a relative sqlite: path is under the project');
      } else {
        assert.equal(store.where, `postgres://127.0.0.1:5432/${project.database?.name}`);
      }
    });
  });
}

describe('per-environment pool size and statement timeout on postgres', { concurrency: true }, () => {
  const projects: StoreProject[] = [];
  after(() => Promise.all(projects.map((project) => project.cleanup())));

  test('database.statementTimeoutMs cancels a longer statement', async () => {
    const project = await makeStoreProject('postgres', {
      settings: { development: 'database:\n  statementTimeoutMs: 150\n' },
    });
    projects.push(project);
    const store = await project.open('development');
    const timeout = await sql<{ statement_timeout: string }>`show statement_timeout`.execute(store.db);
    assert.equal(timeout.rows[0]?.statement_timeout, '150ms');
    await assert.rejects(sql`select pg_sleep(2)`.execute(store.db), { code: '57014' });
    const other = await project.open('development', { resolve: { set: { 'database.statementTimeoutMs': '5000' } } });
    const longer = await sql<{ statement_timeout: string }>`show statement_timeout`.execute(other.db);
    assert.equal(longer.rows[0]?.statement_timeout, '5s');
  });

  test('database.poolSize bounds the connections one store opens', async () => {
    const project = await makeStoreProject('postgres', { settings: { development: 'database:\n  poolSize: 2\n' } });
    projects.push(project);
    const store = await project.open('development');
    const pids = await Promise.all(
      Array.from({ length: 6 }, () =>
        sql<{ pid: number }>`select pg_backend_pid() as pid, pg_sleep(0.05)`.execute(store.db),
      ),
    );
    const distinct = new Set(pids.map((result) => result.rows[0]?.pid));
    assert.ok(distinct.size <= 2, `${distinct.size} connections for a pool of 2`);
  });
});
