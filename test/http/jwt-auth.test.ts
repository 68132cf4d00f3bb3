/**
 * JWT auth on the routes that ask for it, as a client meets it: every kind
 * of bad token is the same 401 (one error body, EW_HTTP_UNAUTHORIZED, a
 * `WWW-Authenticate: Bearer` challenge, a message that says neither which
 * check failed nor the token), a valid one reaches the handler with
 * `request.user` set, and routes that do not ask stay open.
 */
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { type AuthProject, makeAuthProject, signToken, unsignedToken } from '../support/auth-project.ts';
import { makeCanary } from '../support/canary.ts';

const ISSUER = 'https://issuer.example.com';
const AUDIENCE = 'ledger-api';
const TEST_SETTINGS = `auth:
  jwt:
    issuer: ${ISSUER}
    audience: [${AUDIENCE}, other-api]
    maxAgeSec: 3600
`;

const now = () => Math.floor(Date.now() / 1000);

describe('a route with config.auth "jwt" in the test tier (HS256)', () => {
  const secret = makeCanary('jwtsecret');
  let project: AuthProject;
  let app: FastifyInstance;
  const good = (extra: Record<string, unknown> = {}) =>
    signToken(secret, { sub: 'ada', iss: ISSUER, aud: AUDIENCE, ...extra });

  before(async () => {
    project = makeAuthProject({ test: TEST_SETTINGS });
    app = await project.server('test', { resolve: { variables: { AUTH_JWT_SECRET: secret } } });
  });
  after(() => project.cleanup());

  const post = (authorization?: string) =>
    app.inject({
      method: 'POST',
      url: '/things',
      ...(authorization !== undefined ? { headers: { authorization } } : {}),
    });

  /** The one 401: checked field by field, and the token (and secret) nowhere in it. */
  async function assertRefused(authorization: string | undefined, what: string) {
    const reply = await post(authorization);
    assert.equal(reply.statusCode, 401, `${what}: ${reply.body}`);
    const body = reply.json();
    assert.deepEqual(Object.keys(body), ['error'], what);
    assert.deepEqual(Object.keys(body.error).sort(), ['code', 'message', 'requestId'], what);
    assert.equal(body.error.code, 'EW_HTTP_UNAUTHORIZED', what);
    assert.equal(body.error.requestId, reply.headers['x-request-id'], what);
    assert.match(body.error.message, /^This route needs a valid bearer token/, what);
    assert.match(String(reply.headers['www-authenticate']), /^Bearer\b/, what);
    assert.equal(reply.headers['x-environment'], 'test; tier=test', what);
    const everything = `${JSON.stringify(reply.headers)}\n${reply.body}`;
    assert.ok(!everything.includes(secret), `${what}: the secret is in the reply`);
    const token = authorization?.replace(/^bearer\s*/i, '') ?? '';
    if (token.length >= 8) assert.ok(!everything.includes(token.slice(0, 40)), `${what}: the token is echoed`);
    return reply;
  }

  test('a valid token reaches the handler, with request.user set to its payload', async () => {
    const token = good({ role: 'teller' });
    const reply = await post(`Bearer ${token}`);
    assert.equal(reply.statusCode, 200, reply.body);
    const { user } = reply.json();
    assert.equal(user.sub, 'ada');
    assert.equal(user.role, 'teller');
    assert.equal(user.iss, ISSUER);
    // The scheme is case-insensitive (RFC 7235), and the other listed audience is accepted too.
    assert.equal((await post(`bearer ${good({ aud: 'other-api' })}`)).statusCode, 200);
  });

  test('no Authorization header, or another scheme, is a 401 with the bare Bearer challenge', async () => {
    assert.equal((await assertRefused(undefined, 'none')).headers['www-authenticate'], 'Bearer');
    assert.equal((await assertRefused('Basic YWRhOnNlY3JldA==', 'basic')).headers['www-authenticate'], 'Bearer');
    assert.equal((await assertRefused('', 'empty')).headers['www-authenticate'], 'Bearer');
  });

  test('malformed tokens are 401 invalid_token', async () => {
    for (const [what, header] of [
      ['no token after the scheme', 'Bearer '],
      ['one segment', 'Bearer abcdefghijkl'],
      ['three segments of junk', 'Bearer aaaa.bbbb.cccc'],
      ['two tokens', `Bearer ${good()} ${good()}`],
      ['a token with a comma', `Bearer ${good()},x`],
      ['binary bytes', `Bearer \u00ff\u00fe${good()}`],
      ['a JSON header that is not an object', `Bearer ${Buffer.from('"x"').toString('base64url')}.e30.sig`],
    ] as const) {
      const reply = await assertRefused(header, what);
      assert.equal(reply.headers['www-authenticate'], 'Bearer error="invalid_token"', what);
    }
  });

  test('a token signed with another key, or with another HS algorithm, is refused', async () => {
    await assertRefused(`Bearer ${signToken(makeCanary('otherkey'), { iss: ISSUER, aud: AUDIENCE })}`, 'wrong key');
    await assertRefused(
      `Bearer ${signToken(secret, { iss: ISSUER, aud: AUDIENCE }, { algorithm: 'HS512' })}`,
      'HS512 where only HS256 is listed',
    );
  });

  test('an unsigned token (alg none) is refused, whatever it claims', async () => {
    await assertRefused(
      `Bearer ${unsignedToken({ sub: 'root', iss: ISSUER, aud: AUDIENCE, exp: now() + 600 })}`,
      'none',
    );
    const none = unsignedToken({ sub: 'root', iss: ISSUER, aud: AUDIENCE, exp: now() + 600 });
    await assertRefused(`Bearer ${none}${'A'.repeat(43)}`, 'alg none with a signature appended');
  });

  test('an RS256 token is refused by an HS256 service (no algorithm confusion)', async () => {
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const pem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    await assertRefused(`Bearer ${signToken(pem, { iss: ISSUER, aud: AUDIENCE }, { algorithm: 'RS256' })}`, 'RS256');
  });

  test('expired, not yet valid, too old or without exp: refused', async () => {
    await assertRefused(`Bearer ${good({ exp: now() - 5 })}`, 'expired');
    await assertRefused(`Bearer ${good({ nbf: now() + 600 })}`, 'not before');
    await assertRefused(`Bearer ${good({ iat: now() - 7200 })}`, 'older than maxAgeSec');
    const noExp = signToken(secret, { iss: ISSUER, aud: AUDIENCE, exp: undefined });
    await assertRefused(`Bearer ${noExp}`, 'no exp claim');
    const noIat = signToken(secret, { iss: ISSUER, aud: AUDIENCE }, { noTimestamp: true });
    await assertRefused(`Bearer ${noIat}`, 'no iat while maxAgeSec is set');
  });

  test('another issuer or audience, or none at all, is refused', async () => {
    await assertRefused(`Bearer ${good({ iss: 'https://evil.example.com' })}`, 'wrong iss');
    await assertRefused(`Bearer ${good({ aud: 'another-api' })}`, 'wrong aud');
    await assertRefused(`Bearer ${signToken(secret, { aud: AUDIENCE })}`, 'no iss');
    await assertRefused(`Bearer ${signToken(secret, { iss: ISSUER })}`, 'no aud');
  });

  test('a huge token is refused unread; a header past Node’s limit is a 431', async () => {
    const huge = good({ padding: 'x'.repeat(12_000) });
    await assertRefused(`Bearer ${huge}`, 'a 16 KB token');
    const tooBig = await post(`Bearer ${good({ padding: 'x'.repeat(20_000) })}`);
    // inject bypasses Node's parser: the plugin's own limit answers.
    assert.equal(tooBig.statusCode, 401);
  });

  test('routes that do not ask for auth stay open; app.envwardAuthenticate guards a route as a preHandler', async () => {
    assert.equal((await app.inject({ url: '/things' })).statusCode, 200);
    assert.equal((await app.inject({ url: '/health/live' })).statusCode, 200);
    assert.equal((await app.inject({ url: '/scoped' })).statusCode, 401);
    const scoped = await app.inject({ url: '/scoped', headers: { authorization: `Bearer ${good()}` } });
    assert.equal(scoped.statusCode, 200);
    assert.equal(scoped.json().user.sub, 'ada');
  });

  test('a refused request is refused before its body is parsed', async () => {
    const reply = await app.inject({
      method: 'POST',
      url: '/things',
      headers: { 'content-type': 'application/json' },
      payload: '{"not json',
    });
    assert.equal(reply.statusCode, 401, 'not a 400 for the body: an anonymous client learns nothing of the route');
  });

  test('app.jwt.sign (HS keys) makes tokens this environment accepts', async () => {
    const token = (app as unknown as { jwt: { sign(payload: object): string } }).jwt.sign({ sub: 'bob' });
    const reply = await post(`Bearer ${token}`);
    assert.equal(reply.statusCode, 200, reply.body);
    assert.equal(reply.json().user.sub, 'bob');
  });
});

