/**
 * What each rule writes, through the library on both dialects: fakes the
 * same for one source value in every table, hashes keyed per run, masks,
 * NULL kept apart from '', amounts exact past 2^53, and hostile values
 * (bytes, 1 MB, quotes, commas, newlines, backslashes, \N, unicode)
 * intact through both the kept and the rewritten paths.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { refreshData } from '../../src/data/index.ts';
import { type DataProject, DIALECTS, makeDataProject } from '../support/data-project.ts';

const HOSTILE = [
  '',
  'a,b',
  'say "hi"',
  "it's",
  'line1\nline2\r\nline3',
  'back\\slash\\',
  '\\N',
  '\\.',
  'tab\there',
  'ünïcødé 🦀 עברית',
  'x'.repeat(1_000_000),
];

const rowsOf = <Row>(rows: Row[]) => rows;

for (const dialect of DIALECTS) {
  describe(`data refresh rules (${dialect})`, () => {
    let project: DataProject;
    let first: Awaited<ReturnType<typeof refreshData>>;
    const big = '9007199254740993'; // 2^53 + 1: a double cannot hold it

    before(async () => {
      project = await makeDataProject(dialect);
      await project.seedProduction(20);
      await project.sql('production', "update customers set email = null, phone = '', note = '' where id = 1");
      for (const [index, text] of HOSTILE.entries()) {
        // The rewritten column holds other values than the kept one: a kept copy of them would be a leak.
        await project.sql('production', 'insert into customers (id, name, nickname) values ($1, $2, $3)', [
          1_000 + index,
          `Hostile ${index}`,
          `nick:${text}`,
        ]);
        await project.sql('production', 'insert into accounts (id, customer_id, owner) values ($1, $2, $3)', [
          1_000 + index,
          1_000 + index,
          `Hostile ${index}`,
        ]);
        await project.sql('production', 'insert into postings (id, account_id, amount, memo) values ($1, $2, $3, $4)', [
          1_000 + index,
          1_000 + index,
          big,
          text,
        ]);
      }
      await project.sql('production', 'update customers set nickname = null where id = 2');
      const bytes = Buffer.from([0, 1, 2, 10, 13, 44, 34, 92, 255, 254, 0]);
      await project.sql('production', 'update customers set photo = $1 where id = 3', [bytes]);
      first = await refreshData({
        cwd: project.dir,
        from: 'production',
        to: 'staging',
        reason: 'rules',
        variables: {},
      });
    });
    after(() => project.cleanup());

    test('fake names differ from the source and are the same for one source name in every table', async () => {
      const rows = rowsOf(
        await project.sql<{ id: unknown; name: string; owner: string }>(
          'staging',
          'select c.id, c.name, a.owner from customers c join accounts a on a.customer_id = c.id where c.id <= 20 order by c.id',
        ),
      );
      assert.equal(rows.length, 20);
      for (const row of rows) {
        assert.doesNotMatch(row.name, /Prodname/);
        assert.equal(row.owner, row.name);
      }
      assert.ok(new Set(rows.map((row) => row.name)).size > 15, 'fakes vary with the source value');
    });

    test('hash.email, hash, mask, null and a custom function write what they promise', async () => {
      const [row] = await project.sql<Record<string, string | null>>(
        'staging',
        'select email, code, phone, note, nickname from customers where id = 7',
      );
      assert.match(String(row?.email), /^[0-9a-f]{32}@anonymised\.invalid$/);
      assert.match(String(row?.code), /^[0-9a-f]{64}$/);
      // '+49151007': all but the last four characters masked.
      assert.equal(row?.phone, '*****1007');
      assert.equal(row?.note, null);
      assert.equal(row?.nickname, 'xnick7');
    });

    test('NULL stays NULL and an empty string stays empty', async () => {
      const [one] = await project.sql<Record<string, string | null>>(
        'staging',
        'select email, phone, note from customers where id = 1',
      );
      assert.equal(one?.email, null);
      assert.equal(one?.phone, '');
      assert.equal(one?.note, null);
      const [two] = await project.sql<Record<string, string | null>>(
        'staging',
        'select nickname from customers where id = 2',
      );
      assert.equal(two?.nickname, null);
    });

    test('amounts past 2^53 arrive exactly', async () => {
      const rows = await project.sql<{ amount: string }>(
        'staging',
        'select cast(amount as text) as amount from postings where id >= 1000',
      );
      assert.equal(rows.length, HOSTILE.length);
      for (const row of rows) assert.equal(row.amount, big);
    });

    test('hostile values survive the kept path and the rewritten path exactly', async () => {
      const kept = await project.sql<{ id: unknown; memo: string }>(
        'staging',
        'select id, memo from postings where id >= 1000 order by id',
      );
      assert.deepEqual(
        kept.map((row) => row.memo),
        HOSTILE,
      );
      const rewritten = await project.sql<{ nickname: string }>(
        'staging',
        'select nickname from customers where id >= 1000 order by id',
      );
      assert.deepEqual(
        rewritten.map((row) => row.nickname),
        HOSTILE.map((text) => `xnick:${text}`),
      );
    });

    test('binary bytes survive a kept column', async () => {
      const [row] = await project.sql<{ photo: Buffer }>('staging', 'select photo from customers where id = 3');
      assert.deepEqual(Buffer.from(row?.photo as Buffer), Buffer.from([0, 1, 2, 10, 13, 44, 34, 92, 255, 254, 0]));
    });

    test('the same --seed gives the same fakes; no seed gives others; hashes differ every run', async () => {
      const names = async () =>
        (await project.sql<{ name: string }>('staging', 'select name from customers order by id')).map(
          (row) => row.name,
        );
      const codes = async () =>
        (await project.sql<{ code: string }>('staging', 'select code from customers where id = 5'))[0]?.code;
      const unseeded = await names();
      const run = (seed?: string) =>
        refreshData({
          cwd: project.dir,
          from: 'production',
          to: 'staging',
          reason: 'seed',
          variables: {},
          ...(seed === undefined ? {} : { seed }),
        });
      await run('s1');
      const seeded = await names();
      const firstCode = await codes();
      await run('s1');
      assert.deepEqual(await names(), seeded);
      assert.notEqual(await codes(), firstCode, 'the hash salt is new every run');
      assert.notDeepEqual(seeded, unseeded);
      await run('s2');
      assert.notDeepEqual(await names(), seeded);
      assert.equal(first.seeded, false);
    });
  });
}
