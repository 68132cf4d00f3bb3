/**
 * The login and session defences, tried as an attacker would: guessing
 * (lockout, rate limit), planting or replaying cookies (fixation, logout,
 * tampering, expiry), a user removed or demoted while signed in, hostile
 * bodies, and a password canary that must never come back out.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { SESSION_TABLE, USER_TABLE } from '../../src/console/console-tables.ts';
import { removeConsoleUser, setConsoleRoles } from '../../src/console/index.ts';
import type { ConsoleSettings } from '../../src/console/site.ts';
import { buildConsoleServer, type ConsoleServer } from '../../src/console/start-console.ts';
import { ConsoleClient, type ConsoleProject, makeConsoleProject, PASSWORD } from '../support/console-project.ts';

const CANARY = 'canary-Pw-7f3a9c1e-do-not-print';
const variables = { PATH: process.env.PATH };

let project: ConsoleProject;
const servers: ConsoleServer[] = [];

async function serve(settings: Partial<ConsoleSettings> = {}): Promise<ConsoleServer> {
  const server = await buildConsoleServer({ cwd: project.dir, env: 'development', variables, settings });
  servers.push(server);
  return server;
}

before(async () => {
  project = makeConsoleProject();
  for (const name of ['ada', 'lou', 'two', 'fix', 'rem', 'dem', 'exp', 'tam']) {
    await project.addUser(name, 'development:admin,production:viewer');
  }
  await project.addUser('can', 'development:viewer', CANARY);
});
after(async () => {
  for (const server of servers) await server.close();
  project?.cleanup();
});

/** The user's session cookie as the browser holds it. */
function session(client: ConsoleClient): string {
  const value = client.cookies.get('envward_session');
  assert.ok(value, 'a session cookie');
  return value;
}

test('lockout: after N failures even the right password is refused until it ends; audited console.lockout', async () => {
  const server = await serve({ lockoutAttempts: 3, lockoutMinutes: 15 });
  for (let attempt = 1; attempt <= 3; attempt++) {
    assert.equal((await new ConsoleClient(server.app).login('lou', `wrong guess ${attempt}`)).status, 401);
  }
  const locked = await new ConsoleClient(server.app).login('lou');
  assert.equal(locked.status, 401, 'the right password while locked');
  const rows = await server.site.store.audit.list({ action: 'console.lockout', limit: 100 });
  assert.deepEqual(
    rows.filter((row) => row.target === 'lou').map((row) => [row.actor, row.outcome]),
    [['console:lou', 'refused']],
  );
  // The lock running out: the same password then opens a session.
  await server.site.db
    .updateTable(USER_TABLE)
    .set({ locked_until: new Date(Date.now() - 1000).toISOString() })
    .where('name', '=', 'lou')
    .execute();
  assert.equal((await new ConsoleClient(server.app).login('lou')).status, 303);
});

test('failures sent at once all count: concurrent guesses lock the account as sequential ones do', async () => {
  const server = await serve({ lockoutAttempts: 3 });
  const answers = await Promise.all(
    Array.from({ length: 6 }, (_, index) => new ConsoleClient(server.app).login('two', `guess ${index}`)),
  );
  assert.deepEqual(
    answers.map((answer) => answer.status),
    [401, 401, 401, 401, 401, 401],
  );
  assert.equal((await new ConsoleClient(server.app).login('two')).status, 401, 'locked');
});

test('rate limit: past loginPerMinute attempts from one address the login answers 429', async () => {
  const server = await serve({ loginPerMinute: 4 });
  const statuses: number[] = [];
  for (let attempt = 0; attempt < 6; attempt++) {
    statuses.push((await new ConsoleClient(server.app).login('nobody', 'whatever it is')).status);
  }
  assert.deepEqual(statuses, [401, 401, 401, 401, 429, 429]);
  const limited = await new ConsoleClient(server.app).login('ada');
  assert.equal(limited.status, 429, 'the right password too');
  assert.match(limited.body, /Too many attempts/);
});

test('session fixation: a cookie planted before login is not the session after it; the old one opens nothing', async () => {
  const server = await serve();
  const client = new ConsoleClient(server.app);
  client.cookies.set('envward_session', 'planted-by-an-attacker');
  await client.login('fix');
  const first = session(client);
  assert.notEqual(first, 'planted-by-an-attacker');
  await client.login('fix');
  const second = session(client);
  assert.notEqual(second, first);
  const replay = new ConsoleClient(server.app);
  replay.cookies.set('envward_session', first);
  assert.equal((await replay.get('/')).status, 303, 'the session before the new login ended');
  assert.equal((await client.get('/')).status, 200);
});

test('logout ends the session on the server: the old cookie replayed gets the login page', async () => {
  const server = await serve();
  const client = new ConsoleClient(server.app);
  await client.login('ada');
  const cookie = session(client);
  await client.get('/');
  assert.equal((await client.post('/logout')).status, 303);
  assert.equal(client.cookies.has('envward_session'), false);
  const replay = new ConsoleClient(server.app);
  replay.cookies.set('envward_session', cookie);
  const answer = await replay.get('/');
  assert.equal(answer.status, 303);
  assert.equal(answer.location, '/login');
});

