/**
 * Keys and foreign keys are made again (PostgreSQL) or checked as rows go in
 * (SQLite) inside the refresh's one transaction: a rule that makes every key
 * the same, or points a foreign key nowhere, fails the refresh and leaves the
 * target as it was, with its keys and constraints in place.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { type DataProject, DIALECTS, FULL_RULES, makeDataProject } from '../support/data-project.ts';

const REFRESH = ['data', 'refresh', '--from', 'production', '--to', 'staging', '--reason', 'r'];

for (const dialect of DIALECTS) {
  for (const [what, from, to] of [
    ['a duplicate primary key', "  customers: {\n    id: 'keep',", "  customers: {\n    id: () => '7',"],
    ['a foreign key to nowhere', "customer_id: 'keep'", "customer_id: () => '999999'"],
  ] as const) {
    describe(`data refresh with a rule that makes ${what} (${dialect})`, () => {
      let project: DataProject;

      before(async () => {
        project = await makeDataProject(dialect, { rules: FULL_RULES.replace(from, to) });
        await project.seedProduction(20);
        await project.sql('staging', "insert into customers (id, name) values (1, 'Staging Own')");
      });
      after(() => project.cleanup());

      test('fails, and staging keeps its rows and its constraints', async () => {
        const result = await project.cli(REFRESH);
        assert.notEqual(result.code, 0, result.stdout);
        assert.match(result.stderr, /EW_REFRESH_COPY/);
        const names = await project.sql<{ name: string }>('staging', 'select name from customers');
        assert.deepEqual(
          names.map((row) => row.name),
          ['Staging Own'],
        );
        // The primary key still holds: a second row with id 1 is refused.
        await assert.rejects(project.sql('staging', "insert into customers (id, name) values (1, 'Twice')"));
      });
    });
  }
}
