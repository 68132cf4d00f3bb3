/**
 * `GET /environment`: who the service is and a masked summary of its
 * configuration; a secret canary never leaves in any response body or
 * header, error responses included; protected environments keep the summary
 * behind `authorize`.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { MASK } from '../../src/config/index.ts';
import type { EnvironmentInfo } from '../../src/http/index.ts';
import { assertNoCanary, makeCanary } from '../support/canary.ts';
import { type HttpProject, makeHttpProject } from '../support/http-project.ts';

describe('GET /environment', () => {
  const canary = makeCanary('payments');
  let project: HttpProject;
  before(() => {
    project = makeHttpProject();
  });
  after(() => project.cleanup());

  const development = () =>
    project.server('development', {
      store: false,
      resolve: { variables: { PAYMENTS_API_KEY: canary } },
      plugin: { version: '1.4.2' },
    });

  test('names the environment, its tier, code, colour, what detected it, the app version, config revision and migration head', async () => {
    const { app } = await development();
    const response = await app.inject({ url: '/environment' });
    assert.equal(response.statusCode, 200);
    const info = response.json() as EnvironmentInfo;
    assert.deepEqual(
      { ...info, config: undefined },
      {
        name: 'development',
        tier: 'development',
        code: 'DEV',
        colour: 'green',
        protected: false,
        detection: { source: 'option', detail: '--env' },
        version: '1.4.2',
        configRevision: null,
        migrationHead: null,
        config: undefined,
      },
    );
  });

  test('lists every configuration key, with the secret one masked', async () => {
    const { app, config } = await development();
    const info = (await app.inject({ url: '/environment' })).json() as EnvironmentInfo;
    assert.deepEqual(Object.keys(info.config), [...config.keys]);
    assert.equal(info.config['payments.apiKey'], MASK);
    assert.equal(info.config['database.url'], 'sqlite:var/shared.db');
  });

  test('no response body or header carries the secret, error responses included', async () => {
    const { app } = await development();
    const requests = [
      { url: '/environment' },
      { url: '/hello' },
      { url: '/metrics' },
      { url: '/health/ready' },
      // The route's error message names the key; a 500 never shows it, and a 404 message echoing the URL is scrubbed.
      { url: '/boom' },
      { url: `/${canary}` },
      { url: `/search?q=${canary}` },
      {
        method: 'POST' as const,
        url: '/echo',
        headers: { 'content-type': 'application/json' },
        payload: `{"${canary}`,
      },
    ];
    for (const request of requests) {
      const response = await app.inject(request);
      const where = `${request.method ?? 'GET'} ${request.url.replace(canary, '<canary>')} (${response.statusCode})`;
      assertNoCanary(response.body, [canary], `${where} body`);
      assertNoCanary(JSON.stringify(response.headers), [canary], `${where} headers`);
    }
  });

  test('is not served in a protected environment unless authorize is given', async () => {
    const production = await project.server('production', {
      store: false,
      resolve: { variables: { PAYMENTS_API_KEY: canary } },
    });
    assert.equal((await production.app.inject({ url: '/environment' })).statusCode, 404);
    assert.equal((await production.app.inject({ url: '/health/live' })).statusCode, 200);
  });

  test('behind authorize in a protected environment, a refused caller gets a JSON error and an allowed one the summary', async () => {
    const { app } = await project.server('production', {
      store: false,
      resolve: { variables: { PAYMENTS_API_KEY: canary } },
      plugin: {
        authorize: async (request) => {
          if (request.headers.authorization !== 'Bearer operator') {
            throw Object.assign(new Error('an operator token is needed'), {
              statusCode: 401,
              code: 'APP_UNAUTHORIZED',
            });
          }
        },
      },
    });
    const refused = await app.inject({ url: '/environment' });
    assert.equal(refused.statusCode, 401);
    assert.equal(refused.json().error.code, 'APP_UNAUTHORIZED');
    const allowed = await app.inject({ url: '/environment', headers: { authorization: 'Bearer operator' } });
    assert.equal(allowed.statusCode, 200);
    assert.equal((allowed.json() as EnvironmentInfo).config['payments.apiKey'], MASK);
    assertNoCanary(allowed.body, [canary], 'production /environment');
    // Health stays public: a probe carries no token.
    assert.equal((await app.inject({ url: '/health/live' })).statusCode, 200);
  });

  test('publicEndpoints can expose it without authorize, and paths can move or drop it', async () => {
    const { app } = await project.server('production', {
      store: false,
      resolve: { variables: { PAYMENTS_API_KEY: canary } },
      plugin: {
        publicEndpoints: { environment: true },
        paths: { environment: '/_envward/environment', metrics: false },
      },
    });
    assert.equal((await app.inject({ url: '/_envward/environment' })).statusCode, 200);
    assert.equal((await app.inject({ url: '/environment' })).statusCode, 404);
    assert.equal((await app.inject({ url: '/metrics' })).statusCode, 404);
  });
});
