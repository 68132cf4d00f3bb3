/**
 * OpenID Connect login against a real provider: oidc-provider listening on
 * 127.0.0.1 with a static client, its development login and consent forms
 * driven with fetch (cookies kept by hand), the console driven with its
 * browser-like inject client. The provider says who someone is; only an
 * existing console user gets in, with the console's own roles.
 */
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, test } from 'node:test';
import type { ConsoleServer } from '../../src/console/start-console.ts';
import { buildConsoleServer } from '../../src/console/start-console.ts';
import { ConsoleClient, type ConsoleProject, makeConsoleProject } from '../support/console-project.ts';

const CLIENT_SECRET = 'oidc-client-secret-for-this-test-only-0123456789';
const REDIRECT = 'http://127.0.0.1:4599/login/oidc/callback';

let idp: Server;
let issuer: string;
let project: ConsoleProject;
let server: ConsoleServer;

before(async () => {
  let handle: (request: IncomingMessage, response: ServerResponse) => void = () => {};
  idp = createServer((request, response) => handle(request, response));
  await new Promise<void>((resolve) => idp.listen(0, '127.0.0.1', resolve));
  issuer = `http://127.0.0.1:${(idp.address() as AddressInfo).port}`;
  const { default: Provider } = await import('oidc-provider');
  const provider = new Provider(issuer, {
    clients: [
      {
        client_id: 'envward-console',
        client_secret: CLIENT_SECRET,
        redirect_uris: [REDIRECT],
        grant_types: ['authorization_code'],
        response_types: ['code'],
        token_endpoint_auth_method: 'client_secret_post',
      },
    ],
    // The account id typed in the development login form is the person; `mixed` has a name unlike its sub.
    findAccount: async (_context: unknown, id: string) => ({
      accountId: id,
      claims: async () => ({ sub: id, ...(id === 'mixed' ? { preferred_username: 'ada' } : {}) }),
    }),
    claims: { openid: ['sub'], profile: ['preferred_username'] },
    pkce: { required: () => true },
    cookies: { keys: ['oidc-provider-test-cookie-key'] },
  });
  handle = provider.callback();
  project = makeConsoleProject();
  await project.addUser('ada', 'development:admin,production:viewer');
  await project.addUser('sso', 'development:viewer');
  server = await buildConsoleServer({
    cwd: project.dir,
    env: 'development',
    variables: { PATH: process.env.PATH },
    settings: { oidc: { issuer, clientId: 'envward-console', clientSecret: CLIENT_SECRET, redirectUrl: REDIRECT } },
  });
});
after(async () => {
  await server?.close();
  project?.cleanup();
  idp?.closeAllConnections();
  await new Promise((resolve) => idp?.close(resolve));
});

/** Signs in at the provider as `account` (its development forms), following its redirects; the callback URL. */
async function atProvider(start: string, account: string): Promise<URL> {
  const jar = new Map<string, string>();
  let next = new URL(start);
  let body: URLSearchParams | undefined;
  for (let step = 0; step < 20; step++) {
    const response = await fetch(next, {
      method: body ? 'POST' : 'GET',
      redirect: 'manual',
      headers: {
        cookie: [...jar].map(([name, value]) => `${name}=${value}`).join('; '),
        ...(body ? { 'content-type': 'application/x-www-form-urlencoded' } : {}),
      },
      ...(body ? { body: body.toString() } : {}),
    });
    for (const line of response.headers.getSetCookie()) {
      const [pair = ''] = line.split(';');
      const at = pair.indexOf('=');
      jar.set(pair.slice(0, at), pair.slice(at + 1));
    }
    body = undefined;
    const location = response.headers.get('location');
    if (location) {
      next = new URL(location, next);
      if (next.href.startsWith(REDIRECT)) return next;
      continue;
    }
    const page = await response.text();
    const action = /<form[^>]*action="([^"]+)"/.exec(page)?.[1];
    assert.ok(action, `a form at the provider (${response.status}): ${page.slice(0, 300)}`);
    const prompt = /name="prompt" value="([^"]+)"/.exec(page)?.[1] ?? 'consent';
    next = new URL(action.replace(/&amp;/g, '&'), next);
    body = new URLSearchParams(prompt === 'login' ? { prompt, login: account, password: 'any' } : { prompt });
  }
  throw new Error('the provider never sent the browser back');
}

