/**
 * A new SQLite file opened by several processes at once: each store puts it
 * in WAL mode, and converting a rollback-journal file is a lock upgrade that
 * SQLite refuses at once, busy timeout or not, while another connection holds
 * the write lock (five `migrate up` at once on a new database failed so with
 * EW_INTERNAL "database is locked"). Another process holding that lock is
 * played here by a child that takes it on a new file, as a converter does.
 */
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { openStore } from '../../src/store/index.ts';
import { makeStoreProject, type StoreProject } from '../support/store-project.ts';

const SQLITE = createRequire(import.meta.url).resolve('better-sqlite3');

/**
 * A child that makes `file` (rollback-journal mode), takes its write lock with
 * a table written, says so, and after `holdMs` (never, when undefined)
 * commits and converts the file to WAL, as the process that won the race would.
 */
async function holdWriteLock(file: string, holdMs: number | undefined): Promise<ChildProcess> {
  const script = `
    const Database = require(${JSON.stringify(SQLITE)});
    const db = new Database(${JSON.stringify(file)});
    db.exec('begin immediate');
    db.exec('create table holder (id integer)');
    process.stdout.write('held\\n');
    ${holdMs === undefined ? 'setInterval(() => {}, 1000);' : `setTimeout(() => { db.exec('commit'); db.pragma('journal_mode = WAL'); db.close(); }, ${holdMs});`}
  `;
  const child = spawn(process.execPath, ['-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
  const [chunk] = (await once(child.stdout, 'data')) as [Buffer];
  assert.equal(chunk.toString(), 'held\n');
  return child;
}

describe('a new SQLite file whose write lock another process holds', () => {
  const projects: StoreProject[] = [];
  const children: ChildProcess[] = [];
  const fresh = async (timeoutMs: number) => {
    const project = await makeStoreProject('sqlite', {
      files: { 'config/base.yml': `database:\n  url: sqlite:var/shared.db\n  connectTimeoutMs: ${timeoutMs}\n` },
    });
    projects.push(project);
    mkdirSync(join(project.dir, 'var'), { recursive: true });
    return { project, file: join(project.dir, 'var', 'shared.db') };
  };
  after(async () => {
    for (const child of children) child.kill('SIGKILL');
    await Promise.all(projects.map((project) => project.cleanup()));
  });

  test('is waited for: the store opens once the lock is let go, and the file is in WAL mode', async () => {
    const { project, file } = await fresh(10_000);
    // Resolved first, so the store reaches the file while the lock is still held.
    const config = await project.resolve('development');
    const child = await holdWriteLock(file, 1_000);
    children.push(child);
    const store = await openStore(config);
    assert.equal((await store.readStamp())?.environment, 'development');
    await store.close();
    const [mode] = await project.sql<{ journal_mode: string }>('pragma journal_mode');
    assert.equal(mode?.journal_mode, 'wal');
    const tables = await project.sql<{ name: string }>("select name from sqlite_master where name = 'holder'");
    assert.equal(tables.length, 1, "the other process's table is there");
  });

  test('held past the busy timeout is EW_DB_BUSY, naming the environment and the file, and nothing is written', async () => {
    const { project, file } = await fresh(300);
    const config = await project.resolve('development');
    const child = await holdWriteLock(file, undefined);
    children.push(child);
    const started = Date.now();
    await assert.rejects(openStore(config), (error: Error & { code?: string }) => {
      assert.equal(error.code, 'EW_DB_BUSY');
      assert.match(error.message, /^development's database at sqlite:var\/shared\.db is busy: .* longer than 300 ms/);
      return true;
    });
    assert.ok(Date.now() - started >= 300, 'it waited for the busy timeout');
    child.kill('SIGKILL');
    await once(child, 'close');
    const tables = await project.sql<{ name: string }>("select name from sqlite_master where name like 'envward_%'");
    assert.deepEqual(tables, [], 'no envward table was made');
  });
});
