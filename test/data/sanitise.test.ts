/**
 * `envward data sanitise --env E` rewrites E's own data in place through the
 * rules, verified and audited; refused for staging and production (exit 3).
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { balances, type DataProject, DIALECTS, makeDataProject } from '../support/data-project.ts';
import { json } from '../support/migrate-project.ts';

for (const dialect of DIALECTS) {
  describe(`data sanitise (${dialect})`, () => {
    let project: DataProject;

    before(async () => {
      project = await makeDataProject(dialect);
      // Real-looking rows that reached the test database some other way.
      await project.sql(
        'test',
        "insert into customers (id, name, email) values (1, 'Leaked Realname', 'real@corp.example')",
      );
      await project.sql('test', "insert into accounts (id, customer_id, owner) values (1, 1, 'Leaked Realname')");
      await project.sql('test', "insert into postings (id, account_id, amount, memo) values (1, 1, 700, 'x')");
    });
    after(() => project.cleanup());

    test('staging and production are refused with exit 3', async () => {
      for (const env of ['staging', 'production']) {
        const result = await project.cli(['data', 'sanitise', '--env', env, '--reason', 'r']);
        assert.equal(result.code, 3, result.stderr);
        assert.match(result.stderr, /EW_SANITISE_TARGET/);
      }
    });

    test('test is rewritten in place, balances untouched, and audited as data.sanitise', async () => {
      const before = await balances(project, 'test');
      const result = await project.cli(['data', 'sanitise', '--env', 'test', '--reason', 'fixtures', '--json']);
      assert.equal(result.code, 0, result.stderr);
      assert.deepEqual((json(result).verification as { leaks: string[] }).leaks, []);
      const rows = await project.sql<{ name: string; email: string; owner: string }>(
        'test',
        'select c.name, c.email, a.owner from customers c join accounts a on a.customer_id = c.id',
      );
      assert.equal(rows.length, 1);
      assert.notEqual(rows[0]?.name, 'Leaked Realname');
      assert.equal(rows[0]?.owner, rows[0]?.name);
      assert.match(rows[0]?.email ?? '', /@anonymised\.invalid$/);
      assert.deepEqual(await balances(project, 'test'), before);
      const events = await project.sql<{ action: string; reason: string; outcome: string }>(
        'test',
        "select action, reason, outcome from envward_audit where action = 'data.sanitise'",
      );
      assert.deepEqual(events, [{ action: 'data.sanitise', reason: 'fixtures', outcome: 'done' }]);
    });
  });
}
