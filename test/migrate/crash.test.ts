/**
 * Crash safety: a `migrate up` process killed with SIGKILL (a failpoint, see
 * src/failpoint.ts) after any statement of a multi-statement migration, or
 * right after a migration commits, leaves the database at the last
 * completed migration; a rerun finishes the job.
 */
import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import {
  createTable,
  DIALECTS,
  type MigrateProject,
  makeMigrateProject,
  migration,
} from '../support/migrate-project.ts';

const FILES = {
  'migrations/001_accounts.ts': createTable('accounts'),
  // Three statements, each a step the process may die after.
  'migrations/002_ledger.ts': migration(
    `await db.schema.createTable('ledger').addColumn('id', 'integer', (c) => c.primaryKey()).addColumn('amount', 'integer').execute();
  await db.insertInto('ledger').values({ id: 1, amount: 100 }).execute();
  await db.schema.createIndex('ledger_amount').on('ledger').column('amount').execute();`,
  ),
  'migrations/003_limits.ts': createTable('limits'),
};

/** Where the process dies, and what must then be applied (and so exist). */
const KILL_POINTS: readonly { failpoint: string; applied: string[]; tables: string[] }[] = [
  { failpoint: 'migrate:001_accounts:committed', applied: ['001_accounts'], tables: ['accounts'] },
  { failpoint: 'migrate:002_ledger:1', applied: ['001_accounts'], tables: ['accounts'] },
  { failpoint: 'migrate:002_ledger:2', applied: ['001_accounts'], tables: ['accounts'] },
  { failpoint: 'migrate:002_ledger:3', applied: ['001_accounts'], tables: ['accounts'] },
  {
    failpoint: 'migrate:002_ledger:committed',
    applied: ['001_accounts', '002_ledger'],
    tables: ['accounts', 'ledger'],
  },
];

for (const dialect of DIALECTS) {
  describe(`crash safety (${dialect})`, { concurrency: 4 }, () => {
    const projects: MigrateProject[] = [];
    after(() => Promise.all(projects.map((p) => p.cleanup())));

    for (const point of KILL_POINTS) {
      test(`killed at ${point.failpoint}, the database keeps the last completed migration and a rerun finishes`, async () => {
        const p = await makeMigrateProject(dialect, { files: FILES });
        projects.push(p);
        const killed = await p.cli(['migrate', 'up'], { env: { ENVWARD_FAILPOINT: point.failpoint } });
        assert.equal(
          killed.code,
          -1,
          `expected a SIGKILL at ${point.failpoint}; got exit ${killed.code}\n${killed.stderr}`,
        );
        assert.deepEqual(await p.applied(), point.applied);
        assert.deepEqual(await p.tables(), point.tables);

        const rerun = await p.cli(['migrate', 'up', '--wait', '10']);
        assert.equal(rerun.code, 0, rerun.stderr);
        assert.deepEqual(await p.applied(), ['001_accounts', '002_ledger', '003_limits']);
        assert.deepEqual(await p.tables(), ['accounts', 'ledger', 'limits']);
        assert.deepEqual(
          (await p.sql<{ id: number; amount: number }>('development', 'select id, amount from ledger')).map((row) => [
            Number(row.id),
            Number(row.amount),
          ]),
          [[1, 100]],
        );
      });
    }
  });
}
