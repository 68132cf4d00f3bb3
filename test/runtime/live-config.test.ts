/**
 * openLiveConfig on a real SQLite file and a real PostgreSQL database: a
 * revision written by `config set` reaches the subscribers of a running
 * config (PostgreSQL: pushed by NOTIFY; SQLite: found by polling), live keys
 * apply, restart keys wait, and a revision invalid here is kept out.
 */
import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { type LiveProject, makeLiveProject, nextChange, recordingLogger } from '../support/live-config-project.ts';
import { DIALECTS, type Dialect } from '../support/store-project.ts';

const REVISION_TABLE = 'envward_config_revision';

/** A revision row written around envward (setConfig refuses invalid ones), as the next of development. */
async function writeRevisionBySql(project: LiveProject, state: Record<string, string>, prefix = ''): Promise<number> {
  const [row] = await project.sql<{ latest: number | string | null }>(
    `select max(number) as latest from ${prefix}${REVISION_TABLE} where environment = 'development'`,
  );
  const number = Number(row?.latest ?? 0) + 1;
  await project.sql(
    `insert into ${prefix}${REVISION_TABLE} (environment, number, at, actor, host, action, reason, state, changes)
     values ('development', $1, $2, 'tamper', 'test', 'set', 'around envward', $3, '[]')`,
    [number, new Date().toISOString(), JSON.stringify(state)],
  );
  return number;
}

