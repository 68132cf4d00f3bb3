/**
 * The JWT secret is a canary: a service with JWT auth answers valid,
 * refused and malformed requests, `/environment`, `/metrics` and errors,
 * logging everything at trace level into a buffer, and `config show`
 * prints its configuration; the secret shows in none of it, in any encoding.
 */
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { after, before, test } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { createLogger } from '../../src/observe/index.ts';
import { AUTH_CONFIG, type AuthProject, makeAuthProject, signToken } from '../support/auth-project.ts';
import { assertNoCanary, makeCanary } from '../support/canary.ts';
import { cli } from '../support/secrets-project.ts';

const secret = makeCanary('jwtsecret');
const lines: string[] = [];
const replies: string[] = [];
let project: AuthProject;
let app: FastifyInstance;

before(async () => {
  // The service's own logger (envward's, scrubbing by value), at trace level so every line is written.
  const config = AUTH_CONFIG.replace('auth, defineConfig', 'auth, defineConfig, log').replace(
    '[http, auth]',
    '[http, auth, log]',
  );
  project = makeAuthProject(
    { test: 'auth:\n  jwt:\n    issuer: https://issuer.example.com\nlog:\n  level: trace\n' },
    config,
  );
  const resolve = { variables: { AUTH_JWT_SECRET: secret } };
  const destination = new Writable({
    write(chunk, _encoding, done) {
      lines.push(String(chunk));
      done();
    },
  });
  const logger = await createLogger(await project.resolve('test', resolve), { destination });
  app = await project.server('test', {
    resolve,
    logger,
    routes: (server) =>
      server.get('/boom', async () => {
        throw new Error(`the verifier choked on ${secret}`);
      }),
  });
});
after(() => project.cleanup());

async function send(method: 'GET' | 'POST', url: string, authorization?: string): Promise<number> {
  const reply = await app.inject({ method, url, ...(authorization ? { headers: { authorization } } : {}) });
  replies.push(`${reply.statusCode}\n${JSON.stringify(reply.headers)}\n${reply.body}`);
  return reply.statusCode;
}

test('the JWT secret never shows in replies, logs or config show', async () => {
  const valid = signToken(secret, { sub: 'ada', iss: 'https://issuer.example.com' });
  assert.equal(await send('POST', '/things', `Bearer ${valid}`), 200);
  assert.equal(await send('POST', '/things'), 401);
  assert.equal(await send('POST', '/things', `Bearer ${valid.slice(0, -3)}abc`), 401);
  assert.equal(await send('POST', '/things', `Bearer ${signToken(secret, { sub: 'x' })}`), 401, 'no iss');
  // A client that guessed the secret and sends it as a token: refused, and it is not echoed either.
  assert.equal(await send('POST', '/things', `Bearer ${secret}`), 401);
  assert.equal(await send('GET', '/environment'), 200);
  assert.equal(await send('GET', '/metrics'), 200);
  assert.equal(await send('GET', '/boom'), 500);
  await app.close();

  assert.ok(
    lines.some((line) => line.includes('bearer token refused')),
    'the refusals are logged (with a reason)',
  );
  assertNoCanary(replies.join('\n'), [secret], 'an HTTP reply');
  assertNoCanary(lines.join(''), [secret], 'the log');

  const shown = await cli(project.dir, ['config', 'show', '--env', 'test', '--json'], {
    env: { AUTH_JWT_SECRET: secret },
  });
  assert.equal(shown.code, 0, shown.stderr);
  assert.match(shown.stdout, /"auth\.jwt\.secret"/);
  assertNoCanary(shown.stdout + shown.stderr, [secret], 'config show');
});
