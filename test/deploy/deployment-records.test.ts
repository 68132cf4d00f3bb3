/**
 * Deployment records on real SQLite files and a real PostgreSQL database:
 * recordDeployment writes the row and its `deploy.record` audit event
 * together; listDeployments reads only (a fresh database keeps no table and
 * no event); hostile input is refused before anything is opened.
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { isEnvwardError } from '../../src/errors.ts';
import { listDeployments, recordDeployment } from '../../src/runtime/index.ts';
import { makeDeployProject } from '../support/deploy-project.ts';
import { querySqliteFile } from '../support/sqlite-file.ts';
import { DIALECTS, type StoreProject } from '../support/store-project.ts';

function rejectsWith(code: string) {
  return (error: unknown) => {
    assert.ok(isEnvwardError(error), String(error));
    assert.equal(error.code, code, error.message);
    return true;
  };
}

/** The tables of development's database: none when its file does not exist. */
async function tablesOf(project: StoreProject): Promise<string[]> {
  if (project.dialect === 'sqlite') {
    const file = join(project.dir, 'var/development.db');
    if (!existsSync(file)) return [];
    return querySqliteFile<{ name: string }>(file, "select name from sqlite_master where type = 'table'").map(
      (row) => row.name,
    );
  }
  const rows = await project.sql<{ table_name: string }>(
    "select table_name from information_schema.tables where table_schema not in ('pg_catalog', 'information_schema')",
  );
  return rows.map((row) => row.table_name);
}

