/**
 * The CLI's contract for change requests (built binary, `npm run build`
 * first): a direct command in a policy environment makes a request, the OS
 * user approves someone else's and not their own, a secret request never
 * shows its value. Few spawns: the library tests cover the rest.
 */
import assert from 'node:assert/strict';
import { userInfo } from 'node:os';
import { after, before, test } from 'node:test';
import { proposeChange, showRequest } from '../../src/runtime/index.ts';
import { keygen } from '../../src/secrets/index.ts';
import { assertNoCanary, makeCanary } from '../support/canary.ts';
import { makeRequestsProject, type RequestsProject } from '../support/requests-project.ts';
import { runCli } from '../support/run-cli.ts';

let p: RequestsProject;
before(async () => {
  p = await makeRequestsProject('sqlite');
});
after(() => p.cleanup());

const cli = (args: readonly string[], input?: string) =>
  runCli(args, { cwd: p.dir, ...(input !== undefined ? { input } : {}) });

test('config set in a policy environment creates a request, which its requester cannot approve', async () => {
  const created = await cli(['config', 'set', 'app.port=4700', '--env', 'test', '--reason', 'CHG-10']);
  assert.equal(created.code, 0, created.stderr);
  const match = /^request #(\d+) created: needs 1 approval from someone other than you/.exec(created.stdout);
  assert.ok(match, created.stdout);
  const id = Number(match[1]);
  const request = await showRequest({ ...p.target('test'), id });
  assert.equal(request.requester, userInfo().username);
  assert.deepEqual(request.diff, [{ key: 'app.port', from: null, to: '4700' }]);
  const own = await cli(['requests', 'approve', String(id), '--env', 'test']);
  assert.equal(own.code, 3, own.stderr);
  assert.match(own.stderr, /EW_REQUEST_SELF_REVIEW/);
});

test("requests approve (the OS user) applies alice's request", async () => {
  const created = await proposeChange({
    ...p.target('test', 'alice'),
    change: { kind: 'config.set', set: { 'app.name': 'approved-by-cli' } },
    reason: 'CHG-11',
  });
  const approved = await cli(['requests', 'approve', String(created.id), '--env', 'test', '--reason', 'ok', '--json']);
  assert.equal(approved.code, 0, approved.stderr);
  const request = JSON.parse(approved.stdout) as { status: string; reviews: { reviewer: string }[] };
  assert.equal(request.status, 'applied');
  assert.deepEqual(
    request.reviews.map((review) => review.reviewer),
    [userInfo().username],
  );
});

test('secrets set in a policy environment seals the value into a request; the value is shown nowhere', async () => {
  await keygen(p.target('test'));
  const canary = makeCanary('requestsecret');
  const created = await cli(
    ['secrets', 'set', 'payments.apiKey', '--env', 'test', '--reason', 'CHG-12', '--json'],
    canary,
  );
  assert.equal(created.code, 0, created.stderr);
  const request = JSON.parse(created.stdout) as { kind: string; status: string };
  assert.deepEqual([request.kind, request.status], ['secret.set', 'pending']);
  const listed = await cli(['requests', 'list', '--env', 'test', '--json']);
  assert.equal(listed.code, 0, listed.stderr);
  for (const [where, text] of Object.entries({
    set: created.stdout + created.stderr,
    list: listed.stdout + listed.stderr,
    audit: JSON.stringify(await p.audit('test')),
  })) {
    assertNoCanary(text, [canary], where);
  }
});