test("a removed user's session ends at once; a role change applies at the next request", async () => {
  const server = await serve();
  const removed = new ConsoleClient(server.app);
  await removed.login('rem');
  assert.equal((await removed.get('/users')).status, 200);
  await removeConsoleUser({ cwd: project.dir, env: 'development', variables, name: 'rem' });
  assert.equal((await removed.get('/')).status, 303);
  const demoted = new ConsoleClient(server.app);
  await demoted.login('dem');
  assert.equal((await demoted.get('/users')).status, 200);
  await setConsoleRoles({ cwd: project.dir, env: 'development', variables, name: 'dem', roles: 'development:viewer' });
  assert.equal((await demoted.get('/users')).status, 403);
  assert.equal((await demoted.get('/')).status, 200);
});

test('an expired session is refused', async () => {
  const server = await serve({ sessionMinutes: 5 });
  const client = new ConsoleClient(server.app);
  await client.login('exp');
  assert.match(String(client.cookies.get('envward_session')), /./);
  assert.equal((await client.get('/')).status, 200);
  await server.site.db
    .updateTable(SESSION_TABLE)
    .set({
      created_at: new Date(Date.now() - 10 * 60_000).toISOString(),
      expires_at: new Date(Date.now() - 5 * 60_000).toISOString(),
    })
    .where('user_name', '=', 'exp')
    .execute();
  const answer = await client.get('/');
  assert.equal(answer.status, 303);
  assert.equal(answer.location, '/login');
});

test('the session cookie is HttpOnly, SameSite=Strict, signed; a tampered or unsigned cookie is refused', async () => {
  const server = await serve();
  const client = new ConsoleClient(server.app);
  const login = await client.login('tam');
  const line = [login.headers['set-cookie']].flat().find((text) => String(text).startsWith('envward_session='));
  assert.match(String(line), /HttpOnly/);
  assert.match(String(line), /SameSite=Strict/);
  const signed = decodeURIComponent(session(client));
  const dot = signed.lastIndexOf('.');
  const token = signed.slice(0, dot);
  const signature = signed.slice(dot + 1);
  const flipped = `${signature[0] === 'A' ? 'B' : 'A'}${signature.slice(1)}`;
  for (const forged of [token, `${token}.${flipped}`, `${token.slice(0, -1)}x.${signature}`, '.', 'a'.repeat(5000)]) {
    const attacker = new ConsoleClient(server.app);
    attacker.cookies.set('envward_session', encodeURIComponent(forged));
    const answer = await attacker.get('/');
    assert.equal(answer.status, 303, `forged cookie ${forged.slice(0, 30)}`);
    assert.equal(answer.location, '/login');
  }
  assert.equal((await client.get('/')).status, 200);
});

test('huge, binary and malformed bodies are refused cleanly, never a 500', async () => {
  const server = await serve();
  const client = new ConsoleClient(server.app);
  await client.get('/login');
  const cookie = [...client.cookies].map(([name, value]) => `${name}=${value}`).join('; ');
  const tries: { type: string; payload: string | Buffer; expected: number[] }[] = [
    { type: 'application/x-www-form-urlencoded', payload: `name=${'a'.repeat(200_000)}`, expected: [413] },
    { type: 'application/octet-stream', payload: Buffer.from([0, 255, 1, 254, 0, 0]), expected: [415] },
    { type: 'multipart/form-data; boundary=x', payload: '--x\r\n\r\n--x--', expected: [415] },
    {
      type: 'application/x-www-form-urlencoded',
      payload: Buffer.from([0x6e, 0x3d, 0xff, 0xfe, 0, 0x25]),
      expected: [403],
    },
    { type: 'application/x-www-form-urlencoded', payload: 'name=%E0%A4%A&password=%', expected: [403] },
    {
      type: 'application/x-www-form-urlencoded',
      payload: `_csrf=${client.csrf}&name=ada&name=bob&password=x`,
      expected: [401],
    },
    { type: 'application/json', payload: '{"name":', expected: [415] },
    {
      type: 'application/json',
      payload: `{"_csrf":"${client.csrf}","name":"ada","password":"${PASSWORD}"}`,
      expected: [415],
    },
    { type: 'text/plain', payload: 'name=ada', expected: [415] },
  ];
  for (const attempt of tries) {
    const response = await server.app.inject({
      method: 'POST',
      url: '/login',
      headers: { 'content-type': attempt.type, cookie },
      payload: attempt.payload,
    });
    assert.ok(attempt.expected.includes(response.statusCode), `${attempt.type}: ${response.statusCode}`);
    assert.match(String(response.headers['content-security-policy']), /default-src 'none'/);
    assert.doesNotMatch(response.body, /aaaaaaaaaa|Something went wrong/);
  }
});

test('a password canary never appears in any answer, header or audit row', async () => {
  const server = await serve();
  const seen: string[] = [];
  const client = new ConsoleClient(server.app);
  const keep = (answer: { body: string; headers: unknown }) => seen.push(answer.body, JSON.stringify(answer.headers));
  keep(await client.login('can', `${CANARY}-wrong`));
  keep(await client.login('nobody', CANARY));
  keep(await client.login('can', CANARY));
  keep(await client.get('/'));
  const admin = new ConsoleClient(server.app);
  await admin.login('ada', PASSWORD);
  keep(await admin.get('/users'));
  keep(await admin.post('/users/add', { name: 'can2', password: CANARY, 'role.development': 'viewer' }));
  keep(await admin.get('/users'));
  keep(await admin.post('/users/add', { name: 'Bad Name', password: CANARY }));
  keep(await admin.get('/users'));
  const rows = JSON.stringify(await server.site.store.audit.list({ limit: 10_000 }));
  assert.ok(rows.includes('console.login'));
  for (const text of [...seen, rows]) assert.equal(text.includes(CANARY), false);
});