/** The whole flow for `account`; the console's answer to the callback. */
async function signIn(client: ConsoleClient, account: string) {
  const login = await client.get('/login');
  assert.match(login.body, /href="\/login\/oidc">Log in with 127\.0\.0\.1:\d+</);
  const start = await client.get('/login/oidc');
  assert.equal(start.status, 303, start.body);
  const authorize = new URL(String(start.location));
  assert.equal(authorize.searchParams.get('code_challenge_method'), 'S256');
  assert.ok(authorize.searchParams.get('state'));
  assert.ok(authorize.searchParams.get('nonce'));
  const callback = await atProvider(authorize.href, account);
  return client.get(`${callback.pathname}${callback.search}`);
}

test('an existing user signs in through the provider and keeps the console roles', async () => {
  const client = new ConsoleClient(server.app);
  const answer = await signIn(client, 'sso');
  assert.equal(answer.status, 200, answer.body);
  assert.match(answer.body, /<meta http-equiv="refresh" content="0;url=\/">/);
  const overview = await client.get('/');
  assert.equal(overview.status, 200);
  assert.match(overview.body, /data-environment="development">[\s\S]*?Your role: <strong>viewer<\/strong>/);
  assert.equal((await client.get('/users')).status, 403);
  const rows = await server.site.store.audit.list({ action: 'console.login', limit: 1000 });
  assert.ok(rows.some((row) => row.actor === 'console:sso' && row.target === 'sso (oidc)' && row.outcome === 'done'));
  assert.equal(JSON.stringify(rows).includes(CLIENT_SECRET), false);
});

test('preferred_username wins over sub', async () => {
  const client = new ConsoleClient(server.app);
  assert.equal((await signIn(client, 'mixed')).status, 200);
  assert.equal((await client.get('/users')).status, 200, 'signed in as ada, an admin');
});

test('someone the provider knows but the console does not is refused and audited', async () => {
  const client = new ConsoleClient(server.app);
  const answer = await signIn(client, 'eve');
  assert.equal(answer.status, 403);
  assert.match(answer.body, /not a user of this console/);
  assert.equal(client.cookies.has('envward_session'), false);
  const rows = await server.site.store.audit.list({ action: 'console.login', limit: 1000 });
  assert.ok(rows.some((row) => row.target === 'eve (oidc)' && row.outcome === 'refused'));
});

test('a callback replayed, without the flow cookie, or with a forged state is refused', async () => {
  const client = new ConsoleClient(server.app);
  await client.get('/login');
  const start = await client.get('/login/oidc');
  const callback = await atProvider(String(start.location), 'sso');
  const forged = new URL(callback);
  forged.searchParams.set('state', 'forged-state');
  const stranger = new ConsoleClient(server.app);
  assert.equal((await stranger.get(`${callback.pathname}${callback.search}`)).status, 400, 'no flow cookie');
  const wrong = await client.get(`${forged.pathname}${forged.search}`);
  assert.equal(wrong.status, 401, 'forged state');
  assert.equal(client.cookies.has('envward_session'), false);
  const replay = await client.get(`${callback.pathname}${callback.search}`);
  assert.equal(replay.status, 400, 'the flow cookie is used up');
});

test('without console.oidc there is no provider button and no flow; a provider down answers 502', async () => {
  const plain = await project.server();
  try {
    const client = new ConsoleClient(plain.app);
    assert.doesNotMatch((await client.get('/login')).body, /login\/oidc/);
    assert.equal((await client.get('/login/oidc')).status, 404);
  } finally {
    await plain.close();
  }
  const down = await buildConsoleServer({
    cwd: project.dir,
    env: 'development',
    variables: { PATH: process.env.PATH },
    settings: { oidc: { issuer: 'http://127.0.0.1:9/', clientId: 'x', redirectUrl: REDIRECT } },
  });
  try {
    const answer = await new ConsoleClient(down.app).get('/login/oidc');
    assert.equal(answer.status, 502);
    assert.match(answer.body, /cannot be reached/);
  } finally {
    await down.close();
  }
});
