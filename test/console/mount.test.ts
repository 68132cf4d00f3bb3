/**
 * The console mounted in an application's own Fastify server under a
 * prefix: its pages, cookies and redirects stay under the prefix, the
 * application's own routes are untouched by its hooks (no session needed,
 * no console CSP), and it shows the application's environment only.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import Fastify, { type FastifyInstance } from 'fastify';
import { envwardConsole } from '../../src/console/index.ts';
import { resolveConfig } from '../../src/index.ts';
import { openStore, type Store } from '../../src/store/index.ts';
import { ConsoleClient, type ConsoleProject, makeConsoleProject } from '../support/console-project.ts';

let project: ConsoleProject;
let store: Store;
let app: FastifyInstance;

before(async () => {
  project = makeConsoleProject();
  await project.addUser('ada', 'development:operator');
  const resolved = await resolveConfig({ cwd: project.dir, env: 'development', variables: {} });
  store = await openStore(resolved);
  app = Fastify();
  app.get('/hello', async () => ({ hello: 'world' }));
  await app.register(envwardConsole, { prefix: '/admin', resolved, store });
  await app.ready();
});
after(async () => {
  await app?.close();
  await store?.close();
  project?.cleanup();
});

test('the mounted console lives under its prefix, with the banner of the application environment', async () => {
  const client = new ConsoleClient(app);
  const first = await client.get('/admin/');
  assert.equal(first.status, 303);
  assert.equal(first.location, '/admin/login');
  await client.get('/admin/login');
  const login = await client.post('/admin/login', { name: 'ada', password: 'correct horse battery staple' });
  assert.equal(login.status, 303, login.body);
  assert.equal(login.location, '/admin/');
  assert.match(String(login.headers['set-cookie']), /envward_session=[^;]+;.*Path=\/admin/);
  const overview = await client.get('/admin/');
  assert.equal(overview.status, 200);
  assert.match(overview.body, /data-environment="development"/);
  assert.doesNotMatch(overview.body, /data-environment="production"/);
  assert.match(overview.body, /href="\/admin\/assets\/console\.css"/);
});

test("the application's own routes are outside the console's hooks", async () => {
  const answer = await app.inject({ method: 'GET', url: '/hello' });
  assert.equal(answer.statusCode, 200);
  assert.equal(answer.headers['content-security-policy'], undefined);
});
