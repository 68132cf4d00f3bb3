/**
 * Runtime revisions as a user meets them, through the built CLI (`npm run
 * build` first), on a real SQLite file and a real PostgreSQL database: each
 * act validated before it writes, recorded with actor and reason, audited in
 * the environment's chain; refusals write nothing; secrets never shown.
 */
import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { assertNoCanary, makeCanary } from '../support/canary.ts';
import { createTestDatabase, type TestDatabase } from '../support/postgres.ts';
import { runCli } from '../support/run-cli.ts';
import { querySqliteFile } from '../support/sqlite-file.ts';
import { type TempProject, writeStandardProject } from '../support/temp-project.ts';

/** Runs at once must be processes of their own to contend (test/support/run-cli.ts). */
const SPAWN = { ENVWARD_TEST_SPAWN: '1' };

type Dialect = 'sqlite' | 'postgres';
const ENVIRONMENTS = ['development', 'test', 'staging', 'production', 'qa'];

interface Project {
  readonly dir: string;
  readonly dialect: Dialect;
  readonly canary: string;
  cli(args: readonly string[], env?: Record<string, string | undefined>): ReturnType<typeof runCli>;
  json<T>(args: readonly string[]): Promise<T>;
  /** Revision rows of one environment, read around envward. */
  revisions(env: string): Promise<{ number: number; action: string; reason: string; actor: string }[]>;
}

const cleanups: (() => Promise<void> | void)[] = [];
after(async () => {
  for (const cleanup of cleanups) await cleanup();
});

/** Where each environment's revisions are, for reading them around envward. */
type Databases = Map<string, TestDatabase>;

/** On PostgreSQL: development and test share one database (a schema each); each protected environment has its own. */
async function postgresDatabases(): Promise<Databases> {
  const shared = await createTestDatabase('revisions');
  const databases: Databases = new Map([
    ['development', shared],
    ['test', shared],
  ]);
  for (const env of ['staging', 'production', 'qa']) databases.set(env, await createTestDatabase(`revisions_${env}`));
  cleanups.push(async () => {
    await Promise.all([...new Set(databases.values())].map((database) => database.drop()));
  });
  return databases;
}

async function makeProject(dialect: Dialect): Promise<Project> {
  const databases = dialect === 'postgres' ? await postgresDatabases() : undefined;
  const files: Record<string, string> = {};
  for (const env of ENVIRONMENTS) {
    const level =
      env === 'production' ? 'log:\n  level: warn\n' : env === 'development' ? 'log:\n  level: debug\n' : '';
    const database = databases?.get(env);
    const where = database
      ? `database:\n  url: ${database.url}\n  schema: ${env}\n`
      : `database:\n  url: sqlite:var/${env}/app.db\n`;
    files[`config/environments/${env}/settings.yml`] = `${level}${where}`;
  }
  const temp: TempProject = writeStandardProject({ files });
  cleanups.push(() => temp.cleanup());
  const canary = makeCanary('payments');
  const cli = (args: readonly string[], env: Record<string, string | undefined> = {}) =>
    runCli(args, { cwd: temp.dir, env: { NO_COLOR: '1', PAYMENTS_API_KEY: canary, ...env } });
  for (const env of ['staging', 'production', 'qa']) {
    const stamped = await cli(['db', 'stamp', '--env', env]);
    assert.equal(stamped.code, 0, stamped.stderr);
  }
  return {
    dir: temp.dir,
    dialect,
    canary,
    cli,
    async json<T>(args: readonly string[]) {
      const result = await cli([...args, '--json']);
      assert.equal(result.code, 0, `${args.join(' ')}: ${result.stderr}`);
      assertNoCanary(result.stdout + result.stderr, [canary], args.join(' '));
      return JSON.parse(result.stdout) as T;
    },
    async revisions(env: string) {
      const text =
        'select number, action, reason, actor from envward_config_revision where environment = $1 order by number';
      const database = databases?.get(env);
      try {
        if (database)
          return await database.query(text.replace('envward_config_revision', `"${env}".envward_config_revision`), [
            env,
          ]);
        return await querySqliteFile(`${temp.dir}/var/${env}/app.db`, text, [env]);
      } catch (error) {
        if (/no such table|does not exist/.test(String(error))) return [];
        throw error;
      }
    },
  };
}

