/**
 * The stamp row itself: claimStamp writes a stamp only where there is none
 * (so that of processes racing to stamp a new database exactly one wins;
 * the race across processes is in open-store.test.ts), writeStamp replaces
 * it in one statement. On plain Kysely over SQLite and PostgreSQL.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import Database from 'better-sqlite3';
import { Kysely, PostgresDialect, SqliteDialect } from 'kysely';
import pg from 'pg';
import { ensureInternalTables, type InternalTables } from '../../src/store/internal-tables.ts';
import { claimStamp, readStamp, writeStamp } from '../../src/store/stamp.ts';
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
      await ensureInternalTables(db);
      const environment = async (env: string) => (await project.resolve(env)).environment;
      return { db, environment };
    };
    const who = { host: 'box-1', actor: 'dora', project: 'store-test' };

    test('claimStamp stamps a database that has no stamp', async () => {
      const { db, environment } = await empty();
      const claim = await claimStamp(db, await environment('development'), who);
      assert.equal(claim.claimed, true);
      assert.deepEqual(
        [claim.stamp.environment, claim.stamp.tier, claim.stamp.code, claim.stamp.host, claim.stamp.actor],
        ['development', 'development', 'DEV', 'box-1', 'dora'],
      );
      assert.deepEqual(await readStamp(db), claim.stamp);
    });

    test('claimStamp after another process stamped the database returns that stamp and changes nothing', async () => {
      const { db, environment } = await empty();
      const theirs = await writeStamp(db, await environment('test'), {
        host: 'ci-7',
        actor: 'ci',
        project: 'store-test',
      });
      const claim = await claimStamp(db, await environment('development'), who);
      assert.equal(claim.claimed, false);
      assert.deepEqual(claim.stamp, theirs);
      assert.deepEqual(await readStamp(db), theirs);
    });

    test('claimStamp from many connections at once: one claims, all read the same stamp', async () => {
      const { db, environment } = await empty();
      const [development, test] = [await environment('development'), await environment('test')];
      const claims = await Promise.all(
        Array.from({ length: 8 }, (_, i) => claimStamp(db, i % 2 ? test : development, who)),
      );
      assert.equal(claims.filter((claim) => claim.claimed).length, 1);
      const holder = (await readStamp(db))?.environment;
      for (const claim of claims) assert.equal(claim.stamp.environment, holder);
    });

    test('writeStamp replaces the stamp, keeping one row', async () => {
      const { db, environment } = await empty();
      await writeStamp(db, await environment('production'), who);
      const replaced = await writeStamp(db, await environment('staging'), {
        host: 'box-2',
        actor: 'eve',
        project: 'store-test',
      });
      assert.deepEqual(await readStamp(db), replaced);
      const rows = await db.selectFrom('envward_stamp').selectAll().execute();
      assert.deepEqual(
        rows.map((row) => [Number(row.id), row.environment, row.host, row.actor]),
        [[1, 'staging', 'box-2', 'eve']],
      );
    });
  });
}
