import assert from 'node:assert/strict';
import { existsSync, readFileSync, renameSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { ConsoleServer } from '../../src/console/start-console.ts';
import { keygen, listSecrets } from '../../src/secrets/index.ts';
import { flashOf, makeOpsProject, type OpsProject } from '../support/console-ops-project.ts';
import { type Answer, type ConsoleClient, loggedIn } from '../support/console-project.ts';

const CANARY = 'sk_live_console_canary_4f9a2e71c3b8';

let project: OpsProject;
let server: ConsoleServer;

before(async () => {
  project = makeOpsProject();
  await project.addUser('ada', 'development:admin,production:viewer');
  await project.addUser('vic', 'development:viewer');
  await keygen({ cwd: project.dir, env: 'development', variables: {} });
  server = await project.server();
});
after(async () => {
  await server?.close();
  project?.cleanup();
});

const client = (name: string): Promise<ConsoleClient> => loggedIn(server.app, name);

/** Everything a browser got: bodies, headers, and the cookies it holds. */
function seen(answers: readonly Answer[], browser: ConsoleClient): string {
  return [
    ...answers.map((answer) => `${answer.body}\n${JSON.stringify(answer.headers)}`),
    ...[...browser.cookies.values()].map((value) => decodeURIComponent(value)),
  ].join('\n');
}

test('an admin sets a secret: it is sealed, listed, audited as console:ada, and its value is in no page, header, flash or audit row', async () => {
  const ada = await client('ada');
  const answers: Answer[] = [await ada.get('/env/development/secrets')];
  assert.match(answers[0]?.body ?? '', /data-form="set-secret"[\s\S]*type="password"/);
  answers.push(
    await ada.post('/env/development/secrets/set', { key: 'payments.apiKey', value: CANARY, reason: 'new gateway' }),
  );
  assert.equal(answers[1]?.status, 303);
  const shown = await ada.get('/env/development/secrets');
  answers.push(shown);
  assert.equal(flashOf(shown.body)?.kind, 'ok', shown.body);
  assert.match(shown.body, /data-secret="payments.apiKey"/);
  for (const page of ['audit', 'jobs', 'migrations', 'secrets'])
    answers.push(await ada.get(`/env/development/${page}`));
  assert.doesNotMatch(seen(answers, ada), new RegExp(CANARY));
  const listing = await listSecrets({ cwd: project.dir, env: 'development', variables: {} });
  assert.deepEqual(
    listing.secrets.map((row) => row.key),
    ['payments.apiKey'],
  );
  assert.doesNotMatch(
    readFileSync(join(project.dir, 'config/environments/development/secrets.yml'), 'utf8'),
    new RegExp(CANARY),
  );
  const store = await project.open('development');
  try {
    const rows = await store.audit.list({ action: 'secrets.set' });
    assert.equal(rows.length, 1);
    assert.equal(rows[0]?.actor, 'console:ada');
    assert.equal(rows[0]?.reason, 'new gateway');
    assert.doesNotMatch(JSON.stringify(await store.audit.list({ limit: 1000 })), new RegExp(CANARY));
  } finally {
    await store.close();
  }
});

test('a viewer sees no set or rotate form, and its POSTs are refused with 403 and write nothing', async () => {
  const vic = await client('vic');
  const page = await vic.get('/env/development/secrets');
  assert.equal(page.status, 200);
  assert.doesNotMatch(page.body, /data-form="set-secret"|data-form="rotate-key"/);
  const before = readFileSync(join(project.dir, 'config/environments/development/secrets.yml'), 'utf8');
  const set = await vic.post('/env/development/secrets/set', { key: 'payments.apiKey', value: 'x'.repeat(40) });
  const rotate = await vic.post('/env/development/secrets/rotate', {});
  assert.equal(set.status, 403);
  assert.equal(rotate.status, 403);
  assert.equal(readFileSync(join(project.dir, 'config/environments/development/secrets.yml'), 'utf8'), before);
});

test('an unknown environment is 404; an environment without a role is 403', async () => {
  const vic = await client('vic');
  assert.equal((await vic.get('/env/nowhere/secrets')).status, 404);
  assert.equal((await vic.get('/env/production/audit')).status, 403);
  assert.equal((await vic.post('/env/nowhere/audit/verify', {})).status, 404);
});

test('rotating the key re-encrypts; without the private key on this host the flash names the code', async () => {
  const ada = await client('ada');
  await ada.get('/env/development/secrets');
  await ada.post('/env/development/secrets/rotate', { reason: 'yearly' });
  const done = flashOf((await ada.get('/env/development/secrets')).body);
  assert.equal(done?.kind, 'ok', JSON.stringify(done));
  assert.match(done?.text ?? '', /1 secret\(s\) re-encrypted/);
  const keyFile = join(project.dir, '.envward/keys/development.key');
  renameSync(keyFile, `${keyFile}.away`);
  try {
    await ada.post('/env/development/secrets/rotate', { reason: 'again' });
    const refused = flashOf((await ada.get('/env/development/secrets')).body);
    assert.equal(refused?.kind, 'error');
    assert.match(refused?.text ?? '', /^EW_SECRET_/);
  } finally {
    renameSync(`${keyFile}.away`, keyFile);
  }
});

test('audit: events with actor and reason, hostile text escaped, verify intact, then broken at the tampered row', async () => {
  const ada = await client('ada');
  await ada.get('/env/development/secrets');
  await ada.post('/env/development/secrets/set', {
    key: 'payments.apiKey',
    value: 'another value of some length 12345',
    reason: '<script>alert(1)</script>',
  });
  const page = await ada.get('/env/development/audit');
  assert.match(page.body, /<td>console:ada<\/td>/);
  assert.match(page.body, /&lt;script&gt;alert\(1\)&lt;\/script&gt;/);
  assert.doesNotMatch(page.body, /<script>/);
  await ada.post('/env/development/audit/verify', {});
  const intact = flashOf((await ada.get('/env/development/audit')).body);
  assert.equal(intact?.kind, 'ok');
  assert.match(intact?.text ?? '', /^Chain intact: \d+ event/);
  const vic = await client('vic');
  await vic.get('/env/development/audit');
  assert.equal((await vic.post('/env/development/audit/verify', {})).status, 303, 'a viewer may verify');
  const store = await project.open('development');
  const [first] = await store.audit.list({ action: 'secrets.set' });
  await store.close();
  const { querySqliteFile } = await import('../support/sqlite-file.ts');
  await querySqliteFile(
    join(project.dir, 'var/development.db'),
    "update envward_audit set reason = 'rewritten' where seq = ?",
    [first?.seq],
  );
  await ada.post('/env/development/audit/verify', {});
  const broken = flashOf((await ada.get('/env/development/audit')).body);
  assert.equal(broken?.kind, 'error');
  assert.match(broken?.text ?? '', new RegExp(`^Chain broken at seq ${first?.seq} \\(changed\\)`));
});

test('audit paging: ?before= shows older events; a malformed one is ignored', async () => {
  const ada = await client('ada');
  const newest = await ada.get('/env/development/audit?before=2');
  assert.equal(newest.status, 200);
  assert.match(newest.body, /data-seq="1"/);
  assert.doesNotMatch(newest.body, /data-seq="2"/);
  const junk = await ada.get('/env/development/audit?before=%3Cx%3E');
  assert.equal(junk.status, 200);
  assert.match(junk.body, /data-seq="2"/);
});

test('the rotation is audited as the console user with the reason', async () => {
  const store = await project.open('development');
  try {
    const [rotation] = await store.audit.list({ action: 'secrets.rotate-key' });
    assert.equal(rotation?.actor, 'console:ada');
    assert.equal(rotation?.reason, 'yearly');
  } finally {
    await store.close();
  }
});

test('cross-environment: an admin of development who views production cannot set its secrets', async () => {
  const ada = await client('ada');
  const page = await ada.get('/env/production/secrets');
  assert.equal(page.status, 200);
  assert.doesNotMatch(page.body, /data-form="set-secret"/);
  const refused = await ada.post('/env/production/secrets/set', {
    key: 'payments.apiKey',
    value: CANARY,
    reason: 'r',
    confirm: 'production',
  });
  assert.equal(refused.status, 403);
  assert.doesNotMatch(seen([page, refused], ada), new RegExp(CANARY));
});

test('reading the pages writes nothing: no audit event in development, no database made for an environment without one', async () => {
  await project.addUser('tess', 'development:viewer,test:viewer');
  const tess = await client('tess');
  const store = await project.open('development');
  const count = async () => (await store.audit.list({ limit: 100000 })).length;
  try {
    const before = await count();
    for (const page of ['secrets', 'migrations', 'audit', 'jobs']) {
      assert.equal((await tess.get(`/env/development/${page}`)).status, 200);
      const fresh = await tess.get(`/env/test/${page}`);
      assert.equal(fresh.status, 200, fresh.body);
    }
    assert.match((await tess.get('/env/test/audit')).body, /data-problem>EW_DB_MISSING/);
    assert.equal(await count(), before);
    assert.equal(existsSync(join(project.dir, 'var/test.db')), false);
  } finally {
    await store.close();
  }
});

test('a huge form is refused before any handler runs (413), and nothing is written', async () => {
  const ada = await client('ada');
  await ada.get('/env/development/secrets');
  const file = join(project.dir, 'config/environments/development/secrets.yml');
  const before = readFileSync(file, 'utf8');
  const answer = await ada.post('/env/development/secrets/set', { key: 'payments.apiKey', value: 'v'.repeat(70_000) });
  assert.equal(answer.status, 413);
  assert.equal(readFileSync(file, 'utf8'), before);
});