for (const dialect of DIALECTS) {
  describe(`deployment records (${dialect})`, () => {
    let project: StoreProject;
    before(async () => {
      project = await makeDeployProject(dialect);
    });
    after(() => project.cleanup());

    test('a list on a fresh database lists nothing and leaves no table and no audit event', async () => {
      const list = await listDeployments({ cwd: project.dir, env: 'development', variables: {} });
      assert.deepEqual(list, { environment: 'development', deployments: [] });
      assert.deepEqual(await tablesOf(project), []);
    });

    test('hostile input is refused with its EW_ code and writes nothing anywhere', async () => {
      const base = {
        cwd: project.dir,
        env: 'development',
        variables: {},
        version: '1.0.0',
        outcome: 'started',
      } as const;
      const cases: [Record<string, unknown>, string][] = [
        [{ version: 'x'.repeat(101) }, 'EW_DEPLOY_INPUT'],
        [{ version: 'x'.repeat(5_000_000) }, 'EW_DEPLOY_INPUT'],
        [{ version: '' }, 'EW_DEPLOY_INPUT'],
        [{ version: ' 1.0' }, 'EW_DEPLOY_INPUT'],
        [{ version: '1.0\n2.0' }, 'EW_DEPLOY_INPUT'],
        [{ version: '1.0\u0000' }, 'EW_DEPLOY_INPUT'],
        [{ version: '\u001b[31mred' }, 'EW_DEPLOY_INPUT'],
        [{ version: 'v1\uD800' }, 'EW_DEPLOY_INPUT'],
        [{ version: 42 }, 'EW_DEPLOY_INPUT'],
        [{ commit: 'abc' }, 'EW_DEPLOY_INPUT'],
        [{ commit: 'zzzzzzz' }, 'EW_DEPLOY_INPUT'],
        [{ commit: 'a'.repeat(65) }, 'EW_DEPLOY_INPUT'],
        [{ commit: '5f3a9c1; drop table x' }, 'EW_DEPLOY_INPUT'],
        [{ outcome: 'done' }, 'EW_DEPLOY_INPUT'],
        [{ outcome: "succeeded' or 1=1" }, 'EW_DEPLOY_INPUT'],
        [{ reason: 'line\nbreak' }, 'EW_DEPLOY_INPUT'],
        [{ reason: 'r'.repeat(501) }, 'EW_DEPLOY_INPUT'],
        [{ env: '../production' }, 'EW_ENV_NAME'],
        [{ env: 'nowhere' }, 'EW_ENV_UNKNOWN'],
      ];
      for (const [change, code] of cases) {
        await assert.rejects(
          recordDeployment({ ...base, ...change } as Parameters<typeof recordDeployment>[0]),
          rejectsWith(code),
          JSON.stringify(change).slice(0, 80),
        );
      }
      await assert.rejects(
        listDeployments({ cwd: project.dir, env: 'development', variables: {}, limit: 0 }),
        rejectsWith('EW_DEPLOY_INPUT'),
      );
      await assert.rejects(
        listDeployments({ cwd: project.dir, env: 'development', variables: {}, limit: 1001 }),
        rejectsWith('EW_DEPLOY_INPUT'),
      );
      assert.deepEqual(await tablesOf(project), []);
    });

    test('an error message quotes at most 40 characters of a refused value, control characters escaped', async () => {
      const error = await recordDeployment({
        cwd: project.dir,
        env: 'development',
        variables: {},
        version: `\u0007${'v'.repeat(10_000)}`,
        outcome: 'started',
      }).catch((thrown: unknown) => thrown);
      assert.ok(isEnvwardError(error));
      assert.ok(error.message.length < 300, error.message);
      assert.match(error.message, /\\u0007/);
      assert.ok(!error.message.includes(String.fromCharCode(7)));
    });

    test('record writes the row and its deploy.record audit event; list shows it newest first', async () => {
      const first = await recordDeployment({
        cwd: project.dir,
        env: 'development',
        variables: {},
        version: '1.4.2',
        commit: '5F3A9C1',
        outcome: 'started',
        actor: 'ci:build-7',
      });
      assert.equal(first.commit, '5f3a9c1', 'a commit is kept in lower case');
      const second = await recordDeployment({
        cwd: project.dir,
        env: 'development',
        variables: {},
        version: '1.4.2',
        outcome: 'succeeded',
        reason: 'CHG-12',
        actor: 'ci:build-7',
      });
      assert.equal(second.id, first.id + 1);
      const list = await listDeployments({ cwd: project.dir, env: 'development', variables: {} });
      assert.deepEqual(
        list.deployments.map((entry) => [
          entry.id,
          entry.version,
          entry.commit,
          entry.outcome,
          entry.actor,
          entry.reason,
        ]),
        [
          [second.id, '1.4.2', null, 'succeeded', 'ci:build-7', 'CHG-12'],
          [first.id, '1.4.2', '5f3a9c1', 'started', 'ci:build-7', null],
        ],
      );
      const limited = await listDeployments({ cwd: project.dir, env: 'development', variables: {}, limit: 1 });
      assert.equal(limited.deployments.length, 1);
      const store = await project.open('development', { stampMode: 'read' });
      const events = (await store.audit.list({ action: 'deploy.record' })).map((event) => [
        event.target,
        event.reason,
        event.actor,
      ]);
      assert.deepEqual(events.sort(), [
        [`deployment ${first.id}: 1.4.2 (5f3a9c1) started`, null, 'ci:build-7'],
        [`deployment ${second.id}: 1.4.2 succeeded`, 'CHG-12', 'ci:build-7'],
      ]);
      assert.equal((await store.audit.verify()).ok, true);
    });

    test('the table refuses a row that breaks its rules, written around envward', async () => {
      const table = dialect === 'sqlite' ? null : 'envward_deployments';
      const insert = (outcome: string, version: string) =>
        dialect === 'sqlite'
          ? querySqliteFile(
              join(project.dir, 'var/development.db'),
              'insert into envward_deployments (id, environment, version, outcome, actor, host, at) values ($1, $2, $3, $4, $5, $6, $7)',
              [999, 'development', version, outcome, 'a', 'h', 'now'],
            )
          : project.sql(
              `insert into ${table} (id, environment, version, outcome, actor, host, at) values ($1, $2, $3, $4, $5, $6, $7)`,
              [999, 'development', version, outcome, 'a', 'h', 'now'],
            );
      await assert.rejects(async () => insert('exploded', '1.0'), /check/i);
      await assert.rejects(async () => insert('started', ''), /check/i);
    });
  });
}
