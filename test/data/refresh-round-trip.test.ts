/**
 * `envward data refresh --from production --to staging` on both dialects:
 * staging stays staging's, holds no production name or address, its
 * balances equal production's (its triggers did not fire), and both audit
 * logs record the refresh.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { balances, type DataProject, DIALECTS, makeDataProject } from '../support/data-project.ts';
import { json } from '../support/migrate-project.ts';

for (const dialect of DIALECTS) {
  describe(`data refresh round trip (${dialect})`, () => {
    let project: DataProject;
    let result: Awaited<ReturnType<DataProject['cli']>>;

    before(async () => {
      project = await makeDataProject(dialect);
      await project.seedProduction(1_000);
      // Staging's own rows, which the refresh replaces.
      await project.sql('staging', "insert into customers (id, name) values (99999, 'Old Staging')");
      result = await project.cli([
        'data',
        'refresh',
        '--from',
        'production',
        '--to',
        'staging',
        '--reason',
        'r',
        '--json',
      ]);
    });
    after(() => project.cleanup());

    test('the refresh succeeds and reports tables, rows and the verification', () => {
      assert.equal(result.code, 0, result.stderr);
      const out = json(result);
      assert.deepEqual(
        (out.tables as { table: string; rows: number }[]).map((table) => [table.table, table.rows]),
        [
          ['customers', 1000],
          ['accounts', 1000],
          ['postings', 2000],
        ],
      );
      const verification = out.verification as { valuesSampled: number; leaks: string[]; columnsSearched: number };
      assert.deepEqual(verification.leaks, []);
      assert.ok(verification.valuesSampled > 0);
      assert.ok(verification.columnsSearched > 0);
    });

    test('staging holds no production name or email, and none of its own old rows', async () => {
      const leaked = await project.sql(
        'staging',
        "select id from customers where name like 'Prodname%' or email like '%prod.example' or id = 99999",
      );
      assert.deepEqual(leaked, []);
      const owners = await project.sql('staging', "select id from accounts where owner like 'Prodname%'");
      assert.deepEqual(owners, []);
    });

    test('balances are equal: the target triggers did not fire while copying', async () => {
      assert.deepEqual(await balances(project, 'staging'), await balances(project, 'production'));
    });

    test('the target triggers are back afterwards', async () => {
      await project.sql(
        'staging',
        "insert into postings (id, account_id, amount, memo) values (999999, 1, 5, 'after')",
      );
      const [row] = await project.sql<{ balance: unknown }>(
        'staging',
        'select cast(balance as text) as balance from accounts where id = 1',
      );
      const [source] = await project.sql<{ balance: unknown }>(
        'production',
        'select cast(balance as text) as balance from accounts where id = 1',
      );
      assert.equal(BigInt(String(row?.balance)), BigInt(String(source?.balance)) + 5n);
    });

    test('staging is still stamped as staging', async () => {
      const [stamp] = await project.sql<{ environment: string }>('staging', 'select environment from envward_stamp');
      assert.equal(stamp?.environment, 'staging');
    });

    test('audit list shows data.refresh in both environments', async () => {
      for (const env of ['production', 'staging']) {
        const listed = await project.cli(['audit', 'list', '--env', env, '--action', 'data.refresh', '--json']);
        assert.equal(listed.code, 0, listed.stderr);
        const events = (json(listed).events ?? json(listed)) as { target: string; reason: string; outcome: string }[];
        const event = (Array.isArray(events) ? events : []).find((row) => row.outcome === 'done');
        assert.ok(event, `${env}: ${listed.stdout}`);
        assert.match(event.target, /^production -> staging: customers 1000/);
        assert.equal(event.reason, 'r');
      }
    });
  });
}
