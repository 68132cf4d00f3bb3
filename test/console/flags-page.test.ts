import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { ConsoleServer } from '../../src/console/start-console.ts';
import { resolveConfig } from '../../src/resolution.ts';
import { configHistory } from '../../src/runtime/index.ts';
import { openStore } from '../../src/store/index.ts';
import { type ConsoleClient, type ConsoleProject, loggedIn, makeConsoleProject } from '../support/console-project.ts';

let project: ConsoleProject;
let server: ConsoleServer;

before(async () => {
  project = makeConsoleProject(
    {
      'config/environments/staging/settings.yml':
        'database:\n  url: sqlite:var/staging.db\nflags:\n  theme:\n    value: dark\n    reason: "<i>beta</i>"\n',
    },
    {
      imports: "import { flags } from 'envward/flags';",
      use: `flags({
        newFeeRule: { type: 'boolean', default: false, production: 'requires-reason', description: 'the 2027 fee rule' },
        theme: { type: 'string', default: 'light', variants: ['light', 'dark'] },
      })`,
    },
  );
  await project.stamp('production');
  await project.addUser('olga', 'development:operator,production:operator');
  await project.addUser('vic', 'development:viewer,staging:viewer');
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

function flagRow(body: string, name: string): string {
  const found = new RegExp(`<tr data-flag="${name}">([\\s\\S]*?)</tr>`).exec(body);
  assert.ok(found, `no row for ${name}`);
  return found[1] as string;
}

test('the flags page shows each flag with value, targeting, reason, source and production rule', async () => {
  const page = await (await as('vic', '/env/staging/flags')).get('/env/staging/flags');
  const theme = flagRow(page.body, 'theme');
  assert.match(theme, /<td class="value">dark<br><span class="muted">default light<\/span>/);
  assert.match(theme, /<td>&lt;i&gt;beta&lt;\/i&gt;<\/td>/);
  assert.match(theme, /environment-file <code>config\/environments\/staging\/settings\.yml:5<\/code>/);
  assert.match(flagRow(page.body, 'newFeeRule'), /the 2027 fee rule[\s\S]*requires-reason/);
  assert.doesNotMatch(page.body, /<form class="act"/, 'a viewer gets no form');
});

test('an operator sets a flag in development: a revision of flags.<name>.value, audited as console:<name>', async () => {
  const olga = await as('olga', '/env/development/flags');
  const answer = await olga.post('/env/development/flags/theme', { value: 'dark', flagReason: 'try it' });
  assert.equal(answer.status, 303, answer.body);
  const page = await olga.get('/env/development/flags');
  assert.match(
    page.body,
    /flash-ok[^>]*>Revision 1 of development written \(set\)\. Live now: flags\.theme\.reason, flags\.theme\.value\./,
  );
  assert.match(
    flagRow(page.body, 'theme'),
    /<td class="value">dark<br>[\s\S]*try it[\s\S]*runtime-revisions <code>revision 1<\/code>/,
  );
  const resolved = await resolveConfig({ cwd: project.dir, env: 'development', variables: {}, checkHost: false });
  const store = await openStore(resolved, { stampMode: 'read' });
  try {
    const [event] = await store.audit.list({ action: 'config.set' });
    assert.equal(event?.actor, 'console:olga');
    assert.match(event?.target ?? '', /flags\.theme\.value/);
  } finally {
    await store.close();
  }
});

test('a value outside the variants is refused with its code and nothing is written', async () => {
  const olga = await as('olga', '/env/development/flags');
  const before = await latest('development');
  await olga.post('/env/development/flags/theme', { value: '<script>x</script>' });
  const page = await olga.get('/env/development/flags');
  assert.match(page.body, /flash-error[^>]*>EW_CONFIG_INVALID/);
  assert.doesNotMatch(page.body, /<script>x/);
  assert.equal(await latest('development'), before);
});

test('an unknown or malformed flag name is 404 and writes nothing', async () => {
  const olga = await as('olga', '/env/development/flags');
  const before = await latest('development');
  assert.equal((await olga.post('/env/development/flags/nope', { value: 'true' })).status, 404);
  assert.equal((await olga.post('/env/development/flags/theme.reason', { value: 'x' })).status, 404);
  assert.equal(await latest('development'), before);
});

test('a viewer POST is 403 and writes nothing', async () => {
  const vic = await as('vic', '/env/development/flags');
  const before = await latest('development');
  assert.equal((await vic.post('/env/development/flags/theme', { value: 'light' })).status, 403);
  assert.equal(await latest('development'), before);
  assert.equal((await vic.post('/env/staging/flags/theme', { value: 'light', reason: 'x' })).status, 403);
  assert.equal(await latest('staging'), 0);
});

test('in production a flag declared requires-reason takes the change reason; reason and confirmation required', async () => {
  const olga = await as('olga', '/env/production/flags');
  assert.equal((await olga.post('/env/production/flags/newFeeRule', { value: 'true' })).status, 400);
  assert.equal((await olga.post('/env/production/flags/newFeeRule', { value: 'true', reason: 'CHG-2' })).status, 400);
  assert.equal(await latest('production'), 0);
  const done = await olga.post('/env/production/flags/newFeeRule', {
    value: 'true',
    reason: 'CHG-2',
    confirm: 'production',
  });
  assert.equal(done.status, 303, done.body);
  const page = await olga.get('/env/production/flags');
  assert.match(page.body, /flash-ok/);
  assert.match(flagRow(page.body, 'newFeeRule'), /<td class="value">true<br>[\s\S]*<td>CHG-2<\/td>/);
});