describe('asymmetric keys (RS256, ES256, EdDSA) from auth.jwt.publicKey', () => {
  let project: AuthProject;
  const pairs = {
    RS256: generateKeyPairSync('rsa', { modulusLength: 2048 }),
    ES256: generateKeyPairSync('ec', { namedCurve: 'P-256' }),
    EdDSA: generateKeyPairSync('ed25519'),
  };
  const publicPem = (algorithm: keyof typeof pairs) =>
    pairs[algorithm].publicKey.export({ type: 'spki', format: 'pem' }).toString();
  const privatePem = (algorithm: keyof typeof pairs) =>
    pairs[algorithm].privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
  const indent = (pem: string) =>
    pem
      .trim()
      .split('\n')
      .map((line) => `      ${line}`)
      .join('\n');
  const settings = (algorithm: keyof typeof pairs) =>
    `auth:\n  jwt:\n    algorithms: [${algorithm}]\n    publicKey: |\n${indent(publicPem(algorithm))}\n`;

  before(() => {
    project = makeAuthProject({ test: settings('RS256'), preview: settings('ES256'), staging: settings('EdDSA') });
  });
  after(() => project.cleanup());

  for (const [env, algorithm] of [
    ['test', 'RS256'],
    ['preview', 'ES256'],
    ['staging', 'EdDSA'],
  ] as const) {
    test(`${algorithm}: a token signed with the private key passes, one signed with another key or as HS256 does not`, async () => {
      const app = await project.server(env);
      const send = (token: string) =>
        app.inject({ method: 'POST', url: '/things', headers: { authorization: `Bearer ${token}` } });
      const valid = await send(signToken(privatePem(algorithm), { sub: 'ada' }, { algorithm }));
      assert.equal(valid.statusCode, 200, valid.body);
      assert.equal(valid.json().user.sub, 'ada');
      const other = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({
        type: 'pkcs8',
        format: 'pem',
      });
      assert.equal((await send(signToken(other.toString(), { sub: 'x' }, { algorithm: 'ES256' }))).statusCode, 401);
      // The classic confusion: the public key's text used as an HMAC secret.
      assert.equal((await send(signToken(publicPem(algorithm), { sub: 'x' }))).statusCode, 401);
      assert.equal((await send(unsignedToken({ sub: 'x', exp: now() + 60 }))).statusCode, 401);
    });
  }
});

