/**
 * Destructive migrations where the policy covers them: refused without a
 * request, run once under an approved one for exactly the plan approved,
 * stale when the plan changed. Real SQLite and PostgreSQL.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { migrateUp } from '../../src/migrate/index.ts';
import { migrateUpWithApproval } from '../../src/requests/migration-approval.ts';
import { resolveConfig } from '../../src/resolution.ts';
import { approveRequest, proposeChange, showRequest } from '../../src/runtime/index.ts';
import { openStore, type Store } from '../../src/store/index.ts';
import { makeRequestsProject, type RequestsProject } from '../support/requests-project.ts';
import { DIALECTS } from '../support/store-project.ts';

const CREATE = `export async function up(db) {
  await db.schema.createTable('accounts').addColumn('id', 'text', (c) => c.primaryKey()).addColumn('legacy', 'text').execute();
}
`;
const DROP_COLUMN = `export async function up(db) {
  await db.schema.alterTable('accounts').dropColumn('legacy').execute();
}
`;
const DROP_TABLE = (table: string) => `export async function up(db) {
  await db.schema.createTable('${table}').addColumn('id', 'text').execute();
  await db.schema.dropTable('${table}').execute();
}
`;

for (const dialect of DIALECTS) {
  describe(`destructive migration requests on ${dialect}`, () => {
    let p: RequestsProject;
    const open = async (): Promise<Store> =>
      openStore(await resolveConfig({ cwd: p.dir, env: 'test', variables: {}, checkHost: false }));
    const withStore = async <T>(work: (store: Store) => Promise<T>): Promise<T> => {
      const store = await open();
      try {
        return await work(store);
      } finally {
        await store.close();
      }
    };
    before(async () => {
      p = await makeRequestsProject(dialect);
      p.project.write('migrations/test/001_accounts.ts', CREATE);
    });
    after(() => p.cleanup());

    test('safe migrations run as always; a destructive one needs an approved request, used once', async () => {
      assert.deepEqual((await withStore((store) => migrateUp(store))).applied, ['test/001_accounts']);
      p.project.write('migrations/test/002_drop_legacy.ts', DROP_COLUMN);
      await assert.rejects(
        withStore((store) => migrateUp(store)),
        { code: 'EW_APPROVAL_REQUIRED' },
      );
      await assert.rejects(
        withStore((store) => migrateUp(store, { allowDestructive: { reason: 'me' } })),
        {
          code: 'EW_APPROVAL_REQUIRED',
        },
      );
      await assert.rejects(
        withStore((store) => migrateUpWithApproval(store)),
        { code: 'EW_APPROVAL_REQUIRED' },
      );
      const created = await proposeChange({
        ...p.target('test', 'alice'),
        change: { kind: 'migrate.destructive' },
        reason: 'CHG-20 drop legacy',
      });
      assert.deepEqual(
        created.diff.map((line) => line.key),
        ['test/002_drop_legacy'],
      );
      const approved = await approveRequest({ ...p.target('test', 'bob'), id: created.id });
      assert.equal(approved.status, 'applied');
      assert.deepEqual((await withStore((store) => migrateUpWithApproval(store))).applied, ['test/002_drop_legacy']);
      assert.match((await showRequest({ ...p.target('test'), id: created.id })).outcome, /run by migrate up/);
      const actions = (await p.audit('test')).map((event) => event.action);
      assert.ok(actions.includes('request.run'), actions.join(', '));
    });

    test('an approval is for the plan approved: a migration added since makes it stale', async () => {
      p.project.write('migrations/test/003_scratch.ts', DROP_TABLE('scratch'));
      const created = await proposeChange({
        ...p.target('test', 'alice'),
        change: { kind: 'migrate.destructive' },
        reason: 'CHG-21',
      });
      p.project.write('migrations/test/004_scratch.ts', DROP_TABLE('scratch2'));
      await assert.rejects(approveRequest({ ...p.target('test', 'bob'), id: created.id }), {
        code: 'EW_REQUEST_STALE',
      });
      await assert.rejects(
        withStore((store) => migrateUpWithApproval(store)),
        { code: 'EW_APPROVAL_REQUIRED' },
      );
    });

    test('nothing destructive pending: a migrate.destructive request is refused', async () => {
      await assert.rejects(
        proposeChange({ ...p.target('development', 'alice'), change: { kind: 'migrate.destructive' }, reason: 'r' }),
        { code: 'EW_REQUEST_CHANGE' },
      );
    });
  });
}
