/**
 * A refresh writes all or nothing: a leak found by the verification rolls
 * it back (audited as failed in both environments, exit 1), and a process
 * killed after the copy or after the verification (ENVWARD_FAILPOINT)
 * leaves the target as it was. The database password (a secret) never
 * reaches stdout, stderr, --json or the audit log.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { assertNoCanary, makeCanary } from '../support/canary.ts';
import { balances, type DataProject, DIALECTS, FULL_RULES, makeDataProject } from '../support/data-project.ts';

const REFRESH = ['data', 'refresh', '--from', 'production', '--to', 'staging', '--reason', 'r'];

async function stagingState(project: DataProject) {
  return {
    names: (await project.sql<{ name: string }>('staging', 'select name from customers order by id')).map(
      (row) => row.name,
    ),
    balances: await balances(project, 'staging'),
    postings: (await project.sql<{ n: unknown }>('staging', 'select count(*) as n from postings'))[0]?.n,
  };
}

for (const dialect of DIALECTS) {
  describe(`data refresh all or nothing (${dialect})`, () => {
    let project: DataProject;
    const canary = makeCanary('dbpassword');

    before(async () => {
      // `owner` kept: it holds the very names customers.name fakes.
      project = await makeDataProject(dialect, {
        rules: FULL_RULES.replace("owner: 'fake.person.fullName'", "owner: 'keep'"),
        ...(dialect === 'postgres' ? { password: canary } : {}),
      });
      await project.seedProduction(50);
      await project.sql('staging', "insert into customers (id, name) values (1, 'Staging Own')");
      await project.sql('staging', "insert into accounts (id, customer_id, owner) values (1, 1, 'Staging Own')");
      await project.sql('staging', 'insert into postings (id, account_id, amount) values (1, 1, 42)');
    });
    after(() => project.cleanup());

    test('a kept column holding a rewritten column’s values fails the refresh, rolls it back and is audited as failed in both', async () => {
      const before = await stagingState(project);
      const result = await project.cli([...REFRESH, '--json']);
      assert.equal(result.code, 1, result.stderr);
      assert.match(result.stderr, /EW_REFRESH_LEAK/);
      assert.match(result.stderr, /accounts\.owner/);
      assert.doesNotMatch(result.stderr + result.stdout, /Prodname/);
      assert.deepEqual(await stagingState(project), before);
      for (const env of ['production', 'staging']) {
        const events = await project.sql<{ target: string; outcome: string }>(
          env,
          "select target, outcome from envward_audit where action = 'data.refresh'",
        );
        assert.deepEqual(
          events.map((event) => event.outcome),
          ['failed'],
          env,
        );
        assert.match(events[0]?.target ?? '', /EW_REFRESH_LEAK in accounts\.owner/);
      }
    });

    for (const point of ['refresh:copied', 'refresh:verified']) {
      test(`a process killed at ${point} leaves staging as it was`, async () => {
        const config = (await import('node:fs')).readFileSync(`${project.dir}/envward.config.ts`, 'utf8');
        // No leak this time: the kill, not the verification, stops it.
        project.write('envward.config.ts', config.replace("owner: 'keep'", "owner: 'fake.person.fullName'"));
        try {
          const before = await stagingState(project);
          const auditBefore = await project.sql('staging', 'select seq from envward_audit');
          const result = await project.cli(REFRESH, { ENVWARD_FAILPOINT: point });
          assert.equal(result.code, -1, `expected a kill: ${result.stderr}`);
          assert.deepEqual(await stagingState(project), before);
          assert.equal((await project.sql('staging', 'select seq from envward_audit')).length, auditBefore.length);
        } finally {
          project.write('envward.config.ts', config);
        }
      });
    }

    test('the database password never appears in output, --json or either audit log', async () => {
      const config = (await import('node:fs')).readFileSync(`${project.dir}/envward.config.ts`, 'utf8');
      project.write('envward.config.ts', config.replace("owner: 'keep'", "owner: 'fake.person.fullName'"));
      try {
        const text = await project.cli(REFRESH);
        assert.equal(text.code, 0, text.stderr);
        const json = await project.cli([...REFRESH, '--json']);
        assert.equal(json.code, 0, json.stderr);
        assert.deepEqual(await balances(project, 'staging'), await balances(project, 'production'));
        const audits = [
          ...(await project.sql('production', 'select * from envward_audit')),
          ...(await project.sql('staging', 'select * from envward_audit')),
        ];
        for (const [where, output] of [
          ['stdout', text.stdout],
          ['stderr', text.stderr],
          ['--json stdout', json.stdout],
          ['--json stderr', json.stderr],
          ['audit logs', JSON.stringify(audits)],
        ] as const) {
          assertNoCanary(output, [canary], where);
        }
      } finally {
        project.write('envward.config.ts', config);
      }
    });
  });
}
