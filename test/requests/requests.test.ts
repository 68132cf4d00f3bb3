/**
 * Change requests through the library, on real SQLite and PostgreSQL:
 * propose, review, apply at the quorum, stale, concurrency, and the direct
 * path refused where the policy covers it.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { sql } from 'kysely';
import { openProject } from '../../src/config/index.ts';
import { resolveConfig } from '../../src/resolution.ts';
import {
  approveRequest,
  backupConfig,
  configHistory,
  listRequests,
  proposeChange,
  rejectRequest,
  restoreConfig,
  setConfig,
  showRequest,
} from '../../src/runtime/index.ts';
import { keygen, setSecret } from '../../src/secrets/index.ts';
import { openStore } from '../../src/store/index.ts';
import { approveTogether } from '../support/approve-together.ts';
import { makeRequestsProject, type RequestsProject } from '../support/requests-project.ts';
import { DIALECTS } from '../support/store-project.ts';

for (const dialect of DIALECTS) {
  describe(`change requests on ${dialect}`, () => {
    let p: RequestsProject;
    before(async () => {
      p = await makeRequestsProject(dialect);
    });
    after(() => p.cleanup());

    test('a config request: the requester cannot approve it, another person can, and it applies', async () => {
      const created = await proposeChange({
        ...p.target('test', 'alice'),
        change: { kind: 'config.set', set: { 'app.port': '4100' } },
        reason: 'CHG-1',
      });
      assert.equal(created.status, 'pending');
      assert.equal(created.requester, 'alice');
      assert.deepEqual(created.diff, [{ key: 'app.port', from: null, to: '4100' }]);
      await assert.rejects(approveRequest({ ...p.target('test', 'alice'), id: created.id }), {
        code: 'EW_REQUEST_SELF_REVIEW',
      });
      const applied = await approveRequest({ ...p.target('test', 'bob'), id: created.id, reason: 'ok' });
      assert.equal(applied.status, 'applied');
      assert.equal(applied.approvals, 1);
      assert.match(applied.outcome, /^revision \d+$/);
      const history = await configHistory(p.target('test'));
      assert.equal(history.revisions.at(-1)?.changes[0]?.to, '4100');
      await assert.rejects(approveRequest({ ...p.target('test', 'carol'), id: created.id }), {
        code: 'EW_REQUEST_CLOSED',
      });
      const actions = (await p.audit('test')).map((event) => `${event.action} ${event.actor} ${event.outcome}`);
      for (const step of [
        'request.create alice pending',
        'request.approve alice refused',
        'request.approve bob approved',
        'config.set bob done',
        'request.apply bob done',
      ]) {
        assert.ok(actions.includes(step), `${step} in ${actions.join('; ')}`);
      }
    });

    test('the direct path is refused where the policy covers it, and unchanged where there is none', async () => {
      await assert.rejects(setConfig({ ...p.target('test'), set: { 'app.port': '4200' } }), {
        code: 'EW_APPROVAL_REQUIRED',
      });
      const dry = await setConfig({ ...p.target('test'), set: { 'app.port': '4200' }, dryRun: true });
      assert.equal(dry.written, false);
      const out = join(p.dir, 'test-backup.json');
      await backupConfig({ ...p.target('test'), out });
      await assert.rejects(restoreConfig({ ...p.target('test'), file: out, reason: 'r' }), {
        code: 'EW_APPROVAL_REQUIRED',
      });
      const direct = await setConfig({ ...p.target('development'), set: { 'app.port': '4300' } });
      assert.equal(direct.written, true);
      // qa's policy covers config only: a qa secret is not its business (no key pair: the secret's own error).
      await assert.rejects(setSecret({ ...p.target('qa'), key: 'payments.apiKey', value: 'x' }), {
        code: 'EW_SECRET_NO_KEY_PAIR',
      });
      await assert.rejects(
        proposeChange({
          ...p.target('development'),
          change: { kind: 'config.set', set: { 'app.port': '1' } },
          reason: 'r',
        }),
        { code: 'EW_REQUEST_CHANGE' },
      );
    });

    test('a rejected request never applies and takes no more reviews', async () => {
      const created = await proposeChange({
        ...p.target('test', 'alice'),
        change: { kind: 'config.set', set: { 'app.name': 'rejected-name' } },
        reason: 'CHG-2',
      });
      await assert.rejects(rejectRequest({ ...p.target('test', 'bob'), id: created.id, reason: '' }), {
        code: 'EW_REQUEST_CHANGE',
      });
      const rejected = await rejectRequest({ ...p.target('test', 'bob'), id: created.id, reason: 'no' });
      assert.equal(rejected.status, 'rejected');
      await assert.rejects(approveRequest({ ...p.target('test', 'carol'), id: created.id }), {
        code: 'EW_REQUEST_CLOSED',
      });
      const history = await configHistory(p.target('test'));
      assert.ok(!history.revisions.some((entry) => entry.changes.some((change) => change.to === 'rejected-name')));
    });

    test('a revision written between proposal and approval makes the request stale', async () => {
      const first = await proposeChange({
        ...p.target('test', 'alice'),
        change: { kind: 'config.set', set: { 'app.port': '4400' } },
        reason: 'CHG-3',
      });
      const second = await proposeChange({
        ...p.target('test', 'alice'),
        change: { kind: 'config.set', set: { 'app.name': 'moved' } },
        reason: 'CHG-4',
      });
      await approveRequest({ ...p.target('test', 'bob'), id: second.id });
      await assert.rejects(approveRequest({ ...p.target('test', 'bob'), id: first.id }), { code: 'EW_REQUEST_STALE' });
      const stale = await showRequest({ ...p.target('test'), id: first.id });
      assert.equal(stale.status, 'stale');
      assert.ok((await p.audit('test')).some((event) => event.action === 'request.stale'));
    });

    test('a quorum of two applies at the second approval; one person cannot approve twice', async () => {
      const created = await proposeChange({
        ...p.target('qa', 'alice'),
        change: { kind: 'config.set', set: { 'app.port': '4500' } },
        reason: 'CHG-5',
      });
      assert.equal(created.required, 2);
      const once = await approveRequest({ ...p.target('qa', 'bob'), id: created.id });
      assert.equal(once.status, 'pending');
      await assert.rejects(approveRequest({ ...p.target('qa', 'bob'), id: created.id }), {
        code: 'EW_REQUEST_REVIEWED',
      });
      const twice = await approveRequest({ ...p.target('qa', 'carol'), id: created.id });
      assert.equal(twice.status, 'applied');
      assert.equal(twice.approvals, 2);
    });

    test('two approvals at once apply the change once', async () => {
      const before = (await configHistory(p.target('test'))).latest;
      const created = await proposeChange({
        ...p.target('test', 'alice'),
        change: { kind: 'config.set', set: { 'app.port': '4600' } },
        reason: 'CHG-6',
      });
      const results = await approveTogether(p.dir, 'test', created.id, ['bob', 'carol']);
      // Each applied it, found it applied by the other after its own review, or came after (EW_REQUEST_CLOSED).
      for (const result of results) assert.ok(result.status === 'applied' || result.error === 'EW_REQUEST_CLOSED');
      assert.ok(
        results.some((result) => result.status === 'applied'),
        JSON.stringify(results),
      );
      assert.equal((await configHistory(p.target('test'))).latest, before + 1);
      assert.equal((await showRequest({ ...p.target('test'), id: created.id })).status, 'applied');
      const applies = (await p.audit('test')).filter(
        (event) => event.action === 'request.apply' && event.target.startsWith(`request #${created.id} `),
      );
      assert.equal(applies.length, 1);
    });

    test('an invalid change is refused when proposed, and nothing is written', async () => {
      const count = (await listRequests(p.target('test'))).length;
      await assert.rejects(
        proposeChange({
          ...p.target('test', 'alice'),
          change: { kind: 'config.set', set: { 'app.port': 'x' } },
          reason: 'r',
        }),
        { code: 'EW_CONFIG_INVALID' },
      );
      await assert.rejects(
        proposeChange({ ...p.target('test', 'alice'), change: { kind: 'nope' } as never, reason: 'r' }),
        { code: 'EW_REQUEST_CHANGE' },
      );
      await assert.rejects(
        proposeChange({
          ...p.target('test', 'alice'),
          change: { kind: 'config.set', set: { 'app.port': '1' } },
          reason: ' ',
        }),
        { code: 'EW_REQUEST_CHANGE' },
      );
      assert.equal((await listRequests(p.target('test'))).length, count);
    });

    test('requests are per environment: another environment has no request of that number', async () => {
      const [first] = await listRequests(p.target('test'));
      assert.ok(first);
      await assert.rejects(showRequest({ ...p.target('development'), id: first.id }), { code: 'EW_REQUEST_NOT_FOUND' });
      await assert.rejects(approveRequest({ ...p.target('development', 'bob'), id: first.id }), {
        code: 'EW_REQUEST_NOT_FOUND',
      });
      assert.deepEqual(
        (await listRequests({ ...p.target('test'), status: 'rejected' })).map((request) => request.status),
        ['rejected'],
      );
    });

    test('a secret request seals the value at once and applies the ciphertext', async () => {
      await keygen(p.target('test'));
      const canary = `canary-secret-${dialect}-7fQ2mZ9xK4vB1nL8pR3tY6wE`;
      await assert.rejects(setSecret({ ...p.target('test'), key: 'payments.apiKey', value: canary }), {
        code: 'EW_APPROVAL_REQUIRED',
      });
      const created = await proposeChange({
        ...p.target('test', 'alice'),
        change: { kind: 'secret.set', key: 'payments.apiKey', value: canary },
        reason: 'rotate the key',
      });
      assert.deepEqual(created.diff, [{ key: 'payments.apiKey', from: null, to: '(sealed)' }]);
      const applied = await approveRequest({ ...p.target('test', 'bob'), id: created.id });
      assert.equal(applied.status, 'applied');
      const project = await openProject(p.dir);
      const resolved = await resolveConfig<{ payments: { apiKey?: string } }>({ project, env: 'test', variables: {} });
      assert.equal(resolved.values.payments.apiKey, canary);
      const seen = [
        JSON.stringify(await listRequests(p.target('test'))),
        JSON.stringify(await showRequest({ ...p.target('test'), id: created.id })),
        JSON.stringify(await p.audit('test')),
      ];
      if (dialect === 'sqlite') seen.push(readFileSync(join(p.dir, 'var/test/app.db')).toString('latin1'));
      if (dialect === 'postgres') {
        seen.push(JSON.stringify(await p.database?.query('select * from test.envward_change_request')));
      }
      for (const text of seen) assert.ok(!text.includes(canary), 'the plaintext is nowhere');
    });
    test('the database keeps the rules too: no own review, no review of another requester, no unknown status', async () => {
      const [request] = await listRequests(p.target('test'));
      assert.ok(request);
      const store = await openStore(await resolveConfig({ cwd: p.dir, env: 'test', variables: {}, checkHost: false }));
      try {
        const review = (reviewer: string, requester: string) =>
          sql`insert into envward_change_review (request_id, reviewer, requester, decision, reason, at)
              values (${request.id}, ${reviewer}, ${requester}, 'approve', '', 'now')`.execute(store.db);
        await assert.rejects(review(request.requester, request.requester), /check|constraint/i);
        await assert.rejects(review('mallory', 'not-the-requester'), /foreign|constraint/i);
        await assert.rejects(
          sql`update envward_change_request set status = 'bogus' where id = ${request.id}`.execute(store.db),
          /check|constraint/i,
        );
        await assert.rejects(
          sql`update envward_change_request set decided_at = null where id = ${request.id} and status <> 'pending'`.execute(
            store.db,
          ),
          /check|constraint/i,
        );
      } finally {
        await store.close();
      }
    });

    test('hostile input: huge or control-laden reasons and actors, odd ids, are refused without writing', async () => {
      const count = (await listRequests(p.target('test'))).length;
      const change = { kind: 'config.set', set: { 'app.port': '4800' } } as const;
      await assert.rejects(proposeChange({ ...p.target('test', 'alice'), change, reason: 'x'.repeat(5000) }), {
        code: 'EW_REQUEST_CHANGE',
      });
      await assert.rejects(proposeChange({ ...p.target('test', 'al\u001bice'), change, reason: 'r' }), {
        code: 'EW_REQUEST_CHANGE',
      });
      await assert.rejects(proposeChange({ ...p.target('test', ''), change, reason: 'r' }), {
        code: 'EW_REQUEST_CHANGE',
      });
      await assert.rejects(
        proposeChange({
          ...p.target('test', 'alice'),
          change: { kind: 'config.set', set: { 'app.name': 'a\u0000b' } },
          reason: 'r',
        }),
        { code: 'EW_USAGE' },
      );
      await assert.rejects(
        proposeChange({
          ...p.target('test', 'alice'),
          change: { kind: 'config.set', set: { 'app.port': 7 } } as never,
          reason: 'r',
        }),
        { code: 'EW_REQUEST_CHANGE' },
      );
      for (const id of [0, -1, 1.5, Number.NaN, 2 ** 60]) {
        await assert.rejects(showRequest({ ...p.target('test'), id }), { code: 'EW_REQUEST_NOT_FOUND' });
      }
      assert.equal((await listRequests(p.target('test'))).length, count);
      const console = await proposeChange({ ...p.target('test', 'console:ada'), change, reason: 'from the console' });
      assert.equal(console.requester, 'console:ada');
    });
  });
}
