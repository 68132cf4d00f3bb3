/**
 * The plugin on openLiveConfig over a real SQLite store, revisions written
 * by setConfig and rollbackConfig as `envward config set` writes them: the
 * running server picks each one up without a restart (its rate limit, its
 * log level, `/environment`, readiness and the revision gauge), waited for
 * by polling `/health/ready` (never rate-limited, so the polls do not count
 * against the limit under test), never by sleeping. The plugin's behaviour in
 * detail is in live-config.test.ts; three ledger processes on PostgreSQL in
 * test/examples/ledger/live-limit.test.ts.
 */
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { after, before, describe, test } from 'node:test';
import type { FastifyInstance } from 'fastify';
import pino from 'pino';
import { openLiveConfig, rollbackConfig, setConfig } from '../../src/runtime/index.ts';
import { HTTP_CONFIG, type HttpProject, makeHttpProject, waitFor } from '../support/http-project.ts';

const CONFIG_WITH_LOG = HTTP_CONFIG.replace(
  '{ database, defineConfig, http,',
  '{ database, defineConfig, http, log,',
).replace('use: [http, database]', 'use: [http, log, database]');

/** Generous: the SQLite poller looks every 20 ms here; a loaded machine may take far longer. */
const APPLY_TIMEOUT_MS = 20_000;

describe('the plugin following revisions written to its SQLite store', () => {
  let project: HttpProject;
  let app: FastifyInstance;
  const lines: string[] = [];

  const revisionShown = async () => (await app.inject({ url: '/health/ready' })).json().revision.applied as number;
  const waitForRevision = (revision: number) =>
    waitFor(
      `revision ${revision} in /health/ready`,
      async () => (await revisionShown()) === revision,
      APPLY_TIMEOUT_MS,
    );
  const target = () => ({ cwd: project.dir, env: 'development', variables: {}, hostname: 'http-test-host' });

  before(async () => {
    project = makeHttpProject({
      files: { 'envward.config.ts': CONFIG_WITH_LOG },
      settings: { development: 'http:\n  rateLimit:\n    max: 1000\nlog:\n  level: warn\n' },
    });
    const stream = new Writable({
      write(chunk, _encoding, done) {
        lines.push(...String(chunk).split('\n').filter(Boolean));
        done();
      },
    });
    ({ app } = await project.server('development', {
      logger: pino({ level: 'warn' }, stream),
      live: async (config, store) => {
        assert.ok(store, 'the test server has a store');
        return openLiveConfig(config, store, { pollMs: 20 });
      },
      routes: (server) =>
        server.get('/note', async (request) => {
          request.log.info('note taken');
          return { ok: true };
        }),
    }));
    await app.ready();
  });
  after(() => project?.cleanup());

  test('a set reaches the running server: rate limit, log level, /environment, readiness and metrics', async () => {
    assert.equal(await revisionShown(), 0);
    const written = await setConfig({
      ...target(),
      set: { 'http.rateLimit.max': '3', 'log.level': 'info' },
      reason: 'flood test',
    });
    assert.equal(written.revision, 1);
    await waitForRevision(1);

    assert.equal(app.log.level, 'info');
    assert.equal((await app.inject({ url: '/note' })).statusCode, 200);
    assert.equal(lines.filter((line) => line.includes('note taken')).length, 1);
    assert.equal((await app.inject({ url: '/hello' })).statusCode, 200);
    const environment = await app.inject({ url: '/environment' });
    assert.equal(environment.statusCode, 200);
    assert.equal(environment.json().config['http.rateLimit.max'], 3);
    assert.deepEqual(environment.json().revision, {
      applied: 1,
      latest: 1,
      pending: [],
      mode: 'poll',
      connected: true,
      failure: null,
    });
    assert.equal((await app.inject({ url: '/hello' })).statusCode, 429, 'the fourth request of the window');
    await app.envward.readiness.check();
    const ready = await app.inject({ url: '/health/ready' });
    assert.equal(ready.statusCode, 200, ready.body);
    assert.equal(ready.json().revision.applied, 1);
    const metrics = (await app.inject({ url: '/metrics' })).body;
    assert.match(metrics, /^envward_config_revision\{environment="development"\} 1$/m);
    assert.match(metrics, /^envward_config_reloads_total\{outcome="applied",environment="development"\} 1$/m);
  });

  test('a restart-only key is shown pending and not applied; a rollback to 0 restores the files', async () => {
    await setConfig({ ...target(), set: { 'http.bodyLimit': '2048' }, reason: 'smaller bodies' });
    await waitForRevision(2);
    // Read from readiness and app.envward: /environment is rate-limited, and the limit of 3 is spent.
    assert.deepEqual(app.envward.readiness.report.revision?.pending, ['http.bodyLimit']);
    const values = app.envward.config.values as { http: { bodyLimit: number } };
    assert.notEqual(values.http.bodyLimit, 2048, 'a restart-only key keeps its start value');

    await rollbackConfig({ ...target(), to: 0, reason: 'back to the files' });
    await waitForRevision(3);
    assert.equal(app.log.level, 'warn');
    assert.equal((await app.inject({ url: '/hello' })).statusCode, 200, 'the files’ limit of 1000 again');
    const after = (await app.inject({ url: '/environment' })).json();
    assert.equal(after.config['http.rateLimit.max'], 1000);
    assert.deepEqual(after.revision.pending, []);
  });
});
