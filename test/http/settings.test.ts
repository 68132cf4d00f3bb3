/**
 * Per-environment HTTP settings: tier defaults (development permissive,
 * production strict) and the optional `http.*` keys over them, as seen by a
 * browser: CORS origins, security headers with HSTS, body limits.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { envwardServerOptions, httpSettings } from '../../src/http/index.ts';
import { type HttpProject, makeHttpProject } from '../support/http-project.ts';

const SECRET = { PAYMENTS_API_KEY: 'sk_live_9b27e4c1d0f3a5b7c9' };

describe('HTTP settings per environment', () => {
  let project: HttpProject;
  before(() => {
    project = makeHttpProject({
      settings: {
        qa:
          'http:\n  cors:\n    origins: ["https://qa.example.com"]\n  bodyLimit: 2048\n  trustProxy: true\n' +
          '  helmet:\n    xFrameOptions:\n      action: sameorigin\n    referrerPolicy:\n      policy: no-referrer\n',
        test: 'http:\n  helmet:\n    xFrameOptions:\n      action: sideways\n',
      },
    });
  });
  after(() => project.cleanup());

  test('tier defaults: development is permissive, production strict', async () => {
    const development = httpSettings(await project.resolve('development'));
    const production = httpSettings(await project.resolve('production', { variables: SECRET }));
    assert.equal(development.corsOrigins, true);
    assert.deepEqual(production.corsOrigins, []);
    assert.ok(development.bodyLimit > production.bodyLimit);
    assert.ok(development.rateLimit.max > production.rateLimit.max);
    assert.equal(production.rateLimit.max, 600);
    assert.equal(production.rateLimit.redisUrl, undefined, 'in memory unless a Redis URL is configured');
    assert.equal(production.rateLimit.redisKeyPrefix, 'envward:rate-limit:production:');
    assert.equal(development.trustRequestId, true, 'development keeps incoming request ids');
    assert.equal(production.trustRequestId, false, 'production keeps them only behind a configured proxy');
  });

  test('configured keys win over the tier defaults', async () => {
    const qa = httpSettings(await project.resolve('qa', { variables: SECRET }));
    assert.deepEqual(qa.corsOrigins, ['https://qa.example.com']);
    assert.equal(qa.bodyLimit, 2048);
    assert.equal(qa.trustProxy, true);
    assert.equal(qa.trustRequestId, true, 'behind a configured proxy, incoming request ids are kept');
    const options = envwardServerOptions(await project.resolve('qa', { variables: SECRET }));
    assert.equal(options.bodyLimit, 2048);
    assert.equal(options.trustProxy, true);
  });

  test('development answers CORS requests from any origin', async () => {
    const { app } = await project.server('development', { store: false });
    const simple = await app.inject({ url: '/hello', headers: { origin: 'http://localhost:5173' } });
    assert.equal(simple.headers['access-control-allow-origin'], 'http://localhost:5173');
    assert.match(String(simple.headers['access-control-expose-headers']), /x-environment/);
  });

  test('production sends no CORS headers unless origins are configured', async () => {
    const { app } = await project.server('production', { store: false, resolve: { variables: SECRET } });
    const simple = await app.inject({ url: '/hello', headers: { origin: 'https://evil.example' } });
    assert.equal(simple.statusCode, 200);
    assert.equal(simple.headers['access-control-allow-origin'], undefined);
    const preflight = await app.inject({
      method: 'OPTIONS',
      url: '/hello',
      headers: { origin: 'https://evil.example', 'access-control-request-method': 'POST' },
    });
    assert.equal(preflight.headers['access-control-allow-origin'], undefined);
  });

  test('a configured origin is allowed and any other is not', async () => {
    const { app } = await project.server('qa', { store: false, resolve: { variables: SECRET } });
    const allowed = await app.inject({ url: '/hello', headers: { origin: 'https://qa.example.com' } });
    assert.equal(allowed.headers['access-control-allow-origin'], 'https://qa.example.com');
    const other = await app.inject({ url: '/hello', headers: { origin: 'https://evil.example' } });
    assert.equal(other.headers['access-control-allow-origin'], undefined);
  });

  test('security headers are on every response; HSTS only outside development and test', async () => {
    const development = await project.server('development', { store: false });
    const production = await project.server('production', { store: false, resolve: { variables: SECRET } });
    for (const { app } of [development, production]) {
      for (const url of ['/hello', '/nowhere', '/boom']) {
        const response = await app.inject({ url });
        assert.equal(response.headers['x-content-type-options'], 'nosniff', url);
        assert.equal(response.headers['x-frame-options'], 'DENY', url);
        assert.equal(response.headers['content-security-policy'], "default-src 'none';frame-ancestors 'none'", url);
      }
    }
    assert.equal((await development.app.inject({ url: '/hello' })).headers['strict-transport-security'], undefined);
    assert.equal(
      (await production.app.inject({ url: '/hello' })).headers['strict-transport-security'],
      'max-age=15552000; includeSubDomains',
    );
  });

  test('http.helmet changes or adds a header and keeps the others', async () => {
    const { app } = await project.server('qa', { store: false, resolve: { variables: SECRET } });
    const response = await app.inject({ url: '/hello' });
    assert.equal(response.headers['x-frame-options'], 'SAMEORIGIN');
    assert.equal(response.headers['referrer-policy'], 'no-referrer');
    assert.equal(response.headers['x-content-type-options'], 'nosniff');
  });

  test('helmet options helmet refuses fail validation at their file and line, before the server starts', async () => {
    await assert.rejects(project.server('test', { store: false }), (error: Error & { code?: string }) => {
      assert.equal(error.code, 'EW_CONFIG_INVALID');
      assert.match(
        error.message,
        /http\.helmet\.xFrameOptions \[test\] at config\/environments\/test\/settings\.yml:\d+:\d+: xFrameOptions is false or \{ action: deny \| sameorigin \}/,
      );
      return true;
    });
  });

  test('an option helmet itself refuses (past its shape) fails validation too', async () => {
    const bad = makeHttpProject({
      settings: { development: 'http:\n  helmet:\n    referrerPolicy:\n      policy: sometimes\n' },
    });
    try {
      await assert.rejects(bad.resolve('development'), (error: Error & { code?: string }) => {
        assert.equal(error.code, 'EW_CONFIG_INVALID');
        assert.match(
          error.message,
          /http\.helmet \[development\] at config\/environments\/development\/settings\.yml:\d+:\d+: helmet refuses these options: Referrer-Policy received an unexpected policy token/,
        );
        return true;
      });
    } finally {
      await bad.cleanup();
    }
  });
});
