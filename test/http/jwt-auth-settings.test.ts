/**
 * `auth.jwt` validated as every other setting: what the plugin would refuse
 * at start is refused by resolution (so by `config validate`, preflight and
 * every revision), by key, never quoting a key; and what slips through (a
 * configuration resolved with `collectIssues`, a route asking for auth in a
 * project without `auth`) is EW_AUTH_CONFIG at registration.
 */
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { after, describe, test } from 'node:test';
import Fastify from 'fastify';
import type { ConfigIssue } from '../../src/errors.ts';
import { ConfigInvalidError } from '../../src/errors.ts';
import { AuthConfigError, envwardFastify, envwardServerOptions } from '../../src/http/index.ts';
import { AUTH_CONFIG, type AuthProject, HTTP_ONLY_CONFIG, makeAuthProject } from '../support/auth-project.ts';
import { assertNoCanary, makeCanary } from '../support/canary.ts';
import { cli } from '../support/secrets-project.ts';

const pem = (type: 'rsa' | 'ec', privateKey = false) => {
  const pair =
    type === 'rsa'
      ? generateKeyPairSync('rsa', { modulusLength: 2048 })
      : generateKeyPairSync('ec', { namedCurve: 'P-256' });
  return privateKey
    ? pair.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString()
    : pair.publicKey.export({ type: 'spki', format: 'pem' }).toString();
};
const block = (text: string) =>
  `|\n${text
    .trim()
    .split('\n')
    .map((line) => `      ${line}`)
    .join('\n')}`;
const jwt = (lines: string) => `auth:\n  jwt:\n${lines.replace(/^/gm, '    ')}\n`;

const projects: AuthProject[] = [];
after(() => Promise.all(projects.map((project) => project.cleanup())));
function project(settings: Record<string, string>, config = AUTH_CONFIG): AuthProject {
  const made = makeAuthProject(settings, config);
  projects.push(made);
  return made;
}

/** The issues resolution reports for `env` (it must refuse). */
async function issuesOf(p: AuthProject, env: string, variables: Record<string, string> = {}): Promise<ConfigIssue[]> {
  const error = await p.resolve(env, { variables }).then(
    () => assert.fail(`${env} resolved`),
    (thrown: unknown) => thrown,
  );
  assert.ok(error instanceof ConfigInvalidError, String(error));
  return [...error.issues];
}

