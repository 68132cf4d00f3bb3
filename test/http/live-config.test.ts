/**
 * The plugin given a LiveConfig instead of a resolved config: the log level
 * and the rate limits follow revisions without a restart, `/environment` and
 * readiness show the revision applied (a failed one reported, the service
 * still ready), the metrics carry the revision and the reload counters, and
 * a secret re-read from disk by a revision is scrubbed. The LiveConfig here
 * is driven by the test (test/support/manual-live-config.ts); the plugin on
 * openLiveConfig, with revisions written by setConfig, is in
 * live-revisions.test.ts. Without a LiveConfig nothing of this appears.
 */
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { after, before, describe, test } from 'node:test';
import pino from 'pino';
import { envwardFastify, envwardServerOptions, HttpOptionsError } from '../../src/http/index.ts';
import { assertNoCanary, makeCanary } from '../support/canary.ts';
import { HTTP_CONFIG, type HttpProject, makeHttpProject } from '../support/http-project.ts';
import { type ManualLiveConfig, manualLiveConfig } from '../support/manual-live-config.ts';

/** The HTTP test project with envward's `log` settings too, so `log.level` is a key. */
const CONFIG_WITH_LOG = HTTP_CONFIG.replace(
  '{ database, defineConfig, http,',
  '{ database, defineConfig, http, log,',
).replace('use: [http, database]', 'use: [http, log, database]');

const manual = async (config: Parameters<typeof manualLiveConfig>[0]) => manualLiveConfig(config);

function captureLines() {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk, _encoding, done) {
      lines.push(...String(chunk).split('\n').filter(Boolean));
      done();
    },
  });
  return { lines, stream };
}

describe('the plugin on a LiveConfig', () => {
  let project: HttpProject;
  before(() => {
    assert.notEqual(CONFIG_WITH_LOG, HTTP_CONFIG, 'the test project config did not get the log settings');
    project = makeHttpProject({
      files: { 'envward.config.ts': CONFIG_WITH_LOG },
      settings: { test: 'http:\n  rateLimit:\n    max: 100\n' },
    });
  });
  after(() => project.cleanup());

  test("a revision's log.level applies to the server's logger at once: the next request logs at the new level", async () => {
    const { lines, stream } = captureLines();
    // The test tier logs at warn; the logger is made at info, as one made elsewhere might be.
    const logger = pino({ level: 'info' }, stream);
    const { app, live } = await project.server('test', {
      store: false,
      logger,
      live: manual,
      routes: (server) =>
        server.get('/note', async (request) => {
          request.log.info('note taken');
          return { ok: true };
        }),
    });
    await app.ready();
    assert.equal(app.log.level, 'warn', "the logger follows the applied snapshot's level from registration");
    await app.inject({ url: '/note' });
    assert.equal(lines.filter((line) => line.includes('note taken')).length, 0);

    await (live as ManualLiveConfig).apply(1, { 'log.level': 'info' });
    assert.equal(app.log.level, 'info');
    await app.inject({ url: '/note' });
    assert.equal(lines.filter((line) => line.includes('note taken')).length, 1);
    assert.ok(
      lines.some((line) => line.includes('envward: log level info (config revision 1)')),
      lines.join('\n'),
    );

    await (live as ManualLiveConfig).apply(2, {});
    assert.equal(app.log.level, 'warn');
    await app.inject({ url: '/note' });
    assert.equal(lines.filter((line) => line.includes('note taken')).length, 1);
  });

  test('http.rateLimit.max and timeWindowMs apply from the next request, and a rollback lifts them', async () => {
    const { app, live } = await project.server('test', { store: false, live: manual });
    const control = live as ManualLiveConfig;
    for (let i = 0; i < 3; i++) assert.equal((await app.inject({ url: '/hello' })).statusCode, 200);

    await control.apply(1, { 'http.rateLimit.max': '4' });
    assert.equal((await app.inject({ url: '/hello' })).statusCode, 200);
    const refused = await app.inject({ url: '/hello' });
    assert.equal(refused.statusCode, 429);
    assert.equal(refused.headers['x-ratelimit-limit'], '4');
    assert.ok(Number(refused.headers['retry-after']) <= 60, 'the default window is a minute');

    await control.apply(2, { 'http.rateLimit.max': '4', 'http.rateLimit.timeWindowMs': '3600000' });
    const longer = await app.inject({ url: '/hello' });
    assert.equal(longer.statusCode, 429);
    assert.ok(Number(longer.headers['retry-after']) > 60, `retry-after ${longer.headers['retry-after']}`);

    await control.apply(3, {});
    assert.equal((await app.inject({ url: '/hello' })).statusCode, 200);
  });

  test('/environment shows the snapshot applied, its revision and the pending restart-only keys', async () => {
    const { app, live } = await project.server('test', { store: false, live: manual });
    const control = live as ManualLiveConfig;
    const before = (await app.inject({ url: '/environment' })).json();
    assert.deepEqual(before.revision, {
      applied: 0,
      latest: 0,
      pending: [],
      mode: 'poll',
      connected: true,
      failure: null,
    });
    assert.equal(before.config['http.rateLimit.max'], 100);

    await control.apply(1, { 'http.rateLimit.max': '7', 'http.bodyLimit': '2048' });
    control.setPending(['http.bodyLimit']);
    const after = (await app.inject({ url: '/environment' })).json();
    assert.equal(after.config['http.rateLimit.max'], 7);
    assert.equal(after.revision.applied, 1);
    assert.deepEqual(after.revision.pending, ['http.bodyLimit']);
    assert.equal(app.envward.config, live?.current, 'app.envward.config is the snapshot applied now');
    assert.equal(app.envward.live, live);
  });

  test('readiness reports the revision; a revision that failed here is reported, scrubbed, and leaves it ready', async () => {
    const apiKey = makeCanary('liveready');
    const { app, live } = await project.server('test', {
      store: false,
      live: manual,
      resolve: { variables: { PAYMENTS_API_KEY: apiKey } },
    });
    const control = live as ManualLiveConfig;
    await app.ready();
    await app.envward.readiness.check();
    await control.apply(1, { 'http.rateLimit.max': '9' });
    const applied = await app.inject({ url: '/health/ready' });
    assert.equal(applied.statusCode, 200);
    assert.equal(applied.json().revision.applied, 1);

    control.fail(2, 'EW_CONFIG_INVALID', `revision 2 sets a value this schema refuses near ${apiKey}`);
    control.setConnected(false);
    const failed = await app.inject({ url: '/health/ready' });
    assert.equal(failed.statusCode, 200, failed.body);
    const report = failed.json();
    assert.equal(report.status, 'ready');
    assert.equal(report.revision.applied, 1);
    assert.equal(report.revision.latest, 2);
    assert.equal(report.revision.connected, false);
    assert.equal(report.revision.failure.revision, 2);
    assert.equal(report.revision.failure.code, 'EW_CONFIG_INVALID');
    assertNoCanary(failed.body, [apiKey], 'the readiness report');
    assert.equal(app.envward.readiness.report.revision?.failure?.revision, 2);
  });

  test('metrics carry envward_config_revision and the reload and resync counters, read at scrape', async () => {
    const { app, live } = await project.server('test', { store: false, live: manual });
    const control = live as ManualLiveConfig;
    await control.apply(1, { 'http.rateLimit.max': '11' });
    await control.apply(2, { 'http.rateLimit.max': '12' });
    control.fail(3, 'EW_CONFIG_INVALID', 'refused here');
    control.resynced();
    const text = (await app.inject({ url: '/metrics' })).body;
    assert.match(text, /^envward_config_revision\{environment="test"\} 2$/m);
    assert.match(text, /^envward_config_reloads_total\{outcome="applied",environment="test"\} 2$/m);
    assert.match(text, /^envward_config_reloads_total\{outcome="failed",environment="test"\} 1$/m);
    assert.match(text, /^envward_config_resyncs_total\{environment="test"\} 1$/m);
  });

  test('a secret re-read from disk by a revision is scrubbed from replies, and so is the old one', async () => {
    const first = makeCanary('oldsecret');
    const second = makeCanary('newsecret');
    project.write('config/environments/test/.env', `PAYMENTS_API_KEY=${first}\n`);
    try {
      const { app, live } = await project.server('test', {
        store: false,
        live: manual,
        routes: (server) =>
          server.get('/leak', async () => {
            const values = server.envward.config.values as { payments: { apiKey: string } };
            // A 4xx: its message reaches the client, scrubbed.
            throw Object.assign(new Error(`refused keys ${first} and ${values.payments.apiKey}`), { statusCode: 422 });
          }),
      });
      project.write('config/environments/test/.env', `PAYMENTS_API_KEY=${second}\n`);
      await (live as ManualLiveConfig).apply(1, { 'http.rateLimit.max': '13' });
      assert.equal(
        ((live as ManualLiveConfig).current.values as { payments: { apiKey: string } }).payments.apiKey,
        second,
      );
      const reply = await app.inject({ url: '/leak' });
      assert.equal(reply.statusCode, 422);
      assert.match(reply.json().error.message, /^refused keys \S+ and \S+$/);
      assertNoCanary(reply.body, [first, second], 'the error reply');
    } finally {
      project.write('config/environments/test/.env', '');
    }
  });
});

