/**
 * `envward seed`: seeds/<env>/ of the current environment only, each seed
 * once (running twice adds no rows), and in production only seeds that
 * export `production = true`.
 */
import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { migrateUp, runSeeds } from '../../src/migrate/index.ts';
import { createTable, DIALECTS, json, type MigrateProject, makeMigrateProject } from '../support/migrate-project.ts';

/** Runs at once must be processes of their own to contend (test/support/run-cli.ts). */
const SPAWN = { ENVWARD_TEST_SPAWN: '1' };

function seed(rows: readonly [number, string][], extra = ''): string {
  return `import type { Kysely } from 'kysely';
${extra}
export async function seed(db: Kysely<any>): Promise<void> {
  await db.insertInto('accounts').values(${JSON.stringify(rows.map(([id, label]) => ({ id, label })))}).execute();
}
`;
}

for (const dialect of DIALECTS) {
  describe(`seeds (${dialect})`, { concurrency: 4 }, () => {
    const projects: MigrateProject[] = [];
    const project = async (environments: string[], files: Record<string, string>) => {
      const made = await makeMigrateProject(dialect, {
        environments,
        files: { 'migrations/001_accounts.ts': createTable('accounts'), ...files },
      });
      projects.push(made);
      for (const env of environments) await migrateUp(await made.open(env));
      return made;
    };
    after(() => Promise.all(projects.map((p) => p.cleanup())));
    const labels = async (p: MigrateProject, env = 'development') =>
      (await p.sql<{ label: string }>(env, 'select label from accounts order by id')).map((row) => row.label);

    test("envward seed runs the current environment's seeds only, in name order", async () => {
      const p = await project(['development'], {
        'seeds/development/002_more.ts': seed([[3, 'dev-3']]),
        'seeds/development/001_sample.ts': seed([
          [1, 'dev-1'],
          [2, 'dev-2'],
        ]),
        'seeds/test/001_fixtures.ts': seed([[10, 'test-fixture']]),
        'seeds/production/001_sample.ts': seed([[20, 'production']], 'export const production = true;'),
      });
      const result = await p.cli(['seed', '--json']);
      assert.equal(result.code, 0, result.stderr);
      assert.deepEqual(json(result), {
        environment: 'development',
        ran: ['development/001_sample', 'development/002_more'],
        skipped: [],
      });
      assert.deepEqual(await labels(p), ['dev-1', 'dev-2', 'dev-3']);
    });

    test('running seeds twice does not duplicate rows', async () => {
      const p = await project(['development'], { 'seeds/development/001_sample.ts': seed([[1, 'dev-1']]) });
      await runSeeds(await p.open());
      const second = await p.cli(['seed']);
      assert.equal(second.code, 0, second.stderr);
      assert.match(second.stdout, /no seeds ran\n {2}skipped development\/001_sample: already ran/);
      assert.deepEqual(await labels(p), ['dev-1']);
    });

    test('two seed runs at once add the rows once', async () => {
      const p = await project(['development'], { 'seeds/development/001_sample.ts': seed([[1, 'dev-1']]) });
      const runs = await Promise.all([
        p.cli(['seed', '--json'], { env: SPAWN }),
        p.cli(['seed', '--json'], { env: SPAWN }),
      ]);
      for (const run of runs) assert.equal(run.code, 0, run.stderr);
      assert.deepEqual(
        runs.flatMap((run) => (json(run) as { ran: string[] }).ran),
        ['development/001_sample'],
      );
      assert.deepEqual(await labels(p), ['dev-1']);
    });

    test('production runs no seed unless the seed is marked for production', async () => {
      const p = await project(['production'], {
        'seeds/production/001_demo_accounts.ts': seed([[1, 'demo']]),
        'seeds/production/002_reference_data.ts': seed([[2, 'reference']], 'export const production = true;'),
      });
      const result = await runSeeds(await p.open('production'));
      assert.deepEqual(result.ran, ['production/002_reference_data']);
      assert.deepEqual(result.skipped, [
        {
          name: 'production/001_demo_accounts',
          why: 'production runs only seeds that export production = true',
        },
      ]);
      assert.deepEqual(await labels(p, 'production'), ['reference']);
    });
  });
}
