/**
 * Environment-coded ids (`ids.next('txn')`) and the check on write that the
 * store's Kysely plugin makes: a record carrying another environment's id is
 * refused before it reaches the database, on SQLite and on PostgreSQL.
 */
import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { sql } from 'kysely';
import { v7 as uuidv7 } from 'uuid';
import type { Store } from '../../src/store/index.ts';
import { DIALECTS, makeStoreProject, type StoreProject } from '../support/store-project.ts';

const UUID_V7 = '[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}';

interface Ledger {
  transfers: { id: string; amount: number; note: string | null };
}

for (const dialect of DIALECTS) {
  describe(`environment-coded ids on ${dialect}`, { concurrency: true }, () => {
    const projects: StoreProject[] = [];
    after(() => Promise.all(projects.map((project) => project.cleanup())));

    /** A development store with an empty `transfers` table. */
    const ledger = async (): Promise<{ project: StoreProject; store: Store<Ledger> }> => {
      const project = await makeStoreProject(dialect);
      projects.push(project);
      const store = (await project.open('development')) as unknown as Store<Ledger>;
      await store.db.schema
        .createTable('transfers')
        .addColumn('id', 'text', (column) => column.primaryKey())
        .addColumn('amount', 'integer', (column) => column.notNull())
        .addColumn('note', 'text')
        .execute();
      return { project, store };
    };
    const count = async (store: Store<Ledger>) =>
      Number(
        (
          await store.db
            .selectFrom('transfers')
            .select((eb) => eb.fn.countAll().as('n'))
            .executeTakeFirstOrThrow()
        ).n,
      );

    test("ids.next('txn') gives <CODE>-TXN-<uuidv7>, in time order", async () => {
      const project = await makeStoreProject(dialect);
      projects.push(project);
      const development = await project.open('development');
      const ids = Array.from({ length: 50 }, () => development.ids.next('txn'));
      for (const id of ids) assert.match(id, new RegExp(`^DEV-TXN-${UUID_V7}$`));
      assert.equal(new Set(ids).size, ids.length);
      assert.deepEqual([...ids].sort(), ids, 'UUIDv7 ids sort by creation');
      assert.match(development.ids.next('acct2'), new RegExp(`^DEV-ACCT2-${UUID_V7}$`));
      await development.close();
      const production = await project.open('production', { force: { reason: 'test of ids' } });
      assert.match(production.ids.next('txn'), new RegExp(`^PRD-TXN-${UUID_V7}$`));
      const qa = await project.open('qa', { force: { reason: 'test of ids' } });
      assert.match(qa.ids.next('txn'), new RegExp(`^QA-TXN-${UUID_V7}$`));
    });

    test('an id kind that is not plain is EW_STORE_NAME', async () => {
      const project = await makeStoreProject(dialect);
      projects.push(project);
      const store = await project.open('development');
      for (const kind of ['', 'TXN', 'wire-transfer', '1txn', 'a/b', 'averyveryverylongkind']) {
        assert.throws(() => store.ids.next(kind), { code: 'EW_STORE_NAME' }, kind);
      }
      assert.throws(() => store.ids.next('wire-transfer'), {
        message:
          'Invalid id kind "wire-transfer": use 1-12 lower-case letters and digits, starting with a letter (it becomes the id\'s upper-case middle part).',
      });
    });

    test("an insert carrying this environment's id is written", async () => {
      const { store } = await ledger();
      const id = store.ids.next('txn');
      await store.db.insertInto('transfers').values({ id, amount: 100, note: null }).execute();
      assert.deepEqual(await store.db.selectFrom('transfers').select('id').execute(), [{ id }]);
    });

    test("an insert carrying another environment's id is refused with EW_CROSS_ENV_ID, and nothing is written", async () => {
      const { store } = await ledger();
      const foreign = `PRD-TXN-${uuidv7()}`;
      await assert.rejects(
        store.db.insertInto('transfers').values({ id: foreign, amount: 100, note: null }).execute(),
        {
          code: 'EW_CROSS_ENV_ID',
          message: /A write in development carries an id coded PRD, which is production's/,
        },
      );
      // In any column, among several rows, in a raw statement's parameters.
      const own = store.ids.next('txn');
      const refused = [
        store.db
          .insertInto('transfers')
          .values([
            { id: own, amount: 1, note: null },
            { id: store.ids.next('txn'), amount: 2, note: `STG-TXN-${uuidv7()}` },
          ])
          .execute(),
        sql`insert into transfers (id, amount) values (${`QA-TXN-${uuidv7()}`}, 3)`.execute(store.db),
      ];
      for (const write of refused) await assert.rejects(write, { code: 'EW_CROSS_ENV_ID' });
      assert.equal(await count(store), 0);
    });

    test("an update setting another environment's id is refused, and the row keeps its id", async () => {
      const { store } = await ledger();
      const id = store.ids.next('txn');
      await store.db.insertInto('transfers').values({ id, amount: 5, note: null }).execute();
      await assert.rejects(
        store.db
          .updateTable('transfers')
          .set({ id: `TST-TXN-${uuidv7()}` })
          .where('id', '=', id)
          .execute(),
        { code: 'EW_CROSS_ENV_ID', message: /coded TST, which is test's/ },
      );
      assert.deepEqual(await store.db.selectFrom('transfers').select('id').execute(), [{ id }]);
    });

    test('values that merely look like ids, or carry codes no environment has, are written', async () => {
      const { store } = await ledger();
      const rows = [
        { id: `XYZ-TXN-${uuidv7()}`, amount: 1, note: 'PRD-TXN-not-a-uuid' },
        { id: 'PRD-TXN', amount: 2, note: `prd-txn-${uuidv7()}` },
      ];
      await store.db.insertInto('transfers').values(rows).execute();
      assert.equal(await count(store), 2);
    });

    test("reads are not checked: selecting by another environment's id finds nothing and throws nothing", async () => {
      const { store } = await ledger();
      const found = await store.db
        .selectFrom('transfers')
        .selectAll()
        .where('id', '=', `PRD-TXN-${uuidv7()}`)
        .execute();
      assert.deepEqual(found, []);
    });
  });
}
