/**
 * The stamp row itself: claimStamp writes a stamp only where there is none
 * (so that of processes racing to stamp a new database exactly one wins;
 * the race across processes is in open-store.test.ts), writeStamp replaces
 * it in one statement, recordStampedDatabase changes only the database's
 * identity, and only over the one it was told of. On plain Kysely over SQLite and PostgreSQL.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import Database from 'better-sqlite3';
import { Kysely, PostgresDialect, SqliteDialect } from 'kysely';
import pg from 'pg';
import { ensureInternalTables, type InternalTables } from '../../src/store/internal-tables.ts';
import { claimStamp, readStamp, recordStampedDatabase, writeStamp } from '../../src/store/stamp.ts';
import { DIALECTS, makeStoreProject, type StoreProject } from '../support/store-project.ts';

for (const dialect of DIALECTS) {
  describe(`the stamp row on ${dialect}`, { concurrency: true }, () => {
    const projects: StoreProject[] = [];
    const databases: Kysely<InternalTables>[] = [];
    after(async () => {
      await Promise.all(databases.map((db) => db.destroy()));
      await Promise.all(projects.map((project) => project.cleanup()));
    });

    /** An empty database with envward's tables, and the project's environments. */
    const empty = async () => {
      const project = await makeStoreProject(dialect);
      projects.push(project);
      const db = new Kysely<InternalTables>({
        dialect:
          dialect === 'sqlite'
            ? new SqliteDialect({ database: new Database(join(project.dir, 'shared.db')) })
            : new PostgresDialect({ pool: new pg.Pool({ connectionString: project.url, max: 2 }) }),
      });
      databases.push(db);
      await ensureInternalTables(db, dialect);
      const environment = async (env: string) => (await project.resolve(env)).environment;
      return { db, environment };
    };
    const who = { host: 'box-1', actor: 'dora', project: 'store-test' };
    const here = dialect === 'sqlite' ? 'sqlite:/srv/app/shared.db' : 'postgres:7311/app/public';

    test('claimStamp stamps a database that has no stamp', async () => {
      const { db, environment } = await empty();
      const claim = await claimStamp(db, await environment('development'), who, here);
      assert.equal(claim.claimed, true);
      assert.deepEqual(
        [
          claim.stamp.environment,
          claim.stamp.tier,
          claim.stamp.code,
          claim.stamp.host,
          claim.stamp.actor,
          claim.stamp.database,
        ],
        ['development', 'development', 'DEV', 'box-1', 'dora', here],
      );
      assert.deepEqual(await readStamp(db), claim.stamp);
    });

    test('claimStamp after another process stamped the database returns that stamp and changes nothing', async () => {
      const { db, environment } = await empty();
      const theirs = await writeStamp(
        db,
        await environment('test'),
        { host: 'ci-7', actor: 'ci', project: 'store-test' },
        here,
      );
      const claim = await claimStamp(db, await environment('development'), who, here);
      assert.equal(claim.claimed, false);
      assert.deepEqual(claim.stamp, theirs);
      assert.deepEqual(await readStamp(db), theirs);
    });

    // Regression: on PostgreSQL, CREATE TABLE IF NOT EXISTS from several connections at once failed all
    // but one with 23505 (pg_type), and a process retried a fixed number of times.
    test('ensureInternalTables from many connections at once on a new database: each finds the tables made', async () => {
      const project = await makeStoreProject(dialect);
      projects.push(project);
      const connections = Array.from({ length: 12 }, () => {
        const db = new Kysely<InternalTables>({
          dialect:
            dialect === 'sqlite'
              ? new SqliteDialect({ database: new Database(join(project.dir, 'shared.db'), { timeout: 20_000 }) })
              : new PostgresDialect({ pool: new pg.Pool({ connectionString: project.url, max: 1 }) }),
        });
        databases.push(db);
        return db;
      });
      const outcomes = await Promise.allSettled(connections.map((db) => ensureInternalTables(db, dialect)));
      assert.deepEqual(
        outcomes.filter((outcome) => outcome.status === 'rejected'),
        [],
      );
      const [first] = connections;
      assert.deepEqual(await first?.selectFrom('envward_stamp').selectAll().execute(), []);
      assert.deepEqual(await first?.selectFrom('envward_audit').selectAll().execute(), []);
    });

    test('claimStamp from many connections at once: one claims, all read the same stamp', async () => {
      const { db, environment } = await empty();
      const [development, test] = [await environment('development'), await environment('test')];
      const claims = await Promise.all(
        Array.from({ length: 8 }, (_, i) => claimStamp(db, i % 2 ? test : development, who, here)),
      );
      assert.equal(claims.filter((claim) => claim.claimed).length, 1);
      const holder = (await readStamp(db))?.environment;
      for (const claim of claims) assert.equal(claim.stamp.environment, holder);
    });

    test('writeStamp replaces the stamp, keeping one row', async () => {
      const { db, environment } = await empty();
      await writeStamp(db, await environment('production'), who, here);
      const replaced = await writeStamp(
        db,
        await environment('staging'),
        { host: 'box-2', actor: 'eve', project: 'store-test' },
        `${here}-moved`,
      );
      assert.deepEqual(await readStamp(db), replaced);
      const rows = await db.selectFrom('envward_stamp').selectAll().execute();
      assert.deepEqual(
        rows.map((row) => [Number(row.id), row.environment, row.host, row.actor, row.database]),
        [[1, 'staging', 'box-2', 'eve', `${here}-moved`]],
      );
    });

    test('recordStampedDatabase records a new identity only over the one it was told of', async () => {
      const { db, environment } = await empty();
      const stamp = await writeStamp(db, await environment('development'), who, here);
      const moved = await recordStampedDatabase(db, here, `${here}-moved`);
      assert.equal(moved.recorded, true);
      assert.deepEqual(moved.stamp, { ...stamp, database: `${here}-moved` }, 'the rest of the stamp is kept');
      const late = await recordStampedDatabase(db, here, `${here}-elsewhere`);
      assert.equal(late.recorded, false, 'another process recorded it first');
      assert.equal(late.stamp?.database, `${here}-moved`);
    });
  });
}
