/**
 * The plugin's wiring: the environment and request-id headers on every
 * response (routes, 404, 413, 400, 415, 429, 500, a malformed URL, a CORS
 * preflight), the `app.envward` decoration, options checked at
 * registration with EW_HTTP_OPTIONS before the server starts, an
 * application's own not-found handler kept, and "ready" logged only once the
 * server listens.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createServer, type Server } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import pino from 'pino';
import { envwardFastify, envwardServerOptions, HttpOptionsError } from '../../src/http/index.ts';
import { type HttpProject, type HttpServer, makeHttpProject, waitFor } from '../support/http-project.ts';

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

const ENVWARD_HEADERS = {
  'x-environment': 'development; tier=development',
  'content-security-policy': "default-src 'none';frame-ancestors 'none'",
  'x-content-type-options': 'nosniff',
};

function assertEnvwardHeaders(headers: Record<string, unknown>, what: string): void {
  for (const [name, value] of Object.entries(ENVWARD_HEADERS)) assert.equal(headers[name], value, `${what}: ${name}`);
  assert.match(String(headers['x-request-id']), /^[0-9a-f-]{36}$/, `${what}: x-request-id`);
}

describe("the application's own not-found handler", () => {
  let project: HttpProject;
  before(() => {
    project = makeHttpProject();
  });
  after(() => project.cleanup());

  const ownNotFound = (app: FastifyInstance) => {
    app.setNotFoundHandler((request, reply) => reply.code(404).send({ lost: request.url }));
  };

  test("set after the plugin, it is used, and its replies carry envward's headers", async () => {
    const { app } = await project.server('development', { store: false, routes: ownNotFound });
    const response = await app.inject({ url: '/nowhere' });
    assert.equal(response.statusCode, 404);
    assert.deepEqual(response.json(), { lost: '/nowhere' });
    assertEnvwardHeaders(response.headers, 'own 404');
  });

  test('set before the plugin, it is kept', async () => {
    const config = await project.resolve('development');
    const app = Fastify(envwardServerOptions(config));
    try {
      ownNotFound(app);
      await app.register(envwardFastify, { config });
      const response = await app.inject({ url: '/nowhere' });
      assert.equal(response.statusCode, 404);
      assert.deepEqual(response.json(), { lost: '/nowhere' });
      assertEnvwardHeaders(response.headers, 'own 404');
    } finally {
      await app.close();
    }
  });

  test("its handler can still answer with envward's 404 (app.envward.notFound)", async () => {
    const { app } = await project.server('development', {
      store: false,
      routes: (server) =>
        server.setNotFoundHandler((request, reply) =>
          request.url.startsWith('/api/') ? server.envward.notFound(request, reply) : reply.code(404).send('no page'),
        ),
    });
    const api = await app.inject({ url: '/api/nowhere' });
    assert.equal(api.statusCode, 404);
    assert.equal(api.json().error.code, 'EW_HTTP_NOT_FOUND');
    assert.equal(api.json().error.requestId, api.headers['x-request-id']);
    const page = await app.inject({ url: '/nowhere' });
    assert.equal(page.body, 'no page');
    assertEnvwardHeaders(page.headers, 'own 404');
  });

  test("without one, unmatched routes get envward's 404 with its headers", async () => {
    const { app } = await project.server('development', { store: false });
    const response = await app.inject({ url: '/nowhere' });
    assert.equal(response.statusCode, 404);
    assert.equal(response.json().error.code, 'EW_HTTP_NOT_FOUND');
    assertEnvwardHeaders(response.headers, 'envward 404');
  });
});

describe('"ready" is logged once the server listens', () => {
  let project: HttpProject;
  let occupier: Server;
  let busyPort = 0;
  before(async () => {
    project = makeHttpProject();
    occupier = createServer();
    await new Promise<void>((resolve) => occupier.listen(0, '127.0.0.1', resolve));
    const address = occupier.address();
    busyPort = typeof address === 'object' && address ? address.port : 0;
  });
  after(async () => {
    await new Promise((resolve) => occupier.close(resolve));
    await project.cleanup();
  });

  const capturingLogger = () => {
    const lines: string[] = [];
    const logger = pino(
      { level: 'info' },
      {
        write(line: string) {
          lines.push((JSON.parse(line) as { msg: string }).msg);
        },
      },
    ) as FastifyBaseLogger;
    return { logger, lines };
  };

  test('a listen that fails (port in use) logs no "ready", though the checks passed', async () => {
    const { logger, lines } = capturingLogger();
    const { app } = await project.server('development', { store: false, plugin: { logger } });
    await assert.rejects(app.listen({ host: '127.0.0.1', port: busyPort }), { code: 'EADDRINUSE' });
    const report = await app.envward.readiness.check();
    assert.equal(report.status, 'ready');
    assert.deepEqual(
      lines.filter((line) => /envward: ready/.test(line)),
      [],
    );
  });

  test('a listen that binds its port logs "ready" once the checks passed', async () => {
    const { logger, lines } = capturingLogger();
    const { app } = await project.server('development', { store: false, plugin: { logger } });
    await app.listen({ host: '127.0.0.1', port: 0 });
    await waitFor('the ready line', async () => lines.includes('envward: ready'));
    await app.envward.readiness.check();
    assert.equal(lines.filter((line) => /envward: ready/.test(line)).length, 1, lines.join('\n'));
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

  test('an http.* value the plugin cannot use fails validation at its file and line, before the server starts', async () => {
    const bad = makeHttpProject({ settings: { development: 'http:\n  cors:\n    origins: [""]\n' } });
    try {
      await assert.rejects(
        bad.server('development', { store: false }),
        (error: Error & { code?: string; issues?: { key: string; file?: string; line?: number }[] }) => {
          assert.equal(error.code, 'EW_CONFIG_INVALID');
          assert.ok(error.issues?.length);
          for (const issue of error.issues ?? []) {
            assert.match(issue.key, /^http\.cors\.origins/);
            assert.equal(issue.file, 'config/environments/development/settings.yml');
            assert.equal(issue.line, 3);
          }
          return true;
        },
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