for (const dialect of DIALECTS) {
  describe(`live config on ${dialect}`, { concurrency: true }, () => {
    const projects: LiveProject[] = [];
    const fresh = async (kind: Dialect = dialect) => {
      const project = await makeLiveProject(kind);
      projects.push(project);
      return project;
    };
    after(() => Promise.all(projects.map((project) => project.cleanup())));

    test('a config set reaches the listener with the old and new values and the revision', async () => {
      const project = await fresh();
      const { config } = await project.service();
      assert.equal(config.status().revision, 0);
      assert.equal(config.status().mode, dialect === 'postgres' ? 'listen' : 'poll');
      const told = nextChange(config, ['app.greeting']);
      const written = await project.set({ 'app.greeting': 'hi' });
      const change = await told;
      assert.equal(change.revision, written.revision);
      assert.equal(change.previous, 0);
      assert.deepEqual(change.changes, [{ key: 'app.greeting', from: 'hello', to: 'hi' }]);
      assert.equal(change.resolved, config.current);
      assert.deepEqual((config.values as { app: { greeting: string } }).app.greeting, 'hi');
      assert.equal(config.current.explain('app.greeting').winner?.source.revision, String(written.revision));
      assert.deepEqual(config.status().counts, { applied: 1, failed: 0, resyncs: 0 });
    });

    test('a config started after revisions applies the latest one at once', async () => {
      const project = await fresh();
      await project.set({ 'app.greeting': 'one' });
      await project.set({ 'app.limit': '5' });
      const { config } = await project.service();
      assert.equal(config.status().revision, 2);
      assert.deepEqual((config.values as { app: unknown }).app, { greeting: 'one', limit: 5, port: 3000 });
    });

    test('a restart key changed by a revision is reported pending and keeps its start value', async () => {
      const project = await fresh();
      await project.set({ 'app.port': '4000' });
      const { config } = await project.service();
      const told = nextChange(config);
      await project.set({ 'app.port': '5000', 'app.greeting': 'hi' });
      const change = await told;
      // Only the live key changed here; the port stays what this process started with.
      assert.deepEqual(change.changes, [{ key: 'app.greeting', from: 'hello', to: 'hi' }]);
      const app = (config.values as { app: { port: number; greeting: string } }).app;
      assert.equal(app.port, 4000);
      assert.equal(config.current.explain('app.port').winner?.source.revision, '1');
      assert.deepEqual(config.status().pending, ['app.port']);
      // Back to the start value: nothing is pending any more.
      await project.set({ 'app.port': '4000' });
      await config.refresh();
      assert.equal(config.status().revision, 3);
      assert.deepEqual(config.status().pending, []);
    });

    test('a revision that is invalid here is not applied, is counted, and the next valid one applies', async () => {
      const project = await fresh();
      const recorded = recordingLogger();
      await project.set({ 'app.limit': '7' });
      const { config } = await project.service({ logger: recorded.logger });
      const held = config.current;
      const invalid = await writeRevisionBySql(project, { 'app.limit': '-5' });
      await config.refresh();
      const status = config.status();
      assert.equal(status.revision, 1);
      assert.equal(status.latest, invalid);
      assert.equal(status.counts.failed, 1);
      assert.equal(status.failure?.revision, invalid);
      assert.equal(status.failure?.code, 'EW_CONFIG_INVALID');
      assert.equal(config.current, held);
      assert.ok(
        recorded.lines.some((line) => line.level === 'warn' && /revision 2 was not applied/.test(line.message)),
      );
      // Asked again, the same failed revision is not tried (nor counted) twice.
      await config.refresh();
      assert.equal(config.status().counts.failed, 1);
      const told = nextChange(config, ['app.limit']);
      await project.set({ 'app.limit': '9' });
      const change = await told;
      assert.deepEqual(change.changes, [{ key: 'app.limit', from: 7, to: 9 }]);
      assert.equal(change.previous, 1);
      assert.equal(config.status().failure, undefined);
    });

    test('rollback to revision 0 returns the values from before any revision', async () => {
      const project = await fresh();
      const { config } = await project.service();
      const first = nextChange(config);
      await project.set({ 'app.greeting': 'hi', 'app.limit': '3' });
      await first;
      const back = nextChange(config);
      const rolled = await project.rollback(0);
      const change = await back;
      assert.equal(change.revision, rolled.revision);
      assert.deepEqual(change.changes, [
        { key: 'app.greeting', from: 'hi', to: 'hello' },
        { key: 'app.limit', from: 3, to: 100 },
      ]);
      assert.deepEqual((config.values as { app: unknown }).app, { greeting: 'hello', limit: 100, port: 3000 });
    });

    test('a reader holding current keeps its whole snapshot while a revision swaps in the next', async () => {
      const project = await fresh();
      const { config } = await project.service();
      const held = config.current;
      const told = nextChange(config);
      await project.set({ 'app.greeting': 'hi', 'app.limit': '3' });
      const change = await told;
      assert.deepEqual((held.values as { app: unknown }).app, { greeting: 'hello', limit: 100, port: 3000 });
      assert.ok(Object.isFrozen(held.values) && Object.isFrozen((held.values as { app: object }).app));
      // The listener is told after the swap, with the snapshot that holds both keys.
      assert.equal(change.resolved, config.current);
      assert.deepEqual((change.resolved.values as { app: unknown }).app, { greeting: 'hi', limit: 3, port: 3000 });
    });

    test("two namespaces of one database (table prefixes) do not see each other's revisions", async () => {
      const project = await fresh();
      const a = { DATABASE_TABLE_PREFIX: 'a_' };
      const b = { DATABASE_TABLE_PREFIX: 'b_' };
      const serviceA = await project.service({ variables: a });
      const serviceB = await project.service({ variables: b });
      let toldA = 0;
      serviceA.config.subscribe(() => toldA++);
      const toldB = nextChange(serviceB.config);
      await project.set({ 'app.greeting': 'only-b' }, b);
      assert.equal((await toldB).revision, 1);
      // A heard of it too on PostgreSQL (same channel, same environment name) and read its own table.
      await serviceA.config.refresh();
      assert.equal(serviceA.config.status().revision, 0);
      assert.equal(toldA, 0);
      assert.equal((serviceA.config.values as { app: { greeting: string } }).app.greeting, 'hello');
      const rows = await project
        .sql<{ n: number | string }>(`select count(*) as n from a_${REVISION_TABLE}`)
        .catch(() => [{ n: 0 }]);
      assert.equal(Number(rows[0]?.n), 0);
    });

    test('a listener that throws is logged and the other listeners are still called', async () => {
      const project = await fresh();
      const recorded = recordingLogger();
      const { config } = await project.service({ logger: recorded.logger });
      config.subscribe(() => {
        throw new Error('listener bug');
      });
      config.subscribe(async () => {
        throw new Error('async listener bug');
      });
      const told = nextChange(config);
      await project.set({ 'app.greeting': 'hi' });
      assert.equal((await told).revision, 1);
      await recorded.waitFor(/listener threw/);
      await recorded.waitFor(/listener threw/);
      assert.equal(recorded.lines.filter((line) => /listener threw/.test(line.message)).length, 2);
    });

    test('subscribers are told only of the keys they watch; a group watches every key inside it', async () => {
      const project = await fresh();
      const { config } = await project.service();
      const seen: string[][] = [];
      config.subscribe(['app.limit'], (change) => seen.push(change.changes.map((entry) => entry.key)));
      const group = nextChange(config, ['app']);
      await project.set({ 'app.greeting': 'hi' });
      assert.deepEqual(
        (await group).changes.map((entry) => entry.key),
        ['app.greeting'],
      );
      assert.deepEqual(seen, []);
      assert.throws(
        () => config.subscribe(['app.greting'], () => {}),
        (error: { code?: string; message?: string }) =>
          error.code === 'EW_CONFIG_KEY' && /Did you mean "app.greeting"/.test(error.message ?? ''),
      );
    });

    test('close() stops following: a later revision is not applied', async () => {
      const project = await fresh();
      const { config } = await project.service();
      await config.close();
      await config.close();
      assert.equal(config.status().mode, 'closed');
      assert.equal(config.status().connected, false);
      await project.set({ 'app.greeting': 'after-close' });
      await config.refresh();
      assert.equal(config.status().revision, 0);
      assert.equal((config.values as { app: { greeting: string } }).app.greeting, 'hello');
    });
  });
}
