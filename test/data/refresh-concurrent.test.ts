/**
 * Two refreshes into one target at once take turns (the target's one
 * transaction and its audit log's write lock): both finish, staging holds
 * production's rows once (not twice, not a mix), and both are audited.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { balances, type DataProject, DIALECTS, FULL_RULES, makeDataProject } from '../support/data-project.ts';

/** Runs at once must be processes of their own to contend (test/support/run-cli.ts). */
const SPAWN = { ENVWARD_TEST_SPAWN: '1' };

const REFRESH = ['data', 'refresh', '--from', 'production', '--to', 'staging', '--reason', 'r'];

for (const dialect of DIALECTS) {
  describe(`two data refreshes at once (${dialect})`, () => {
    let project: DataProject;

    before(async () => {
      project = await makeDataProject(dialect, { rules: FULL_RULES });
      await project.seedProduction(200);
    });
    after(() => project.cleanup());

    test('both finish, one after the other, and staging holds production’s rows once', async () => {
      const results = await Promise.all([project.cli(REFRESH, SPAWN), project.cli(REFRESH, SPAWN)]);
      for (const result of results) assert.equal(result.code, 0, result.stderr);
      const [count] = await project.sql<{ n: unknown }>('staging', 'select count(*) as n from customers');
      assert.equal(Number(count?.n), 200);
      assert.deepEqual(await balances(project, 'staging'), await balances(project, 'production'));
      const events = await project.sql<{ outcome: string }>(
        'staging',
        "select outcome from envward_audit where action = 'data.refresh'",
      );
      assert.deepEqual(
        events.map((event) => event.outcome),
        ['done', 'done'],
      );
    });
  });
}
