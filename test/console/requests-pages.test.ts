/**
 * Change requests in the console: the change forms propose where the policy
 * asks for approvals, reviewers approve or reject on the request's page as
 * `console:<name>`, the requester and a viewer cannot, stale requests are
 * refused, a secret's request is sealed, and `/requests` marks what waits
 * for each user.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { ConsoleServer } from '../../src/console/start-console.ts';
import { configHistory, listRequests, showRequest } from '../../src/runtime/index.ts';
import { keygen, setSecret } from '../../src/secrets/index.ts';
import { assertNoCanary, makeCanary } from '../support/canary.ts';
import { flashOf } from '../support/console-ops-project.ts';
import {
  type ConsoleClient,
  type ConsoleProject,
  consoleConfig,
  loggedIn,
  makeConsoleProject,
} from '../support/console-project.ts';

let project: ConsoleProject;
let server: ConsoleServer;
const PROD = { reason: 'CHG-1', confirm: 'production' };

const SCHEMA = 'payments: z.object({ apiKey: secret(z.string()).optional() }),';

before(async () => {
  project = makeConsoleProject({}, { schema: SCHEMA });
  // The secrets are set before its policy is declared (a policy added later), so production and qa validate.
  for (const env of ['production', 'qa']) {
    await keygen({ cwd: project.dir, env, variables: {} });
    await setSecret({ cwd: project.dir, env, variables: {}, key: 'payments.apiKey', value: makeCanary('seed') });
  }
  const policies = `qa: { tier: 'staging', approvals: { required: 2 } },
    production: { approvals: { required: 1 } },`;
  project.files.write('envward.config.ts', consoleConfig({ schema: SCHEMA, environments: policies }));
  for (const env of ['production', 'qa']) await project.stamp(env);
  await project.addUser('mo', 'development:operator,production:operator,qa:operator');
  await project.addUser('otto', 'development:operator,production:operator,qa:operator');
  await project.addUser('ada', 'development:admin,production:admin,qa:admin');
  await project.addUser('ana', 'production:admin');
  await project.addUser('vic', 'development:viewer,production:viewer');
  server = await project.server();
});
after(async () => {
  await server?.close();
  project?.cleanup();
});

// One signed-in browser per user: logins are rate-limited per address, as they should be.
const browsers = new Map<string, ConsoleClient>();
async function as(name: string): Promise<ConsoleClient> {
  const known = browsers.get(name);
  if (known) return known;
  const client = await loggedIn(server.app, name);
  browsers.set(name, client);
  return client;
}

const latest = async (env: string) => (await configHistory({ cwd: project.dir, env, variables: {} })).latest;
const request = (env: string, id: number) => showRequest({ cwd: project.dir, env, variables: {}, id });

const auditOf = (env: string) => project.auditOf(env, { limit: 1000 });

/** Proposes app.greeting=value in production through the revisions page as `client`; the new request's number. */
async function propose(client: ConsoleClient, value: string): Promise<number> {
  await client.get('/env/production/revisions');
  const answer = await client.post('/env/production/revisions/set', { key: 'app.greeting', value, ...PROD });
  assert.equal(answer.status, 303, answer.body);
  const id = Number(/\/env\/production\/requests\/(\d+)$/.exec(answer.location ?? '')?.[1]);
  assert.ok(id > 0, answer.location);
  return id;
}

test('the revisions page proposes in production: a pending request, no revision, the page says so', async () => {
  const mo = await as('mo');
  const form = await mo.get('/env/production/revisions');
  assert.match(form.body, /data-policy="config">Changes here need 1 approval from someone other than you/);
  const id = await propose(mo, 'proposed <b>hi</b>');
  const page = await mo.get(`/env/production/requests/${id}`);
  assert.deepEqual(flashOf(page.body), {
    kind: 'ok',
    text: `request #${id} created: needs 1 approval from someone other than you.`,
  });
  assert.match(page.body, /data-status="pending"[\s\S]*console:mo[\s\S]*CHG-1[\s\S]*0 of 1/);
  assert.match(page.body, /proposed &lt;b&gt;hi&lt;\/b&gt;/);
  assert.equal(await latest('production'), 0);
  assert.equal((await request('production', id)).status, 'pending');
});