test('envwardServerOptions takes a LiveConfig and reads its snapshot now', async () => {
  const project = makeHttpProject({ settings: { test: 'http:\n  bodyLimit: 4096\n' } });
  try {
    const config = await project.resolve('test');
    const live = manualLiveConfig(config);
    assert.equal(envwardServerOptions(live).bodyLimit, 4096);
    await live.apply(1, { 'http.bodyLimit': '2048' });
    assert.equal(envwardServerOptions(live).bodyLimit, 2048);
  } finally {
    await project.cleanup();
  }
});

describe('the plugin without a LiveConfig', () => {
  let project: HttpProject;
  before(() => {
    project = makeHttpProject();
  });
  after(() => project.cleanup());

  test('shows no revision anywhere: /environment, readiness, metrics and app.envward as before', async () => {
    const { app } = await project.server('development', { store: false });
    await app.ready();
    await app.envward.readiness.check();
    assert.equal((await app.inject({ url: '/environment' })).json().revision, undefined);
    assert.equal((await app.inject({ url: '/health/ready' })).json().revision, undefined);
    assert.doesNotMatch((await app.inject({ url: '/metrics' })).body, /envward_config_/);
    assert.equal(app.envward.live, undefined);
  });

  test('a LiveConfig whose snapshot is not a resolved configuration is refused at registration', async () => {
    const Fastify = (await import('fastify')).default;
    const app = Fastify();
    const broken = { current: {}, status: () => ({}), subscribe: () => () => {} };
    await assert.rejects(
      async () => {
        await app.register(envwardFastify, { config: broken as never });
        await app.ready();
      },
      (error: unknown) =>
        error instanceof HttpOptionsError && /live configuration whose snapshot/.test((error as Error).message),
    );
    await app.close();
  });
});
