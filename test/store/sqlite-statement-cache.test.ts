/**
 * A SQLite store keeps the statements it prepared (Kysely prepares every
 * query it runs): a query run again is not compiled again, a statement
 * still being read is not shared, a schema change is followed, and only so
 * many are kept.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import Database from 'better-sqlite3';
import { sql } from 'kysely';
import type { Store } from '../../src/store/index.ts';
import { keepPreparedStatements } from '../../src/store/sqlite-statement-cache.ts';
import { makeStoreProject, type StoreProject } from '../support/store-project.ts';

interface Notes {
  notes: { id: number; body: string };
}

/** Counts better-sqlite3's prepares of each SQL text while `work` runs. */
async function countPrepares(work: () => Promise<void>): Promise<Map<string, number>> {
  const counts = new Map<string, number>();
  const original = Database.prototype.prepare;
  Database.prototype.prepare = function (this: Database.Database, text: string) {
    counts.set(text, (counts.get(text) ?? 0) + 1);
    return original.call(this, text);
  } as typeof original;
  try {
    await work();
  } finally {
    Database.prototype.prepare = original;
  }
  return counts;
}

describe('prepared statements of a SQLite store', () => {
  const projects: StoreProject[] = [];
  const dirs: string[] = [];
  after(async () => {
    await Promise.all(projects.map((project) => project.cleanup()));
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });

  const notes = async (): Promise<Store<Notes>> => {
    const project = await makeStoreProject('sqlite');
    projects.push(project);
    const store = (await project.open('development')) as unknown as Store<Notes>;
    await store.db.schema
      .createTable('notes')
      .addColumn('id', 'integer', (column) => column.primaryKey())
      .addColumn('body', 'text', (column) => column.notNull())
      .execute();
    await store.db.insertInto('notes').values({ id: 1, body: 'one' }).execute();
    return store;
  };

  const scratch = () => {
    const dir = mkdtempSync(join(tmpdir(), 'envward-statements-'));
    dirs.push(dir);
    return new Database(join(dir, 'scratch.db'));
  };

  test('a query run again through the store is prepared once', async () => {
    const store = await notes();
    const read = () => store.db.selectFrom('notes').select('body').where('id', '=', 1).executeTakeFirstOrThrow();
    const counts = await countPrepares(async () => {
      for (let n = 0; n < 3; n++) assert.equal((await read()).body, 'one');
    });
    assert.deepEqual([...counts.values()], [1]);
  });

  // Kysely runs one query at a time on a connection, but the handle is the store's to lend (backups, tools).
  test('a statement still being read is not handed out again: the same SQL gets a statement of its own', () => {
    const database = keepPreparedStatements(scratch());
    database.prepare('create table notes (body text)').run();
    database.prepare("insert into notes values ('one'), ('two')").run();
    const text = 'select body from notes order by body';
    const reading = database.prepare(text).iterate() as IterableIterator<{ body: string }>;
    assert.deepEqual(reading.next().value, { body: 'one' });
    assert.deepEqual(database.prepare(text).all(), [{ body: 'one' }, { body: 'two' }]);
    assert.deepEqual(reading.next().value, { body: 'two' });
    reading.return?.();
    database.close();
  });

  test('a kept statement follows a change of the schema', async () => {
    const store = await notes();
    const read = () => sql<Record<string, unknown>>`select * from notes`.execute(store.db);
    assert.deepEqual((await read()).rows, [{ id: 1, body: 'one' }]);
    await store.db.schema.alterTable('notes').addColumn('tag', 'text').execute();
    assert.deepEqual((await read()).rows, [{ id: 1, body: 'one', tag: null }]);
  });

  test('beyond the number kept, the least recently used statement is prepared again', async () => {
    const database = keepPreparedStatements(scratch(), 2);
    const [a, b, c] = ['select 1', 'select 2', 'select 3'];
    const counts = await countPrepares(async () => {
      for (const text of [a, b, a, c, a, b]) database.prepare(text).all();
    });
    database.close();
    // a stays (used again before c came), b was the least recently used when c came, so it is prepared twice.
    assert.deepEqual(Object.fromEntries(counts), { [a]: 1, [b]: 2, [c]: 1 });
  });
});
