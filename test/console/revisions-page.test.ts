import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { ConsoleServer } from '../../src/console/start-console.ts';
import { configHistory } from '../../src/runtime/index.ts';
import { type ConsoleClient, type ConsoleProject, loggedIn, makeConsoleProject } from '../support/console-project.ts';

let project: ConsoleProject;
let server: ConsoleServer;

before(async () => {
  project = makeConsoleProject();
  // Production's store is made and stamped as its operators would, before anyone acts there.
  await project.stamp('production');
  await project.addUser('olga', 'development:operator,production:operator');
  await project.addUser('vic', 'development:viewer,production:viewer');
  server = await project.server();
});
after(async () => {
  await server?.close();
  project?.cleanup();
});

async function as(name: string, page: string): Promise<ConsoleClient> {
  const client = await loggedIn(server.app, name);
  assert.equal((await client.get(page)).status, 200);
  return client;
}

const latest = async (env: string) => (await configHistory({ cwd: project.dir, env, variables: {} })).latest;

const auditOf = (env: string) => project.auditOf(env);

test('an operator sets a key in development: a revision, flashed, audited as console:<name>', async () => {
  const olga = await as('olga', '/env/development/revisions');
  const answer = await olga.post('/env/development/revisions/set', { key: 'app.greeting', value: 'hi <b>there</b>' });
  assert.equal(answer.status, 303, answer.body);
  assert.equal(answer.location, '/env/development/revisions');
  const page = await olga.get('/env/development/revisions');
  assert.match(
    page.body,
    /class="flash flash-ok"[^>]*>Revision 1 of development written \(set\)\. Live now: app\.greeting\./,
  );
  assert.match(
    page.body,
    /<tr data-revision="1">[\s\S]*?console:olga[\s\S]*?<code>app\.greeting<\/code>[\s\S]*?hi &lt;b&gt;there&lt;\/b&gt;/,
  );
  const events = (await auditOf('development')).filter((event) => event.action === 'config.set');
  assert.equal(events.length, 1);
  assert.equal(events[0]?.actor, 'console:olga');
  assert.match(events[0]?.target ?? '', /revision 1: app\.greeting/);
});

test('an operator rolls back to an earlier revision with its button', async () => {
  const olga = await as('olga', '/env/development/revisions');
  await olga.post('/env/development/revisions/set', { key: 'app.greeting', value: 'second' });
  const page = await olga.get('/env/development/revisions');
  assert.match(page.body, /<button type="submit" form="rollback-form" name="to" value="1">/);
  const answer = await olga.post('/env/development/revisions/rollback', { to: '1', reason: 'undo' });
  assert.equal(answer.status, 303, answer.body);
  const after = await olga.get('/env/development/revisions');
  assert.match(after.body, /Revision 3 of development written \(rollback\)/);
  const events = (await auditOf('development')).filter((event) => event.action === 'config.rollback');
  assert.equal(events.at(-1)?.actor, 'console:olga');
  assert.equal(events.at(-1)?.reason, 'undo');
});

test('a library refusal is flashed as its code, and nothing is written', async () => {
  const olga = await as('olga', '/env/development/revisions');
  const before = await latest('development');
  await olga.post('/env/development/revisions/set', { key: 'app.port', value: 'not a number' });
  const page = await olga.get('/env/development/revisions');
  assert.match(page.body, /class="flash flash-error"[^>]*>EW_CONFIG_INVALID: /);
  await olga.post('/env/development/revisions/set', { key: 'no.such.key', value: 'x' });
  assert.match((await olga.get('/env/development/revisions')).body, /class="flash flash-error"[^>]*>EW_CONFIG_KEY/);
  await olga.post('/env/development/revisions/rollback', { to: '999' });
  assert.match(
    (await olga.get('/env/development/revisions')).body,
    /class="flash flash-error"[^>]*>EW_REVISION_NOT_FOUND/,
  );
  assert.equal(await latest('development'), before);
});

test('a viewer sees the history but no form, and a POST as viewer is 403 and writes nothing', async () => {
  const vic = await as('vic', '/env/development/revisions');
  const page = await vic.get('/env/development/revisions');
  assert.match(page.body, /<tr data-revision="1">/);
  assert.doesNotMatch(page.body, /<form class="act"/);
  assert.doesNotMatch(page.body, /Roll back to/);
  const before = await latest('development');
  const set = await vic.post('/env/development/revisions/set', { key: 'app.greeting', value: 'viewer' });
  assert.equal(set.status, 403);
  const rollback = await vic.post('/env/development/revisions/rollback', { to: '0' });
  assert.equal(rollback.status, 403);
  assert.equal(await latest('development'), before);
});

test('production needs a reason and the typed confirmation: 400 without, nothing written', async () => {
  const olga = await as('olga', '/env/production/revisions');
  const page = await olga.get('/env/production/revisions');
  assert.match(page.body, /<input id="set-confirm" name="confirm"/);
  const fields = { key: 'app.greeting', value: 'prod' };
  assert.equal((await olga.post('/env/production/revisions/set', fields)).status, 400);
  assert.equal((await olga.post('/env/production/revisions/set', { ...fields, reason: 'CHG-1' })).status, 400);
  const wrong = await olga.post('/env/production/revisions/set', { ...fields, reason: 'CHG-1', confirm: 'prod' });
  assert.equal(wrong.status, 400);
  assert.equal(await latest('production'), 0);
  const done = await olga.post('/env/production/revisions/set', { ...fields, reason: 'CHG-1', confirm: 'production' });
  assert.equal(done.status, 303, done.body);
  assert.equal(await latest('production'), 1);
  const [event] = (await auditOf('production')).filter((row) => row.action === 'config.set');
  assert.equal(event?.actor, 'console:olga');
  assert.equal(event?.reason, 'CHG-1');
});

test('a forged form (no CSRF token) is refused and writes nothing', async () => {
  const olga = await as('olga', '/env/development/revisions');
  const before = await latest('development');
  const answer = await olga.post(
    '/env/development/revisions/set',
    { key: 'app.greeting', value: 'x' },
    { csrf: false },
  );
  assert.equal(answer.status, 403);
  assert.equal(await latest('development'), before);
});

test('a body over the form limit is refused and writes nothing', async () => {
  const olga = await as('olga', '/env/development/revisions');
  const before = await latest('development');
  const answer = await olga.post('/env/development/revisions/set', { key: 'app.greeting', value: 'x'.repeat(100_000) });
  assert.equal(answer.status, 413);
  assert.equal(await latest('development'), before);
});

test('two operators setting at once get consecutive revisions, both audited', async () => {
  const [a, b] = [await as('olga', '/env/development/revisions'), await as('olga', '/env/development/revisions')];
  const before = await latest('development');
  const audited = (await auditOf('development')).filter((event) => event.action === 'config.set').length;
  const answers = await Promise.all([
    a.post('/env/development/revisions/set', { key: 'app.greeting', value: 'one at once' }),
    b.post('/env/development/revisions/set', { key: 'app.greeting', value: 'two at once' }),
  ]);
  assert.deepEqual(
    answers.map((answer) => answer.status),
    [303, 303],
  );
  assert.equal(await latest('development'), before + 2);
  const events = (await auditOf('development')).filter((event) => event.action === 'config.set');
  assert.equal(events.length, audited + 2);
});
