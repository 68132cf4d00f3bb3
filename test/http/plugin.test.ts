/**
 * The plugin's wiring: the environment and request-id headers on every
 * response (routes, 404, 413, 400, 415, 429, 500, a malformed URL, a CORS
 * preflight), the `app.envward` decoration, and options checked at
 * registration with EW_HTTP_OPTIONS before the server starts.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import Fastify from 'fastify';
import { envwardFastify, envwardServerOptions, HttpOptionsError } from '../../src/http/index.ts';
import { type HttpProject, type HttpServer, makeHttpProject } from '../support/http-project.ts';

const JSON_HEADERS = { 'content-type': 'application/json' };

describe('every response carries the environment', () => {
  let project: HttpProject;
  let server: HttpServer;
  before(async () => {
    project = makeHttpProject({
      settings: { development: 'http:\n  bodyLimit: 64\n  rateLimit:\n    max: 10\n' },
    });
    server = await project.server('development', { store: false });
  });
  after(() => project.cleanup());

  test('X-Environment names the environment and its tier on routes, errors and refusals alike', async () => {
    const { app } = server;
    const requests = [
      { name: 'a route', request: { url: '/hello' }, status: 200 },
      { name: 'an unknown route', request: { url: '/nowhere' }, status: 404 },
      {
        name: 'an oversized body',
        request: {
          method: 'POST' as const,
          url: '/echo',
          headers: JSON_HEADERS,
          payload: JSON.stringify({ text: 'x'.repeat(100) }),
        },
        status: 413,
      },
      {
        name: 'malformed JSON',
        request: { method: 'POST' as const, url: '/echo', headers: JSON_HEADERS, payload: '{"text":' },
        status: 400,
      },
      {
        name: 'an unsupported media type',
        request: {
          method: 'POST' as const,
          url: '/echo',
          headers: { 'content-type': 'text/x-unknown' },
          payload: 'hi',
        },
        status: 415,
      },
      { name: 'a failing route', request: { url: '/boom' }, status: 500 },
      { name: 'a malformed URL', request: { url: '/%E0%A4%A' }, status: 400 },
    ];
    for (const { name, request, status } of requests) {
      const response = await app.inject(request);
      assert.equal(response.statusCode, status, `${name}: ${response.body}`);
      assert.equal(response.headers['x-environment'], 'development; tier=development', name);
      assert.match(String(response.headers['x-request-id']), /^[0-9a-f-]{36}$/, name);
    }
    let flooded = await app.inject({ url: '/hello' });
    for (let i = 0; i < 10 && flooded.statusCode !== 429; i++) flooded = await app.inject({ url: '/hello' });
    assert.equal(flooded.statusCode, 429);
    assert.equal(flooded.headers['x-environment'], 'development; tier=development');
  });

  test('a CORS preflight carries the header too', async () => {
    const response = await server.app.inject({
      method: 'OPTIONS',
      url: '/hello',
      headers: { origin: 'http://localhost:5173', 'access-control-request-method': 'GET' },
    });
    assert.equal(response.statusCode, 204);
    assert.equal(response.headers['x-environment'], 'development; tier=development');
  });

  test('the server is decorated with the configuration, the metrics registry and readiness', () => {
    const { envward } = server.app;
    assert.equal(envward.environment.name, 'development');
    assert.equal(envward.config, server.config);
    assert.equal(typeof envward.metrics.metrics, 'function');
    assert.equal(typeof envward.readiness.check, 'function');
    assert.equal(envward.scrub('nothing secret'), 'nothing secret');
  });
});

describe('options are checked at registration', () => {
  let project: HttpProject;
  before(() => {
    project = makeHttpProject();
  });
  after(() => project.cleanup());

  const register = async (options: Record<string, unknown>) => {
    const config = await project.resolve('development');
    const app = Fastify(envwardServerOptions(config));
    try {
      await app.register(envwardFastify, { config, ...options } as never);
      await app.ready();
    } finally {
      await app.close();
    }
  };
  const refusal = async (options: Record<string, unknown>, pattern: RegExp) => {
    await assert.rejects(register(options), (error: unknown) => {
      assert.ok(error instanceof HttpOptionsError, String(error));
      assert.equal(error.code, 'EW_HTTP_OPTIONS');
      assert.match(error.message, pattern);
      return true;
    });
  };

  test('a registration without the resolved configuration is refused', async () => {
    const app = Fastify();
    await assert.rejects(
      async () => {
        await app.register(envwardFastify, {} as never);
      },
      { code: 'EW_HTTP_OPTIONS' },
    );
    await app.close();
  });

  test('an unknown option is refused by name, so a typo does not silently do nothing', async () => {
    await refusal({ readinesIntervalMs: 100 }, /readinesIntervalMs/);
  });

  test('a path that does not start with a slash is refused', async () => {
    await refusal({ paths: { ready: 'ready' } }, /paths\.ready/);
  });

  test('two endpoints on one path are refused', async () => {
    await refusal({ paths: { live: '/health', ready: '/health' } }, /same path/);
  });

  test('an extra check with the name of a built-in check is refused', async () => {
    await refusal({ checks: { database: async () => {} } }, /built-in/);
  });

  test('a store of another environment is refused', async () => {
    const stagingLike = { db: {}, environment: { name: 'qa' } };
    await refusal({ store: stagingLike }, /belongs to environment "qa"/);
  });

  test('a readiness interval below 10 ms is refused', async () => {
    await refusal({ readinessIntervalMs: 1 }, /readinessIntervalMs/);
  });

  test('an http.* value the schema lets through but the plugin cannot use is refused naming the key', async () => {
    const bad = makeHttpProject({ settings: { development: 'http:\n  cors:\n    origins: [""]\n' } });
    try {
      await assert.rejects(
        bad.server('development', { store: false }),
        (error: HttpOptionsError) => error.code === 'EW_HTTP_OPTIONS' && /http\.cors\.origins/.test(error.message),
      );
    } finally {
      await bad.cleanup();
    }
  });
});

test('importing envward loads neither Fastify nor anything of the plugin (built dist/)', () => {
  const root = fileURLToPath(new URL('../../', import.meta.url));
  const script = `
    import { createRequire } from 'node:module';
    await import('./dist/index.js');
    const loaded = Object.keys(createRequire(import.meta.url).cache);
    console.log(JSON.stringify(loaded.map((file) => /node_modules\\/((@[^/]+\\/)?[^/]+)/.exec(file)?.[1]).filter(Boolean)));
  `;
  const output = execFileSync(process.execPath, ['--input-type=module', '-e', script], { cwd: root, encoding: 'utf8' });
  const packages = new Set(JSON.parse(output) as string[]);
  for (const name of [
    'fastify',
    'fastify-plugin',
    '@fastify/rate-limit',
    '@fastify/cors',
    '@fastify/helmet',
    'helmet',
    'prom-client',
    'ioredis',
  ]) {
    assert.ok(!packages.has(name), `${name} was loaded by import 'envward'`);
  }
});