describe('auth.jwt tier rules and checks', () => {
  test('an HS256 secret under 32 bytes is EW_RULE_JWT_WEAK_SECRET in production, fine in an unprotected staging-tier env', async () => {
    const weak = makeCanary('weak').slice(0, 31);
    const p = project({});
    const issues = await issuesOf(p, 'production', { AUTH_JWT_SECRET: weak });
    assert.deepEqual(
      issues.map((issue) => [issue.code, issue.key]),
      [['EW_RULE_JWT_WEAK_SECRET', 'auth.jwt.secret']],
    );
    assert.match(issues[0]?.message ?? '', /31 bytes; HS256 in the production tier needs at least 32/);
    assertNoCanary(JSON.stringify(issues), [weak], 'the issues');
    await p.resolve('production', { variables: { AUTH_JWT_SECRET: `${weak}x` } });
    await p.resolve('preview', { variables: { AUTH_JWT_SECRET: 'short' } });
  });

  test('HS512 needs 64 bytes in a protected tier (RFC 7518: a key as long as the hash)', async () => {
    const p = project({ staging: jwt('algorithms: [HS512]') });
    const secret = 'k'.repeat(48);
    const issues = await issuesOf(p, 'staging', { AUTH_JWT_SECRET: secret });
    assert.equal(issues[0]?.code, 'EW_RULE_JWT_WEAK_SECRET');
    assert.match(issues[0]?.message ?? '', /needs at least 64/);
  });

  test('config validate reports the weak secret in production, exit 1, and never prints it', async () => {
    const p = project({});
    const weak = makeCanary('cliweak').slice(0, 30);
    const result = await cli(p.dir, ['config', 'validate', '--env', 'production', '--json'], {
      env: { AUTH_JWT_SECRET: weak },
    });
    assert.equal(result.code, 1, result.stderr);
    assert.match(result.stdout + result.stderr, /EW_RULE_JWT_WEAK_SECRET/);
    assert.match(result.stdout + result.stderr, /auth\.jwt\.secret/);
    assertNoCanary(result.stdout + result.stderr, [weak], 'config validate');
  });

  test('"none" is never an algorithm, in any tier, in any case', async () => {
    for (const none of ['none', 'NONE', 'None']) {
      const issues = await issuesOf(project({ development: jwt(`algorithms: [HS256, ${none}]`) }), 'development');
      assert.equal(issues[0]?.code, 'EW_CONFIG_TYPE');
      assert.equal(issues[0]?.key, 'auth.jwt.algorithms.1');
      assert.match(issues[0]?.message ?? '', /"none" algorithm is never accepted/);
    }
    const unknown = await issuesOf(project({ development: jwt('algorithms: [HS257]') }), 'development');
    assert.match(unknown[0]?.message ?? '', /one of HS256, HS384/);
  });

  test('HS and asymmetric algorithms cannot be listed together', async () => {
    const p = project({ development: jwt(`algorithms: [HS256, RS256]\npublicKey: ${block(pem('rsa'))}`) });
    const issues = await issuesOf(p, 'development');
    assert.equal(issues[0]?.key, 'auth.jwt.algorithms');
    assert.match(issues[0]?.message ?? '', /HS and asymmetric algorithms together/);
  });

  test('enabled (test tier) without the HS secret: EW_RULE_SECRET_UNSET naming the command', async () => {
    const issues = await issuesOf(project({}), 'test');
    assert.deepEqual(
      issues.map((issue) => [issue.code, issue.key]),
      [['EW_RULE_SECRET_UNSET', 'auth.jwt.secret']],
    );
    assert.match(issues[0]?.message ?? '', /envward secrets set auth\.jwt\.secret --env test/);
  });

  test('RS256 with a public key needs no secret, even in production', async () => {
    const p = project({ production: jwt(`algorithms: [RS256]\npublicKey: ${block(pem('rsa'))}`) });
    const resolved = await p.resolve('production');
    assert.deepEqual((resolved.values as { auth: { jwt: { algorithms: string[] } } }).auth.jwt.algorithms, ['RS256']);
  });

  test('RS256 without a public key: EW_RULE_REQUIRED at auth.jwt.publicKey', async () => {
    const issues = await issuesOf(project({ production: jwt('algorithms: [RS256, PS256]') }), 'production');
    assert.deepEqual(
      issues.map((issue) => [issue.code, issue.key]),
      [['EW_RULE_REQUIRED', 'auth.jwt.publicKey']],
    );
  });

  test('a private key pasted as publicKey is refused without being quoted', async () => {
    const privateKey = pem('rsa', true);
    const p = project({ development: jwt(`algorithms: [RS256]\npublicKey: ${block(privateKey)}`) });
    const issues = await issuesOf(p, 'development');
    assert.equal(issues[0]?.key, 'auth.jwt.publicKey');
    assert.match(issues[0]?.message ?? '', /holds a private key/);
    const body = privateKey.split('\n')[3] as string;
    assert.ok(!JSON.stringify(issues).includes(body), 'a line of the private key is in the issues');
  });

  test('junk, a certificate-less header or binary text as publicKey: not a PEM public key', async () => {
    for (const text of [
      '"-----BEGIN PUBLIC KEY-----\\nAAAA\\n-----END PUBLIC KEY-----"',
      '"\\u0000\\u00ff"',
      'hello',
    ]) {
      const issues = await issuesOf(
        project({ development: jwt(`algorithms: [ES256]\npublicKey: ${text}`) }),
        'development',
      );
      assert.equal(issues[0]?.key, 'auth.jwt.publicKey', text);
      assert.match(issues[0]?.message ?? '', /not a PEM public key/, text);
    }
  });

  test('a huge public key, secret or audience list is refused by size, not parsed', async () => {
    const huge = await issuesOf(
      project({ development: jwt(`algorithms: [RS256]\npublicKey: "${'A'.repeat(20_000)}"`) }),
      'development',
    );
    assert.equal(huge[0]?.key, 'auth.jwt.publicKey');
    const audiences = Array.from({ length: 33 }, (_, index) => `api-${index}`).join(', ');
    const many = await issuesOf(project({ development: jwt(`audience: [${audiences}]`) }), 'development');
    assert.equal(many[0]?.key, 'auth.jwt.audience');
    const long = await issuesOf(project({}), 'test', { AUTH_JWT_SECRET: 's'.repeat(5000) });
    assert.equal(long[0]?.key, 'auth.jwt.secret');
    assert.ok(!JSON.stringify(long).includes('s'.repeat(64)), 'the secret is quoted');
  });

  test('an algorithm the key cannot verify (ES384 with a P-256 key) is named', async () => {
    const p = project({ test: jwt(`algorithms: [ES256, ES384]\npublicKey: ${block(pem('ec'))}`) });
    const issues = await issuesOf(p, 'test');
    assert.deepEqual(
      issues.map((issue) => [issue.code, issue.key]),
      [['EW_CONFIG_TYPE', 'auth.jwt.algorithms']],
    );
    assert.match(issues[0]?.message ?? '', /lists ES384, which the EC \(prime256v1\) key/);
  });
});

describe('EW_AUTH_CONFIG at registration', () => {
  test('enabled without a key, in a configuration resolved with collectIssues', async () => {
    const p = project({});
    const config = await p.resolve('test', { collectIssues: true });
    await assert.rejects(p.server('test', { config }), (error: unknown) => {
      assert.ok(error instanceof AuthConfigError, String(error));
      assert.equal(error.code, 'EW_AUTH_CONFIG');
      assert.match(error.message, /needs the shared secret auth\.jwt\.secret/);
      return true;
    });
  });

  test('a route with an unknown config.auth value', async () => {
    const p = project({});
    const config = await p.resolve('development');
    const app = Fastify(envwardServerOptions(config));
    await app.register(envwardFastify, { config });
    assert.throws(
      () => app.post('/x', { config: { auth: 'jwtt' as 'jwt' } }, async () => ({})),
      (error: unknown) => error instanceof AuthConfigError && /config\.auth "jwtt"/.test(error.message),
    );
    await app.close();
  });

  test('a project without `auth` in use: a route asking for a JWT is refused, app.envwardAuthenticate fails closed', async () => {
    const p = project({}, HTTP_ONLY_CONFIG);
    const config = await p.resolve('production');
    const app = Fastify(envwardServerOptions(config));
    await app.register(envwardFastify, { config });
    assert.throws(
      () => app.post('/x', { config: { auth: 'jwt' } }, async () => ({})),
      (error: unknown) => error instanceof AuthConfigError && /does not use the `auth` settings/.test(error.message),
    );
    app.get('/guarded', { preHandler: app.envwardAuthenticate }, async () => ({ ok: true }));
    app.get('/open', async () => ({ ok: true }));
    const guarded = await app.inject({ url: '/guarded' });
    assert.equal(guarded.statusCode, 500);
    assert.equal(guarded.json().error.code, 'EW_HTTP_INTERNAL');
    assert.equal((await app.inject({ url: '/open' })).statusCode, 200, 'an http-only project is unchanged');
    await app.close();
  });
});
