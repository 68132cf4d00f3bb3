import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { ConsoleServer } from '../../src/console/start-console.ts';
import { ConsoleClient, type ConsoleProject, makeConsoleProject } from '../support/console-project.ts';

let project: ConsoleProject;
let server: ConsoleServer;

before(async () => {
  project = makeConsoleProject();
  await project.addUser('ada', 'development:admin,production:viewer');
  server = await project.server();
});
after(async () => {
  await server?.close();
  project?.cleanup();
});

test('a page without a session redirects to the login page', async () => {
  const answer = await new ConsoleClient(server.app).get('/');
  assert.equal(answer.status, 303);
  assert.equal(answer.location, '/login');
});

test('login makes a session; the overview shows the banner of the console environment and the roles', async () => {
  const client = new ConsoleClient(server.app);
  const login = await client.login('ada');
  assert.equal(login.status, 303, login.body);
  const overview = await client.get('/');
  assert.equal(overview.status, 200);
  assert.match(overview.body, /<title>\[DEV\] Environments/);
  assert.match(overview.body, /class="banner banner-green"[^>]*data-environment="development"/);
  assert.match(overview.body, /data-environment="production">[\s\S]*?Your role: <strong>viewer<\/strong>/);
  assert.match(String(overview.headers['content-security-policy']), /default-src 'none'/);
  assert.doesNotMatch(String(overview.headers['content-security-policy']), /unsafe-inline/);
});

test('a wrong password is refused with the same words as an unknown name', async () => {
  const wrong = await new ConsoleClient(server.app).login('ada', 'not the password at all');
  const unknown = await new ConsoleClient(server.app).login('nobody', 'not the password at all');
  assert.equal(wrong.status, 401);
  assert.equal(unknown.status, 401);
  const message = (body: string) => /role="alert">([^<]*)</.exec(body)?.[1];
  assert.equal(message(wrong.body), message(unknown.body));
});

test('a POST without the CSRF token is refused and changes nothing', async () => {
  const client = new ConsoleClient(server.app);
  await client.get('/login');
  const answer = await client.post(
    '/login',
    { name: 'ada', password: 'correct horse battery staple' },
    { csrf: false },
  );
  assert.equal(answer.status, 403);
  assert.equal(client.cookies.has('envward_session'), false);
});
