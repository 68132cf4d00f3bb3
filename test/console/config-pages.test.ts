import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { ConsoleServer } from '../../src/console/start-console.ts';
import { setConfig } from '../../src/runtime/index.ts';
import { keygen, setSecret } from '../../src/secrets/index.ts';
import { assertNoCanary, makeCanary } from '../support/canary.ts';
import { type ConsoleClient, type ConsoleProject, loggedIn, makeConsoleProject } from '../support/console-project.ts';

let project: ConsoleProject;
let server: ConsoleServer;
const canaries = [makeCanary('devkey'), makeCanary('prodkey'), makeCanary('dbpass')];
const HUGE = `start-${'x'.repeat(200_000)}-end`;

before(async () => {
  project = makeConsoleProject(
    {
      // The test environment's store is unreachable (nothing listens on port 1), its URL holding a password.
      'config/environments/test/settings.yml': `database:\n  url: postgres://app:${canaries[2]}@127.0.0.1:1/app\n`,
      'config/base.yml': 'app:\n  greeting: from the base file\n',
      'config/environments/development/settings.yml': `database:\n  url: sqlite:var/development.db\napp:\n  greeting: from development\npayments:\n  note: ${HUGE}\n`,
    },
    { schema: 'payments: z.object({ apiKey: secret(z.string()).optional(), note: z.string().optional() }),' },
  );
  const common = { cwd: project.dir, variables: {} };
  await keygen({ ...common, env: 'development' });
  await setSecret({ ...common, env: 'development', key: 'payments.apiKey', value: canaries[0] as string });
  await keygen({ ...common, env: 'production' });
  await setSecret({ ...common, env: 'production', key: 'payments.apiKey', value: canaries[1] as string });
  await setConfig({ ...common, env: 'development', set: { 'app.greeting': '<script>alert("x")</script>' } });
  await project.addUser('ada', 'development:viewer,production:viewer,test:viewer');
  await project.addUser('bob', 'development:viewer');
  server = await project.server();
});
after(async () => {
  await server?.close();
  project?.cleanup();
});

const as = (name: string): Promise<ConsoleClient> => loggedIn(server.app, name);

function row(body: string, key: string): string {
  const found = new RegExp(`<tr data-key="${key.replace('.', '\\.')}"[^>]*>([\\s\\S]*?)</tr>`).exec(body);
  assert.ok(found, `no row for ${key}`);
  return found[1] as string;
}

test('the config page shows each key with its value, the revision that set it and the values it shadowed', async () => {
  const answer = await (await as('ada')).get('/env/development/config');
  assert.equal(answer.status, 200, answer.body);
  const greeting = row(answer.body, 'app.greeting');
  assert.match(greeting, /runtime-revisions<\/span> <code>revision 1<\/code>/);
  assert.match(greeting, /class="shadowed value">from development<\/span>[\s\S]*settings\.yml:4/);
  assert.match(greeting, /class="shadowed value">from the base file<\/span>[\s\S]*config\/base\.yml:2/);
  assert.match(greeting, /class="shadowed value">hello<\/span>[\s\S]*schema-defaults/);
  assert.match(answer.body, /runtime revision <a href="\/env\/development\/revisions">1<\/a> applied/);
  assert.match(row(answer.body, 'app.port'), /<td class="value">3000<\/td>/);
});

test('a hostile value is escaped and a huge one is cut', async () => {
  const answer = await (await as('ada')).get('/env/development/config');
  assert.doesNotMatch(answer.body, /<script>/);
  assert.match(row(answer.body, 'app.greeting'), /&lt;script&gt;alert\(&quot;x&quot;\)&lt;\/script&gt;/);
  const note = row(answer.body, 'payments.note');
  assert.match(note, /start-x+… \(\d+ more characters\)/);
  assert.doesNotMatch(note, /-end/);
  assert.ok(answer.body.length < 50_000, `page of ${answer.body.length} characters`);
});

test('secret values are masked on the config page and never in any page body', async () => {
  const client = await as('ada');
  const pages = [
    '/env/development/config',
    '/env/production/config',
    '/env/development/diff?with=production',
    '/env/production/diff?with=development',
    '/env/development/revisions',
    '/env/production/revisions',
    '/env/development/flags',
  ];
  for (const page of pages) {
    const answer = await client.get(page);
    assert.equal(answer.status, 200, `${page}: ${answer.body}`);
    assertNoCanary(answer.body, canaries, page);
  }
  const production = await client.get('/env/production/config');
  assert.match(row(production.body, 'payments.apiKey'), /<td class="value">••••••<\/td>[\s\S]*secrets/);
});

test('the diff shows both sides, highlights the keys that differ and compares secrets without showing them', async () => {
  const answer = await (await as('ada')).get('/env/development/diff?with=production');
  assert.equal(answer.status, 200, answer.body);
  assert.match(answer.body, /<tr data-key="app\.greeting" data-kind="changed" class="differs">/);
  assert.match(answer.body, /<tr data-key="app\.port" data-kind="same">/);
  assert.match(
    answer.body,
    /<tr data-key="payments\.apiKey" data-kind="changed" class="differs">[\s\S]*?••••••[\s\S]*?••••••/,
  );
  assert.match(answer.body, /<option value="production" selected>production<\/option>/);
  assert.doesNotMatch(answer.body, /<option value="staging"/, 'only environments the user may read are offered');
});

test('the diff needs the viewer role in both environments; an unknown one is 404', async () => {
  const bob = await as('bob');
  assert.equal((await bob.get('/env/development/diff?with=production')).status, 403);
  assert.equal((await bob.get('/env/development/diff?with=nowhere')).status, 404);
  const form = await bob.get('/env/development/diff');
  assert.equal(form.status, 200);
  assert.match(form.body, /You may read no other environment/);
});

test('an unknown environment is 404 and one without a role 403', async () => {
  const ada = await as('ada');
  assert.equal((await ada.get('/env/nowhere/config')).status, 404);
  assert.equal((await ada.get('/env/%3Cscript%3E/config')).status, 404);
  assert.equal((await ada.get('/env/staging/config')).status, 403);
});

test('an unreachable store is a warning on the page, the values shown without revisions, no password', async () => {
  const client = await as('ada');
  for (const page of [
    '/env/test/config',
    '/env/test/revisions',
    '/env/test/diff?with=development',
    '/env/test/flags',
  ]) {
    const answer = await client.get(page);
    assert.equal(answer.status, 200, `${page}: ${answer.body}`);
    assertNoCanary(answer.body, canaries, page);
  }
  const config = await client.get('/env/test/config');
  assert.match(config.body, /class="warn" role="alert">test&#39;s runtime revisions were not read/);
  assert.match(row(config.body, 'database.url'), /postgres:\/\/app:\*\*\*@127\.0\.0\.1:1\/app/);
  assert.match(
    (await client.get('/env/test/revisions')).body,
    /class="warn" role="alert">test&#39;s revisions could not be read/,
  );
});

test('without the private key a protected environment is shown without its secrets, with a warning', async () => {
  rmSync(join(project.dir, '.envward', 'keys'), { recursive: true, force: true });
  const answer = await (await as('ada')).get('/env/production/config');
  assert.equal(answer.status, 200, answer.body);
  assert.match(answer.body, /class="warn" role="alert">production&#39;s secrets are not shown/);
  assertNoCanary(answer.body, canaries, 'production config without key');
});
