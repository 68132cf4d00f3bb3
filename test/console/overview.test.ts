import assert from 'node:assert/strict';
import { readdirSync, writeFileSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { projectPackage } from '../../src/console/pages/project-version.ts';
import type { ConsoleServer } from '../../src/console/start-console.ts';
import { setConfig } from '../../src/runtime/index.ts';
import { keygen, setSecret } from '../../src/secrets/index.ts';
import { assertNoCanary, makeCanary } from '../support/canary.ts';
import { makeOpsProject, type OpsProject } from '../support/console-ops-project.ts';
import { ConsoleClient, loggedIn } from '../support/console-project.ts';

let project: OpsProject;
let server: ConsoleServer;
// A PostgreSQL that accepts connections and never answers: qa's store, to prove the deadline.
let silent: Server;
const sockets = new Set<Socket>();
const canary = makeCanary('dbpass');
const secretCanary = makeCanary('prodkey');

before(async () => {
  silent = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
  const { port } = silent.address() as { port: number };
  project = makeOpsProject({
    'package.json': JSON.stringify({ name: 'shop-api', version: '4.5.6', private: true }),
    // test's store is unreachable (nothing listens on port 1), its URL holding a password.
    'config/environments/test/settings.yml': `database:\n  url: postgres://app:${canary}@127.0.0.1:1/app\n`,
    'config/environments/qa/settings.yml': `database:\n  url: postgres://app:${canary}@127.0.0.1:${port}/app\n  connectTimeoutMs: 6000\n`,
    'config/environments/staging/settings.yml': 'database:\n  url: sqlite:var/staging.db\napp:\n  port: not-a-port\n',
  });
  await project.addUser('ada', 'development:viewer,test:viewer,qa:viewer,staging:viewer');
  await project.addUser('pat', 'production:viewer');
  await keygen({ cwd: project.dir, env: 'production', variables: {} });
  await setSecret({ cwd: project.dir, env: 'production', variables: {}, key: 'payments.apiKey', value: secretCanary });
  await project.stamp('production');
  await setConfig({
    cwd: project.dir,
    env: 'development',
    variables: {},
    actor: 'deploy-bot',
    set: { 'app.greeting': 'hi' },
  });
  server = await project.server();
});
after(async () => {
  await server?.close();
  for (const socket of sockets) socket.destroy();
  silent?.close();
  project?.cleanup();
});

const as = (name: string): Promise<ConsoleClient> => loggedIn(server.app, name);

function cardOf(body: string, env: string): string {
  const found = new RegExp(`<section class="card[^"]*" data-environment="${env}">([\\s\\S]*?)</section>`).exec(body);
  assert.ok(found, `no card for ${env}`);
  return found[1] as string;
}

const level = (card: string, line: string) => new RegExp(`data-health="${line}" data-level="([a-z]+)"`).exec(card)?.[1];

test('each readable environment shows its health, preflight, revision; the slow one is unreachable within the deadline', async () => {
  const ada = await as('ada');
  const started = Date.now();
  const answer = await ada.get('/');
  const took = Date.now() - started;
  assert.equal(answer.status, 200, answer.body);
  // The store that never answers would hold the page forever; the deadline ends it (slack for a busy machine).
  assert.ok(took < 8_000, `the overview took ${took} ms`);

  const development = cardOf(answer.body, 'development');
  assert.equal(level(development, 'store'), 'ok');
  assert.equal(level(development, 'stamp'), 'ok');
  assert.match(development, /stamped for development/);
  assert.equal(level(development, 'migrations'), 'warn');
  assert.match(development, /Migrations: 0 applied, 2 pending/);
  assert.equal(level(development, 'config'), 'ok');
  assert.match(development, /data-preflight="clear"/);
  assert.match(
    development,
    /Config revision <a href="\/env\/development\/revisions">1<\/a>, <time[^>]*>[^<]+<\/time> by deploy-bot/,
  );

  const test = cardOf(answer.body, 'test');
  assert.equal(level(test, 'store'), 'bad');
  assert.match(test, /EW_DB_UNAVAILABLE/);
  assert.match(test, /data-preflight="findings"/);

  const staging = cardOf(answer.body, 'staging');
  assert.equal(level(staging, 'config'), 'bad');
  assert.match(staging, /Config: 1 issue: app\.port: EW_CONFIG_TYPE: /);
  // Protected: a database not made is bad there (it is stamped by hand before first use), and stays not made.
  assert.equal(level(staging, 'store'), 'bad');
  assert.match(staging, /EW_DB_MISSING/);
  assert.match(staging, /data-revision="0"/);

  const qa = cardOf(answer.body, 'qa');
  assert.match(qa, /data-health="unreachable"[\s\S]*no answer within 2 s/);

  assert.match(answer.body, /envward <strong data-version="envward">[^<]+<\/strong>/);
  assert.match(answer.body, /shop-api <strong data-version="project">4\.5\.6<\/strong>/);
  assertNoCanary(`${answer.body}\n${JSON.stringify(answer.headers)}`, [canary, secretCanary], 'the overview');
});

test('an environment without a role shows name, tier and colour only', async () => {
  const body = (await (await as('ada')).get('/')).body;
  const production = cardOf(body, 'production');
  assert.match(production, /Tier production · red · protected/);
  assert.match(production, /no role/);
  assert.doesNotMatch(production, /data-health|data-preflight|data-revision|<a /);
  // pat reads production: stamped there by the test, so store and stamp are ok.
  const pats = await (await as('pat')).get('/');
  assertNoCanary(pats.body, [canary, secretCanary], 'the overview of production');
  const mine = cardOf(pats.body, 'production');
  assert.equal(level(mine, 'store'), 'ok');
  assert.equal(level(mine, 'stamp'), 'ok');
  // A destructive migration pending in production blocks a deploy: bad, with the count and the reason.
  assert.equal(level(mine, 'migrations'), 'bad');
  assert.match(mine, /Migrations: 0 applied, 2 pending; EW_DESTRUCTIVE_MIGRATION: 002_drop_legacy is destructive/);
  assert.match(mine, /<a href="\/env\/production\/config">production<\/a>/);
});

test('reading the overview writes nothing: no audit event, no database made, no file touched', async () => {
  const ada = await as('ada');
  const store = await project.open('development');
  const count = async () => (await store.audit.list({ limit: 100000 })).length;
  const files = () => readdirSync(join(project.dir, 'var')).sort();
  try {
    const before = { events: await count(), files: files() };
    // Two at once, as two tabs would.
    const answers = await Promise.all([ada.get('/'), ada.get('/')]);
    for (const answer of answers) assert.equal(answer.status, 200);
    assert.equal(await count(), before.events);
    assert.deepEqual(files(), before.files);
    assert.ok(!before.files.includes('staging.db'));
  } finally {
    await store.close();
  }
});

test('/env/:env goes to its config page; 403 without a role, 404 for an unknown environment', async () => {
  const ada = await as('ada');
  const answer = await ada.get('/env/development');
  assert.equal(answer.status, 303);
  assert.equal(answer.location, '/env/development/config');
  assert.equal((await ada.get('/env/production')).status, 403);
  assert.equal((await ada.get('/env/nowhere')).status, 404);
  assert.equal((await new ConsoleClient(server.app).get('/env/development')).location, '/login');
});

test('a hostile package.json gives no version and a hostile one is escaped on the page', async () => {
  const dir = project.dir;
  const file = join(dir, 'package.json');
  try {
    for (const text of ['{not json', '\u0000\u0001\u00ff', '[]', 'null', '{"version": 7}', '{"version": "  "}']) {
      writeFileSync(file, text);
      assert.equal(await projectPackage(dir), undefined, text);
    }
    writeFileSync(file, `{"version":"1.0.0","pad":"${'x'.repeat(1_100_000)}"}`);
    assert.equal(await projectPackage(dir), undefined, 'a huge file is not read');
    writeFileSync(file, JSON.stringify({ name: '<b>x</b>', version: `<script>1</script>${'9'.repeat(100)}` }));
    const shown = await projectPackage(dir);
    assert.equal(shown?.version.length, 64);
    const body = (await (await as('ada')).get('/')).body;
    assert.doesNotMatch(body, /<script>|<b>x/);
    assert.match(body, /&lt;b&gt;x&lt;\/b&gt; <strong data-version="project">&lt;script&gt;1/);
  } finally {
    writeFileSync(file, JSON.stringify({ name: 'shop-api', version: '4.5.6' }));
  }
});
