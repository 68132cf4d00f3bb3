/**
 * The /users page: an admin of the console's environment lists, adds,
 * changes and removes users, each audited as console:<name>; a role in an
 * environment is granted only by an admin of it (no escalation); others
 * get 403 and no change.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { ConsoleServer } from '../../src/console/start-console.ts';
import { findUser } from '../../src/console/user-records.ts';
import { ConsoleClient, type ConsoleProject, makeConsoleProject } from '../support/console-project.ts';

let project: ConsoleProject;
let server: ConsoleServer;

before(async () => {
  project = makeConsoleProject();
  await project.addUser('ada', 'development:admin,staging:admin,production:viewer');
  await project.addUser('bob', 'development:viewer');
  await project.addUser('pat', 'development:viewer,production:operator');
  server = await project.server();
});
after(async () => {
  await server?.close();
  project?.cleanup();
});

async function admin(): Promise<ConsoleClient> {
  const client = new ConsoleClient(server.app);
  assert.equal((await client.login('ada')).status, 303);
  await client.get('/users');
  return client;
}

async function roles(name: string): Promise<Record<string, string> | undefined> {
  const user = await findUser(server.site.db, name);
  return user && Object.fromEntries(user.grants);
}

test('an admin of the console environment sees users, with selects only where they are admin', async () => {
  const client = await admin();
  const page = await client.get('/users');
  assert.equal(page.status, 200);
  assert.match(page.body, /<title>\[DEV\] Users/);
  const row = /<tr data-user="pat">[\s\S]*?<\/tr>/.exec(page.body)?.[0] ?? '';
  assert.match(row, /name="role\.development"/);
  assert.match(row, /name="role\.staging"/);
  assert.doesNotMatch(row, /name="role\.production"/);
  assert.match(row, /<td>operator<\/td>/);
  assert.doesNotMatch(page.body, /argon2|password_hash/);
});

test('a viewer of the console environment gets 403 on the page and on every action', async () => {
  const client = new ConsoleClient(server.app);
  await client.login('bob');
  assert.equal((await client.get('/users')).status, 403);
  await client.get('/');
  const answer = await client.post('/users/pat/roles', { 'role.development': 'admin' });
  assert.equal(answer.status, 403);
  assert.deepEqual(await roles('pat'), { development: 'viewer', production: 'operator' });
  const overview = await client.get('/');
  assert.doesNotMatch(overview.body, /href="\/users"/);
});

test('adding a user is audited in the console environment as console:<admin>, with the reason', async () => {
  const client = await admin();
  const answer = await client.post('/users/add', {
    name: 'carol',
    password: 'a long enough passphrase',
    'role.development': 'operator',
    'role.staging': 'viewer',
    reason: 'new hire',
  });
  assert.equal(answer.status, 303);
  assert.equal(answer.location, '/users');
  assert.deepEqual(await roles('carol'), { development: 'operator', staging: 'viewer' });
  const page = await client.get('/users');
  assert.match(page.body, /flash-ok[^>]*>Added carol\./);
  const [row] = await server.site.store.audit
    .list({ action: 'console.user.add', limit: 1000 })
    .then((rows) => rows.filter((candidate) => candidate.target.startsWith('carol ')));
  assert.equal(row?.actor, 'console:ada');
  assert.equal(row?.reason, 'new hire');
  const rows = JSON.stringify(await server.site.store.audit.list({ limit: 1000 }));
  assert.doesNotMatch(rows, /a long enough passphrase/);
  assert.doesNotMatch(page.body, /a long enough passphrase/);
});

test('no escalation: an admin of development cannot grant, change or revoke production roles', async () => {
  const client = await admin();
  const self = await client.post('/users/ada/roles', { 'role.production': 'admin' });
  assert.equal(self.status, 403);
  assert.match(self.body, /needs the admin role there/);
  assert.equal((await roles('ada'))?.production, 'viewer');
  await client.get('/users');
  const other = await client.post('/users/pat/roles', { 'role.production': '' });
  assert.equal(other.status, 403);
  await client.get('/users');
  const added = await client.post('/users/add', {
    name: 'mallory',
    password: 'a long enough passphrase',
    'role.production': 'admin',
  });
  assert.equal(added.status, 403);
  assert.equal(await roles('mallory'), undefined);
  await client.get('/users');
  const removed = await client.post('/users/pat/remove', {});
  assert.equal(removed.status, 403);
  assert.ok(await roles('pat'));
});

test('changing roles in environments the admin holds keeps the others, and applies at the next request', async () => {
  const client = await admin();
  const pat = new ConsoleClient(server.app);
  await pat.login('pat');
  assert.equal((await pat.get('/users')).status, 403);
  const answer = await client.post('/users/pat/roles', { 'role.development': 'admin', 'role.staging': '' });
  assert.equal(answer.status, 303);
  assert.deepEqual(await roles('pat'), { development: 'admin', production: 'operator' });
  assert.equal((await pat.get('/users')).status, 200);
});

test('a short password, a bad name and an unknown role are refused cleanly', async () => {
  const client = await admin();
  await client.post('/users/add', { name: 'dave', password: 'short', 'role.development': 'viewer' });
  assert.match((await client.get('/users')).body, /flash-error[^>]*>EW_CONSOLE_PASSWORD:/);
  await client.post('/users/add', { name: 'Not A Name!', password: 'a long enough passphrase' });
  assert.match((await client.get('/users')).body, /flash-error[^>]*>EW_CONSOLE_USER:/);
  const role = await client.post('/users/add', { name: 'erin', password: 'x'.repeat(20), 'role.development': 'root' });
  assert.equal(role.status, 400);
  await client.get('/users');
  assert.equal((await client.post('/users/nobody/roles', { 'role.development': 'viewer' })).status, 404);
  assert.equal(await roles('dave'), undefined);
});

test('removing a user ends their session at once; an admin cannot remove themselves', async () => {
  const client = await admin();
  await client.post('/users/add', { name: 'gone', password: 'a long enough passphrase', 'role.development': 'viewer' });
  const victim = new ConsoleClient(server.app);
  const login = await victim.login('gone', 'a long enough passphrase');
  assert.equal(login.status, 303, login.body.slice(0, 3000));
  assert.equal((await victim.get('/')).status, 200);
  await client.get('/users');
  assert.equal((await client.post('/users/gone/remove', { reason: 'left' })).status, 303);
  const after = await victim.get('/');
  assert.equal(after.status, 303);
  assert.equal(after.location, '/login');
  await client.get('/users');
  assert.equal((await client.post('/users/ada/remove', {})).status, 400);
  assert.ok(await roles('ada'));
});