interface Result {
  revision: number;
  previous: number;
  changes: { key: string; from: string | null; to: string | null }[];
  live: string[];
  pending: string[];
  written: boolean;
}

for (const dialect of ['sqlite', 'postgres'] as const) {
  describe(`config revisions on ${dialect}`, { concurrency: true }, () => {
    test('set validates before writing, records actor and reason, is audited; rollback to 0 restores', async () => {
      const project = await makeProject(dialect);
      const invalid = await project.cli(['config', 'set', 'log.level=loud', '--env', 'staging', '--reason', 'r']);
      assert.equal(invalid.code, 1, invalid.stderr);
      assert.match(invalid.stderr, /EW_CONFIG_INVALID/);
      assert.match(invalid.stderr, /log\.level/);
      assert.deepEqual(await project.revisions('staging'), [], 'a refused value writes no revision');

      const verbose = await project.cli(['config', 'set', 'log.level=debug', '--env', 'staging', '--reason', 'r']);
      assert.equal(verbose.code, 1, verbose.stderr);
      assert.match(verbose.stderr, /EW_RULE_LOG_LEVEL/, "the staging tier's rules apply to revisions too");
      const set = await project.json<Result>([
        'config',
        'set',
        'log.level=error',
        'app.port=4100',
        '--env',
        'staging',
        '--reason',
        'INC-42',
      ]);
      assert.equal(set.revision, 1);
      assert.deepEqual(set.live, ['log.level']);
      assert.deepEqual(set.pending, ['app.port'], 'a restart key is accepted as pending');
      const show = await project.json<{ revision: number; keys: { key: string; value: unknown; source: string }[] }>([
        'config',
        'show',
        '--env',
        'staging',
      ]);
      assert.equal(show.revision, 1);
      assert.deepEqual(
        show.keys.find((row) => row.key === 'log.level'),
        { key: 'log.level', value: 'error', secret: false, source: 'revision 1', layer: 'runtime-revisions' },
      );

      const history = await project.json<{
        revisions: { number: number; actor: string; reason: string; changes: unknown[] }[];
      }>(['config', 'history', '--env', 'staging']);
      assert.equal(history.revisions.length, 1);
      assert.equal(history.revisions[0]?.reason, 'INC-42');
      assert.ok(history.revisions[0]?.actor, 'the actor is recorded');
      assert.deepEqual(history.revisions[0]?.changes, [
        { key: 'app.port', from: null, to: '4100' },
        { key: 'log.level', from: null, to: 'error' },
      ]);
      const byKey = await project.json<{ revisions: unknown[] }>([
        'config',
        'history',
        '--env',
        'staging',
        '--key',
        'app.name',
      ]);
      assert.equal(byKey.revisions.length, 0);

      const rollback = await project.json<Result>([
        'config',
        'rollback',
        '--to',
        '0',
        '--env',
        'staging',
        '--reason',
        'undo',
      ]);
      assert.equal(rollback.revision, 2, 'a rollback is a new revision, never a rewrite');
      const after = await project.json<{ keys: { key: string; value: unknown; source: string }[] }>([
        'config',
        'show',
        '--env',
        'staging',
      ]);
      assert.equal(after.keys.find((row) => row.key === 'log.level')?.value, 'info');

      const audit = await project.cli(['audit', 'list', '--env', 'staging']);
      assert.match(audit.stdout, /config\.set revision 1: app\.port, log\.level/);
      assert.match(audit.stdout, /config\.rollback revision 2 \(back to 0\)/);
      const verify = await project.cli(['audit', 'verify', '--env', 'staging']);
      assert.equal(verify.code, 0, verify.stdout + verify.stderr);
      assertNoCanary(audit.stdout + verify.stdout, [project.canary], 'audit');
    });

    test('refusals write nothing: secret and store keys, unknown keys, no reason in production, tier rules', async () => {
      const project = await makeProject(dialect);
      const cases: [string[], number, RegExp][] = [
        [['config', 'set', `payments.apiKey=${project.canary}`, '--env', 'development'], 3, /EW_REVISION_KEY/],
        [['config', 'set', 'database.url=sqlite:elsewhere.db', '--env', 'development'], 3, /EW_REVISION_KEY/],
        [['config', 'set', 'database.schema=other', '--env', 'development'], 3, /EW_REVISION_KEY/],
        [['config', 'set', 'log.levle=info', '--env', 'development'], 2, /EW_CONFIG_KEY[\s\S]*log\.level/],
        [['config', 'set', 'log.level=info', '--env', 'production'], 2, /EW_REASON_REQUIRED/],
        [
          ['config', 'set', 'log.level=debug', '--env', 'production', '--reason', 'r'],
          1,
          /EW_CONFIG_INVALID[\s\S]*EW_RULE_LOG_LEVEL/,
        ],
        [['config', 'set', '=x', '--env', 'development'], 2, /EW_USAGE/],
        [
          ['config', 'set', `app.name=${'x'.repeat(70_000)}`, '--env', 'development'],
          2,
          /EW_USAGE[\s\S]*up to 65536 bytes/,
        ],
        [['config', 'set', '--env', 'development'], 2, /EW_USAGE/],
        [['config', 'rollback', '--to', '7', '--env', 'development'], 2, /EW_REVISION_NOT_FOUND/],
        [['config', 'rollback', '--to', '-1', '--env', 'development'], 2, /EW_USAGE/],
        [['config', 'rollback', '--to', '0', '--env', 'development'], 2, /EW_REVISION_NO_CHANGE/],
        [['config', 'promote', '--from', 'development', '--to', 'production', '--reason', 'r'], 2, /EW_USAGE/],
        [
          ['config', 'promote', 'log.level', '--from', 'development', '--to', 'production', '--reason', 'r'],
          1,
          /EW_RULE_LOG_LEVEL/,
        ],
      ];
      for (const [args, code, pattern] of cases) {
        const result = await project.cli(args);
        const label = `${args.join(' ')}: exit ${result.code}\n${result.stderr}`;
        assert.equal(result.code, code, label);
        assert.match(result.stderr, pattern, label);
        assertNoCanary(result.stdout + result.stderr, [project.canary], label);
      }
      for (const env of ['development', 'production']) assert.deepEqual(await project.revisions(env), [], env);
    });

    test('promote copies named keys, or every key the source revisions set, into the target', async () => {
      const project = await makeProject(dialect);
      await project.json([
        'config',
        'set',
        'app.name=renamed',
        'log.level=error',
        '--env',
        'staging',
        '--reason',
        'rehearsal',
      ]);
      const named = await project.json<Result>([
        'config',
        'promote',
        'app.name',
        '--from',
        'staging',
        '--to',
        'production',
        '--reason',
        'CHG-1',
      ]);
      assert.deepEqual(named.changes, [{ key: 'app.name', from: null, to: 'renamed' }]);
      const all = await project.json<Result>([
        'config',
        'promote',
        '--all',
        '--from',
        'staging',
        '--to',
        'production',
        '--reason',
        'CHG-2',
      ]);
      assert.deepEqual(all.changes, [{ key: 'log.level', from: null, to: 'error' }]);
      const rows = await project.revisions('production');
      assert.deepEqual(
        rows.map((row) => [Number(row.number), row.action, row.reason]),
        [
          [1, 'promote', 'CHG-1'],
          [2, 'promote', 'CHG-2'],
        ],
      );
      const audit = await project.cli(['audit', 'list', '--env', 'production']);
      assert.match(audit.stdout, /config\.promote revision 1 from staging: app\.name/);
      assert.doesNotMatch((await project.cli(['audit', 'list', '--env', 'staging'])).stdout, /config\.promote/);
      const dry = await project.json<Result>([
        'config',
        'set',
        'app.name=again',
        '--env',
        'production',
        '--reason',
        'r',
        '--dry-run',
      ]);
      assert.equal(dry.written, false);
      assert.equal((await project.revisions('production')).length, 2, 'a dry run writes nothing');
    });

    test('each environment has its own revisions, even in one database', async () => {
      const project = await makeProject(dialect);
      await project.json(['config', 'set', 'app.name=dev-only', '--env', 'development']);
      const test = await project.json<{ revision: number; keys: { key: string; value: unknown }[] }>([
        'config',
        'show',
        '--env',
        'test',
      ]);
      assert.equal(test.revision, 0);
      assert.equal(test.keys.find((row) => row.key === 'app.name')?.value, 'test-project');
    });

    test('two operators at once get consecutive numbers, each audited, the chain intact', async () => {
      const project = await makeProject(dialect);
      const results = await Promise.all(
        Array.from({ length: 6 }, (_, index) =>
          project.cli(
            ['config', 'set', `app.name=writer-${index}`, '--env', 'qa', '--reason', `writer ${index}`],
            SPAWN,
          ),
        ),
      );
      for (const result of results) assert.equal(result.code, 0, result.stderr);
      const rows = await project.revisions('qa');
      assert.deepEqual(
        rows.map((row) => Number(row.number)),
        [1, 2, 3, 4, 5, 6],
      );
      const audit = await project.cli(['audit', 'list', '--env', 'qa', '--json']);
      const events = JSON.parse(audit.stdout) as { events?: { action: string }[] } | { action: string }[];
      const list = Array.isArray(events) ? events : (events.events ?? []);
      assert.equal(list.filter((event) => event.action === 'config.set').length, 6);
      assert.equal((await project.cli(['audit', 'verify', '--env', 'qa'])).code, 0);
    });

    test('killed between the revision and its audit event, nothing is written', async () => {
      const project = await makeProject(dialect);
      const killed = await project.cli(['config', 'set', 'app.name=half', '--env', 'qa', '--reason', 'r'], {
        ENVWARD_FAILPOINT: 'revision-before-audit',
      });
      assert.equal(killed.code, -1, 'killed by SIGKILL');
      assert.deepEqual(await project.revisions('qa'), []);
      const verify = await project.cli(['audit', 'verify', '--env', 'qa']);
      assert.equal(verify.code, 0, verify.stdout + verify.stderr);
      const retried = await project.json<Result>(['config', 'set', 'app.name=half', '--env', 'qa', '--reason', 'r']);
      assert.equal(retried.revision, 1);
    });
  });
}