test('the requester sees no review form, and a forged approval is refused by the library and audited', async () => {
  const mo = await as('mo');
  const id = await propose(mo, 'mine');
  const page = await mo.get(`/env/production/requests/${id}`);
  assert.doesNotMatch(page.body, /data-form="approve"/);
  assert.match(page.body, /You proposed this request/);
  const forged = await mo.post(`/env/production/requests/${id}/approve`, PROD);
  assert.equal(forged.status, 303);
  const after = await mo.get(`/env/production/requests/${id}`);
  assert.match(flashOf(after.body)?.text ?? '', /^EW_REQUEST_SELF_REVIEW: /);
  assert.equal((await request('production', id)).status, 'pending');
  assert.equal(await latest('production'), 0);
  const refused = (await auditOf('production')).filter((event) => event.outcome === 'refused');
  assert.ok(refused.some((event) => event.action === 'request.approve' && event.actor === 'console:mo'));
});

test('a viewer sees no form and an approval POST is 403; nothing applied', async () => {
  const mo = await as('mo');
  const id = await propose(mo, 'viewer try');
  const vic = await as('vic');
  const page = await vic.get(`/env/production/requests/${id}`);
  assert.equal(page.status, 200);
  assert.doesNotMatch(page.body, /data-form="approve"/);
  assert.equal((await vic.post(`/env/production/requests/${id}/approve`, PROD)).status, 403);
  assert.equal((await vic.post(`/env/production/requests/${id}/reject`, PROD)).status, 403);
  assert.equal((await request('production', id)).status, 'pending');
});

test('another operator approves: applied as a revision, the config shows it, every step audited by name', async () => {
  const mo = await as('mo');
  const otto = await as('otto');
  const id = await propose(mo, 'approved greeting');
  const before = await latest('production');
  const page = await otto.get(`/env/production/requests/${id}`);
  assert.match(page.body, /data-form="approve"/);
  assert.match(page.body, /<input id="approve-confirm" name="confirm"/);
  // Production asks the reviewer for the reason and the typed name too.
  assert.equal((await otto.post(`/env/production/requests/${id}/approve`, { reason: 'ok' })).status, 400);
  const answer = await otto.post(`/env/production/requests/${id}/approve`, {
    reason: 'checked',
    confirm: 'production',
  });
  assert.equal(answer.status, 303);
  const shown = await otto.get(`/env/production/requests/${id}`);
  assert.deepEqual(flashOf(shown.body), {
    kind: 'ok',
    text: `Request #${id} approved and applied as revision ${before + 1}.`,
  });
  assert.equal(await latest('production'), before + 1);
  const config = await otto.get('/env/production/config');
  assert.match(config.body, /approved greeting/);
  const events = (await auditOf('production')).filter((event) => event.target.includes(`#${id}`));
  const steps = events.map((event) => `${event.action} ${event.actor}`);
  assert.ok(steps.includes('request.create console:mo'), steps.join('; '));
  assert.ok(steps.includes('request.approve console:otto'), steps.join('; '));
  assert.ok(steps.includes('request.apply console:otto'), steps.join('; '));
  const set = (await auditOf('production')).find((event) => event.action === 'config.set');
  assert.match(set?.reason ?? '', new RegExp(`request #${id}`));
});

test('a rejection closes the request: nothing applied, the reviews say who and why', async () => {
  const mo = await as('mo');
  const otto = await as('otto');
  const id = await propose(mo, 'to reject');
  const before = await latest('production');
  await otto.get(`/env/production/requests/${id}`);
  await otto.post(`/env/production/requests/${id}/reject`, { reason: 'wrong text', confirm: 'production' });
  const page = await otto.get(`/env/production/requests/${id}`);
  assert.equal(flashOf(page.body)?.text, `Request #${id} rejected: it will not apply.`);
  assert.match(page.body, /data-status="rejected"[\s\S]*rejected by console:otto: wrong text/);
  assert.doesNotMatch(page.body, /data-form="approve"/);
  assert.equal(await latest('production'), before);
});

