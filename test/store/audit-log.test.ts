/**
 * The hash-chained audit log on SQLite and a real PostgreSQL: appends,
 * list filters, `audit verify` against rows changed, removed and inserted by
 * hand (plain SQL around envward, as an intruder would), and one unbroken
 * chain from several writer processes at once.
 */
import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { chainHash, GENESIS } from '../../src/store/audit-log.ts';
import type { AuditRow } from '../../src/store/internal-tables.ts';
import { DIALECTS, makeStoreProject, runStoreProcesses, type StoreProject } from '../support/store-project.ts';

const OK = 0;
const PROBLEM = 1;
for (const dialect of DIALECTS) {
  describe(`audit log on ${dialect}`, { concurrency: true }, () => {
    const projects: StoreProject[] = [];
    after(() => Promise.all(projects.map((project) => project.cleanup())));

    /** A development store with six events: the automatic stamp and five appended ones. */
    const withSixEvents = async () => {
      const project = await makeStoreProject(dialect);
      projects.push(project);
      const store = await project.open('development');
      for (let i = 1; i <= 5; i++) {
        await store.audit.append({ action: 'test.event', target: `thing-${i}`, outcome: 'done' });
      }
      await store.close();
      return project;
    };
    /** `audit verify` as the CLI runs it, and the API's report of the same log. */
    const verify = async (project: StoreProject) => {
      const text = await project.cli(['audit', 'verify', '--env', 'development']);
      const report = await (await project.open('development')).audit.verify();
      return { text, report, broken: report.broken ?? { seq: 0, reason: '' } };
    };

    test('each event chains to the one before it, and verify passes', async () => {
      const project = await makeStoreProject(dialect);
      projects.push(project);
      const store = await project.open('development', { actor: 'carol', resolve: { hostname: 'box-1' } });
      const appended = await store.audit.append({
        action: 'interest.run',
        target: 'accounts',
        reason: 'month end',
        outcome: 'done',
      });
      assert.equal(appended.seq, 2, 'after the automatic db.stamp');
      const rows = await store.audit.list();
      assert.deepEqual(
        rows.map((row) => [row.seq, row.environment, row.actor, row.host, row.action]),
        [
          [1, 'development', 'carol', 'box-1', 'db.stamp'],
          [2, 'development', 'carol', 'box-1', 'interest.run'],
        ],
      );
      assert.equal(rows[0]?.prev_hash, GENESIS);
      assert.equal(rows[1]?.prev_hash, rows[0]?.hash);
      assert.equal(rows[1]?.hash, chainHash(rows[0]?.hash ?? '', rows[1] as AuditRow));
      const head = rows[1]?.hash ?? '';
      assert.deepEqual(await store.audit.verify(), { ok: true, rows: 2, head, anchor: { events: 2, head } });
    });

    test('audit list filters by action and by time, oldest first', async () => {
      const project = await withSixEvents();
      const store = await project.open('development');
      assert.deepEqual(
        (await store.audit.list({ action: 'test.event', limit: 2 })).map((row) => row.target),
        ['thing-4', 'thing-5'],
      );
      assert.deepEqual(await store.audit.list({ since: new Date(Date.now() + 60_000).toISOString() }), []);
      const listed = await project.cli([
        'audit',
        'list',
        '--env',
        'development',
        '--action',
        'db.stamp',
        '--since',
        '1h',
      ]);
      assert.equal(listed.code, OK, listed.stderr);
      assert.match(
        listed.stdout,
        /^#1 \S+ development \S+@\S+ db\.stamp \S+ -> done\n {6}reason: automatic: first open in development\n$/,
      );
      const none = await project.cli(['audit', 'list', '--env', 'development', '--since', '2999-01-01T00:00:00Z']);
      assert.equal(none.stdout, 'no audit events\n');
    });

    test('verify passes on an untouched log', async () => {
      const project = await withSixEvents();
      const { text, report } = await verify(project);
      assert.equal(text.code, OK, text.stderr);
      assert.match(text.stdout, /: 6 events, chain intact, matches the stamp's anchor\nhead [0-9a-f]{64}\n$/);
      assert.equal(report.ok, true);
      assert.equal(report.rows, 6);
      assert.match(report.head, /^[0-9a-f]{64}$/);
    });

    test('a row edited by hand makes audit verify exit 1 and name that row', async () => {
      const project = await withSixEvents();
      await project.sql("update envward_audit set reason = 'nothing happened' where seq = $1", [3]);
      const { text, report, broken } = await verify(project);
      assert.equal(text.code, PROBLEM, text.stderr);
      assert.match(text.stdout, /chain broken at row 3: row 3 was changed after it was written\n$/);
      assert.deepEqual([report.ok, broken.seq, broken.reason], [false, 3, 'changed']);
    });

    test('a middle row deleted by hand makes audit verify exit 1 and name the gap', async () => {
      const project = await withSixEvents();
      await project.sql('delete from envward_audit where seq = $1', [4]);
      const { text, broken } = await verify(project);
      assert.equal(text.code, PROBLEM, text.stderr);
      assert.match(text.stdout, /chain broken at row 5: row 5 follows row 3: row\(s\) 4 were removed\n$/);
      assert.deepEqual([broken.seq, broken.reason], [5, 'removed-before']);
    });

    test('a row inserted by hand between two rows makes audit verify exit 1 at the first row it displaced', async () => {
      const project = await withSixEvents();
      // Make room after row 3 (two steps: a primary key cannot take seq + 1 in one statement everywhere).
      await project.sql('update envward_audit set seq = seq + 100 where seq > $1', [3]);
      await project.sql('update envward_audit set seq = seq - 99 where seq > $1', [100]);
      const [row3] = await project.sql<AuditRow>('select * from envward_audit where seq = $1', [3]);
      assert.ok(row3);
      // The intruder even chains the forged row correctly to row 3.
      const forged = {
        seq: 4,
        at: new Date().toISOString(),
        environment: 'development',
        actor: 'mallory',
        host: 'box-9',
        action: 'db.stamp',
        target: 'nothing to see',
        reason: null,
        outcome: 'done',
      };
      await project.sql(
        `insert into envward_audit (seq, at, environment, actor, host, action, target, reason, outcome, prev_hash, hash)
         values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`,
        [...Object.values(forged), row3.hash, chainHash(row3.hash, forged)],
      );
      const { text, report, broken } = await verify(project);
      assert.equal(text.code, PROBLEM, text.stderr);
      assert.match(text.stdout, /chain broken at row 5: /);
      assert.deepEqual([report.ok, report.rows, broken.seq], [false, 7, 5]);
    });

    test('a row appended by hand with a made-up hash makes audit verify exit 1 and name it', async () => {
      const project = await withSixEvents();
      const [row2] = await project.sql<AuditRow>('select * from envward_audit where seq = $1', [2]);
      assert.ok(row2);
      // A copy of row 2 (its hashes included) as row 7.
      await project.sql(
        `insert into envward_audit (seq, at, environment, actor, host, action, target, reason, outcome, prev_hash, hash)
         values (7, $1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
        [
          row2.at,
          row2.environment,
          row2.actor,
          row2.host,
          row2.action,
          row2.target,
          row2.reason,
          row2.outcome,
          row2.prev_hash,
          row2.hash,
        ],
      );
      const { text, broken } = await verify(project);
      assert.equal(text.code, PROBLEM, text.stderr);
      assert.match(text.stdout, /chain broken at row 7: /);
      assert.equal(broken.seq, 7);
    });

    test('four writer processes appending 50 events each keep one unbroken chain, and its anchor', async () => {
      const project = await makeStoreProject(dialect);
      projects.push(project);
      await (await project.open('development')).close(); // stamped once, before the writers race
      const writers = Array.from({ length: 4 }, (_, index) => ({
        env: 'development',
        appends: 50,
        label: `writer${index}`,
      }));
      const reports = await runStoreProcesses(project, writers);
      assert.deepEqual(reports, Array(4).fill({ stamp: 'development' }));
      const store = await project.open('development');
      const verification = await store.audit.verify();
      assert.deepEqual([verification.ok, verification.rows], [true, 201], JSON.stringify(verification.broken));
      const rows = await store.audit.list({ action: 'test.concurrent', limit: 1000 });
      assert.equal(rows.length, 200);
      for (let writer = 0; writer < 4; writer++) {
        const own = rows.filter((row) => row.actor === `writer${writer}`).map((row) => row.target);
        assert.deepEqual(
          own,
          Array.from({ length: 50 }, (_, i) => `writer${writer}-${i}`),
          `writer${writer}'s events, in its order`,
        );
      }
      const interleaved = rows.some((row, index) => index > 0 && row.actor !== rows[index - 1]?.actor);
      assert.ok(interleaved, 'the writers ran at the same time');
      const [anchor] = await project.sql<{ audit_count: number; audit_head: string }>(
        'select audit_count, audit_head from envward_stamp',
      );
      assert.deepEqual(
        [Number(anchor?.audit_count), anchor?.audit_head],
        [201, verification.head],
        'the anchor kept up',
      );
    });
  });

  describe(`audit anchor on ${dialect}`, { concurrency: true }, () => {
    const projects: StoreProject[] = [];
    after(() => Promise.all(projects.map((project) => project.cleanup())));

    /** A development store with six events, kept open (an open in enforce mode makes missing tables). */
    const withSixEvents = async () => {
      const project = await makeStoreProject(dialect);
      projects.push(project);
      const store = await project.open('development');
      for (let i = 1; i <= 5; i++) {
        await store.audit.append({ action: 'test.event', target: `thing-${i}`, outcome: 'done' });
      }
      const head = (await store.audit.list()).at(-1)?.hash ?? '';
      return { project, store, head };
    };
    const cliVerify = (project: StoreProject, ...extra: string[]) =>
      project.cli(['audit', 'verify', '--env', 'development', ...extra]);
    const auditTableExists = async (project: StoreProject) =>
      (
        await project.sql(
          dialect === 'postgres'
            ? "select 1 from pg_tables where tablename = 'envward_audit'"
            : "select 1 from sqlite_master where name = 'envward_audit'",
        )
      ).length > 0;

    test('an intact log passes, matching the anchor, and verify prints the head in text and JSON', async () => {
      const { project, store, head } = await withSixEvents();
      assert.deepEqual(await store.audit.verify(), { ok: true, rows: 6, head, anchor: { events: 6, head } });
      const text = await cliVerify(project);
      assert.equal(text.code, OK, text.stderr);
      assert.match(
        text.stdout,
        /^audit log of \S+: 6 events, chain intact, matches the stamp's anchor\nhead [0-9a-f]{64}\n$/,
      );
      assert.ok(text.stdout.endsWith(`head ${head}\n`), text.stdout);
      const json = await cliVerify(project, '--json');
      assert.equal(json.code, OK, json.stderr);
      const report = JSON.parse(json.stdout) as { ok: boolean; head: string; anchor: unknown };
      assert.deepEqual([report.ok, report.head, report.anchor], [true, head, { events: 6, head }]);
    });

    test('a dropped audit table fails verify, and verify does not make it again', async () => {
      const { project, store, head } = await withSixEvents();
      await project.sql('drop table envward_audit');
      const report = await store.audit.verify();
      assert.equal(report.ok, false);
      assert.equal(report.broken?.reason, 'missing-table');
      const text = await cliVerify(project);
      assert.equal(text.code, PROBLEM, text.stderr);
      assert.ok(
        text.stdout.includes(
          `the audit table envward_audit is missing, but the stamp's anchor records 6 events, head ${head.slice(0, 12)}`,
        ),
        text.stdout,
      );
      assert.equal(await auditTableExists(project), false, 'verify is read-only');
    });

    test('an emptied audit table fails verify', async () => {
      const { project, store } = await withSixEvents();
      await project.sql('delete from envward_audit');
      assert.equal((await store.audit.verify()).broken?.reason, 'emptied');
      const text = await cliVerify(project);
      assert.equal(text.code, PROBLEM, text.stderr);
      assert.match(text.stdout, /the log is empty, but the stamp's anchor records 6 events, head [0-9a-f]{12}/);
    });

    test('a tail of three events removed fails verify, naming where the log ends and what the anchor records', async () => {
      const { project, store, head } = await withSixEvents();
      await project.sql('delete from envward_audit where seq > $1', [3]);
      const report = await store.audit.verify();
      assert.deepEqual([report.ok, report.rows, report.broken?.reason], [false, 3, 'truncated']);
      const text = await cliVerify(project);
      assert.equal(text.code, PROBLEM, text.stderr);
      assert.ok(
        text.stdout.includes(
          `the log ends at event 3, but the stamp's anchor records 6 events, head ${head.slice(0, 12)}…: events 4-6 were removed`,
        ),
        text.stdout,
      );
    });

    test('an anchor edited alone fails verify as a mismatch', async () => {
      const { project, store } = await withSixEvents();
      await project.sql('update envward_stamp set audit_head = $1 where id = 1', ['ab'.repeat(32)]);
      assert.equal((await store.audit.verify()).broken?.reason, 'anchor-mismatch');
      const text = await cliVerify(project);
      assert.equal(text.code, PROBLEM, text.stderr);
      assert.match(text.stdout, /does not match the stamp's anchor \(6 events, head abababababab/);
    });

    test('a tail removed together with the anchor rewritten passes alone but fails --expect-head', async () => {
      const { project, store, head } = await withSixEvents();
      await project.sql('delete from envward_audit where seq > $1', [4]);
      const [row4] = await project.sql<AuditRow>('select * from envward_audit where seq = $1', [4]);
      await project.sql('update envward_stamp set audit_head = $1, audit_count = $2 where id = 1', [row4?.hash, 4]);
      assert.equal((await store.audit.verify()).ok, true);
      const report = await store.audit.verify({ expectHead: head });
      assert.deepEqual([report.ok, report.broken?.reason], [false, 'expected-head-missing']);
      const text = await cliVerify(project, '--expect-head', head);
      assert.equal(text.code, PROBLEM, text.stderr);
      assert.ok(text.stdout.includes(`event ${head} is not in the chain`), text.stdout);
    });

    test('a stamp table made before the anchor verifies on the chain alone, and the next write records the anchor from the log', async () => {
      const { project, store, head } = await withSixEvents();
      await store.close();
      await project.sql('alter table envward_stamp drop column audit_count');
      await project.sql('alter table envward_stamp drop column audit_head');
      const before = await cliVerify(project);
      assert.equal(before.code, OK, before.stderr);
      assert.match(before.stdout, /: 6 events, chain intact, no anchor recorded yet /);
      const upgraded = await project.open('development');
      assert.deepEqual(await upgraded.audit.anchor(), { events: 6, head });
      assert.equal((await upgraded.audit.verify()).ok, true);
    });

    test('--expect-head passes for the head and for an earlier event of the chain', async () => {
      const { project, store, head } = await withSixEvents();
      const [row2] = await project.sql<AuditRow>('select * from envward_audit where seq = $1', [2]);
      assert.equal((await store.audit.verify({ expectHead: head })).ok, true);
      const text = await cliVerify(project, '--expect-head', row2?.hash ?? '');
      assert.equal(text.code, OK, text.stderr);
      const bad = await cliVerify(project, '--expect-head', 'not-a-hash');
      assert.equal(bad.code, 2);
      assert.match(bad.stderr, /error\[EW_USAGE\]: --expect-head expects/);
    });
  });
}