describe('revisions and hostile input', { concurrency: true }, () => {
  test('an invalid value is refused as invalid even where the store cannot be opened', async () => {
    const project = await makeProject('sqlite');
    const nowhere = { DATABASE_URL: 'sqlite:var/nowhere/app.db' };
    const invalid = await project.cli(
      ['config', 'set', 'log.level=loud', '--env', 'staging', '--reason', 'r'],
      nowhere,
    );
    assert.equal(invalid.code, 1, invalid.stderr);
    assert.match(invalid.stderr, /EW_CONFIG_INVALID[\s\S]*log\.level/);
    const valid = await project.cli(['config', 'set', 'log.level=warn', '--env', 'staging', '--reason', 'r'], nowhere);
    assert.match(valid.stderr, /EW_DB_MISSING[\s\S]*db stamp --env staging/);
  });

  test('a value with control characters is stored as given and printed escaped', async () => {
    const project = await makeProject('sqlite');
    const result = await project.cli([
      'config',
      'set',
      'app.name=evil\n  app.port 1  <- faked',
      '--env',
      'development',
    ]);
    assert.equal(result.code, 0, result.stderr);
    const history = await project.cli(['config', 'history', '--env', 'development']);
    assert.match(history.stdout, /evil\\n {2}app\.port 1/);
    assert.doesNotMatch(history.stdout, /^ {2}app\.port 1/m);
  });

  test('a revision a newer schema no longer accepts is a warning, not a refused start', async () => {
    const project = await makeProject('sqlite');
    await project.json(['config', 'set', 'app.name=kept', '--env', 'development']);
    // The revision table edited around envward: a key the schema does not declare.
    await querySqliteFile(
      `${project.dir}/var/development/app.db`,
      `update envward_config_revision set state = '{"app.name":"kept","app.gone":"x"}'`,
    );
    const show = await project.cli(['config', 'show', '--env', 'development']);
    assert.equal(show.code, 0, show.stderr);
    assert.match(show.stderr, /EW_WARN_REVISION_KEY_DROPPED[\s\S]*app\.gone/);
    await querySqliteFile(`${project.dir}/var/development/app.db`, `update envward_config_revision set state = '[1]'`);
    const corrupt = await project.cli(['config', 'show', '--env', 'development']);
    assert.equal(corrupt.code, 0, corrupt.stderr);
    assert.match(corrupt.stderr, /EW_REVISION_CORRUPT/);
  });
});