test('a request made stale by a revision written in between is refused with EW_REQUEST_STALE', async () => {
  const mo = await as('mo');
  const otto = await as('otto');
  const first = await propose(mo, 'first');
  const second = await propose(mo, 'second');
  await otto.get(`/env/production/requests/${first}`);
  await otto.post(`/env/production/requests/${first}/approve`, PROD);
  const before = await latest('production');
  await otto.post(`/env/production/requests/${second}/approve`, PROD);
  const page = await otto.get(`/env/production/requests/${second}`);
  assert.match(flashOf(page.body)?.text ?? '', /^EW_REQUEST_STALE: /);
  assert.equal((await request('production', second)).status, 'stale');
  assert.equal(await latest('production'), before);
});

test('a secret set through the secrets page in production is a sealed request; the value is on no page', async () => {
  const canary = makeCanary('console-request');
  const ada = await as('ada');
  const form = await ada.get('/env/production/secrets');
  assert.match(form.body, /data-policy="secrets"/);
  const answer = await ada.post('/env/production/secrets/set', { key: 'payments.apiKey', value: canary, ...PROD });
  assert.equal(answer.status, 303, answer.body);
  const id = Number(/requests\/(\d+)$/.exec(answer.location ?? '')?.[1]);
  const stored = await request('production', id);
  assert.equal(stored.kind, 'secret.set');
  assert.deepEqual(stored.diff, [{ key: 'payments.apiKey', from: '(sealed)', to: '(sealed)' }]);
  const seen: string[] = [];
  for (const user of [ada, await as('otto'), await as('vic')]) {
    for (const path of [
      `/env/production/requests/${id}`,
      '/env/production/requests',
      '/requests',
      '/env/production/audit',
    ]) {
      const page = await user.get(path);
      seen.push(page.body, JSON.stringify(page.headers));
    }
  }
  assert.match(seen[0] ?? '', /\(sealed\)/);
  assertNoCanary(seen.join('\n'), [canary], 'console pages');
});