describe('where auth.jwt is off', () => {
  let project: AuthProject;
  before(() => {
    project = makeAuthProject({ production: 'auth:\n  jwt:\n    enabled: false\n' });
  });
  after(() => project.cleanup());

  test('development (off by default) serves routes that ask for a JWT without one', async () => {
    const app = await project.server('development');
    const reply = await app.inject({ method: 'POST', url: '/things' });
    assert.equal(reply.statusCode, 200, reply.body);
    assert.deepEqual(reply.json(), { user: null });
    assert.equal((await app.inject({ url: '/scoped' })).statusCode, 200);
    assert.equal((app as unknown as { jwt?: unknown }).jwt, undefined, '@fastify/jwt is not registered');
  });

  test('production turned off needs no secret, and says so in a warning', async () => {
    const lines: string[] = [];
    const { default: pino } = await import('pino');
    const logger = pino({ level: 'info' }, { write: (line: string) => lines.push(line) });
    const app = await project.server('production', { logger });
    assert.equal((await app.inject({ method: 'POST', url: '/things' })).statusCode, 200);
    const warning = lines
      .map((line) => JSON.parse(line))
      .find((entry) => /auth\.jwt\.enabled is false/.test(entry.msg));
    assert.equal(warning?.level, 40, lines.join(''));
  });
});