test('/requests lists pending requests per environment with "waiting for you" right for each user', async () => {
  const mo = await as('mo');
  await mo.get('/env/qa/revisions');
  const made = await mo.post('/env/qa/revisions/set', { key: 'app.greeting', value: 'qa change', reason: 'QA-1' });
  const qaId = Number(/requests\/(\d+)$/.exec(made.location ?? '')?.[1]);
  const otto = await as('otto');
  await otto.get(`/env/qa/requests/${qaId}`);
  await otto.post(`/env/qa/requests/${qaId}/approve`, { reason: 'one of two' });
  assert.equal(
    flashOf((await otto.get(`/env/qa/requests/${qaId}`)).body)?.text,
    `Request #${qaId} approved: 1 of 2 approvals.`,
  );
  const pendingProduction = (
    await listRequests({ cwd: project.dir, env: 'production', variables: {}, status: 'pending' })
  )
    .filter((one) => one.kind === 'config.set')
    .map((one) => one.id);
  assert.ok(pendingProduction.length > 0);
  const waiting = (body: string, env: string, id: number) =>
    new RegExp(
      `<section data-environment="${env}">(?:(?!</section>)[\\s\\S])*<tr data-request="${id}"[^>]*>\\s*<td><a[^>]*>#${id}</a><br><strong class="warn" data-waiting>`,
    ).test(body);
  const listed = (body: string, env: string, id: number) =>
    new RegExp(`<section data-environment="${env}">(?:(?!</section>)[\\s\\S])*<tr data-request="${id}"`).test(body);
  const [p] = pendingProduction as [number];
  const views = {
    mo: (await mo.get('/requests')).body,
    otto: (await otto.get('/requests')).body,
    ada: (await (await as('ada')).get('/requests')).body,
    vic: (await (await as('vic')).get('/requests')).body,
  };
  // mo proposed both: listed, never waiting for him.
  assert.ok(listed(views.mo, 'production', p) && !waiting(views.mo, 'production', p));
  assert.ok(listed(views.mo, 'qa', qaId) && !waiting(views.mo, 'qa', qaId));
  // otto may approve production's, but has reviewed qa's already.
  assert.ok(waiting(views.otto, 'production', p));
  assert.ok(listed(views.otto, 'qa', qaId) && !waiting(views.otto, 'qa', qaId));
  // ada (admin) may approve both; vic (viewer) sees production's, waiting for nobody like him, and no qa.
  assert.ok(waiting(views.ada, 'production', p) && waiting(views.ada, 'qa', qaId));
  assert.ok(listed(views.vic, 'production', p) && !waiting(views.vic, 'production', p));
  assert.doesNotMatch(views.vic, /data-environment="qa"/);
  // The secret request waits for admins only.
  const secret = (await listRequests({ cwd: project.dir, env: 'production', variables: {}, status: 'pending' })).find(
    (one) => one.kind === 'secret.set',
  );
  assert.ok(secret && secret.requester === 'console:ada');
  assert.ok(listed(views.ada, 'production', secret.id) && !waiting(views.ada, 'production', secret.id));
  assert.ok(listed(views.otto, 'production', secret.id) && !waiting(views.otto, 'production', secret.id));
  assert.ok(waiting((await (await as('ana')).get('/requests')).body, 'production', secret.id));
});

test('an operator cannot review a secret request (403); another admin approves it and it is stored, still unseen', async () => {
  const canary = makeCanary('console-approved');
  const ada = await as('ada');
  await ada.get('/env/production/secrets');
  const made = await ada.post('/env/production/secrets/set', { key: 'payments.apiKey', value: canary, ...PROD });
  const id = Number(/requests\/(\d+)$/.exec(made.location ?? '')?.[1]);
  const otto = await as('otto');
  const page = await otto.get(`/env/production/requests/${id}`);
  assert.doesNotMatch(page.body, /data-form="approve"/);
  assert.equal((await otto.post(`/env/production/requests/${id}/approve`, PROD)).status, 403);
  const ana = await as('ana');
  await ana.get(`/env/production/requests/${id}`);
  const answer = await ana.post(`/env/production/requests/${id}/approve`, PROD);
  const shown = await ana.get(`/env/production/requests/${id}`);
  assert.match(flashOf(shown.body)?.text ?? '', new RegExp(`^Request #${id} approved and applied`));
  assert.equal((await request('production', id)).status, 'applied');
  const audit = await ana.get('/env/production/audit');
  assertNoCanary([answer.body, shown.body, audit.body, JSON.stringify(shown.headers)].join('\n'), [canary], 'pages');
});

test('malformed and unknown request numbers: 404 or a line on the page, never a crash or a write', async () => {
  const otto = await as('otto');
  for (const path of [
    '/env/production/requests/abc',
    '/env/production/requests/1e3',
    '/env/production/requests/9999999999',
  ])
    assert.equal((await otto.get(path)).status, 404, path);
  const missing = await otto.get('/env/production/requests/424242');
  assert.equal(missing.status, 200);
  assert.match(missing.body, /data-problem>EW_REQUEST_NOT_FOUND/);
  assert.equal((await otto.post('/env/production/requests/424242/approve', PROD)).status, 404);
  assert.equal((await otto.post('/env/production/requests/%00/approve', PROD)).status, 404);
  assert.equal((await otto.get('/env/nowhere/requests')).status, 404);
  // The development store has no request table: an empty list, nothing written.
  const empty = await otto.get('/env/development/requests');
  assert.equal(empty.status, 200);
  assert.match(empty.body, /Nothing pending/);
});
