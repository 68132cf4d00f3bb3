/**
 * `GET /health/live` and `GET /health/ready` over a real SQLite store:
 * not ready until the first round of checks has finished, ready when the
 * database answers with this environment's stamp and no migration is
 * pending, 503 naming the failing check when the stamp is changed behind the
 * service's back or a migration arrives; the route answers from the last
 * round without running checks itself.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import Database from 'better-sqlite3';
import type { ReadinessReport } from '../../src/http/index.ts';
import { assertNoCanary, makeCanary } from '../support/canary.ts';
import { type HttpProject, makeHttpProject, waitFor } from '../support/http-project.ts';

const FAST = { readinessIntervalMs: 40 };

async function ready(app: { inject(options: { url: string }): Promise<{ statusCode: number; json(): unknown }> }) {
  const response = await app.inject({ url: '/health/ready' });
  return { status: response.statusCode, report: response.json() as ReadinessReport };
}

describe('health endpoints', () => {
  let project: HttpProject;
  before(() => {
    project = makeHttpProject();
  });
  after(() => project.cleanup());

  test('ready is 503 "starting" until the first round of checks has finished, then 200', async () => {
    let release = () => {};
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    const { app } = await project.server('development', { plugin: { checks: { warmup: () => gate } } });
    await app.ready();
    const starting = await ready(app);
    assert.equal(starting.status, 503);
    assert.equal(starting.report.status, 'starting');
    assert.equal(starting.report.reason, 'starting');
    assert.equal((await app.inject({ url: '/health/live' })).statusCode, 200, 'live does not wait for checks');
    release();
    await waitFor('the first round', async () => (await ready(app)).status === 200);
  });

  test('ready is 200 and lists the database, stamp, migrations and config checks when all pass', async () => {
    const { app } = await project.server('development', { plugin: FAST });
    await app.ready();
    await waitFor('ready', async () => (await ready(app)).status === 200);
    const { report } = await ready(app);
    assert.equal(report.status, 'ready');
    assert.deepEqual(
      report.checks.map((check) => [check.name, check.ok]),
      [
        ['database', true],
        ['stamp', true],
        ['migrations', true],
        ['config', true],
      ],
    );
    assert.deepEqual(report.failing, []);
  });

  /** A ready development server whose stamp row is then changed behind its back by `update`; its next report. */
  async function afterStampEdit(update: string) {
    const own = makeHttpProject();
    try {
      const { app } = await own.server('development', { plugin: FAST });
      await app.ready();
      await waitFor('ready', async () => (await ready(app)).status === 200);
      const sqlite = new Database(join(own.dir, 'var/shared.db'));
      sqlite.prepare(update).run();
      sqlite.close();
      await waitFor('the stamp check to fail', async () => (await ready(app)).status === 503);
      const { report } = await ready(app);
      const live = (await app.inject({ url: '/health/live' })).statusCode;
      return { report, stamp: report.checks.find((check) => check.name === 'stamp'), live };
    } finally {
      await own.cleanup();
    }
  }

  test('ready turns 503 naming the stamp when the database is stamped for another environment', async () => {
    const { report, stamp, live } = await afterStampEdit(
      "update envward_stamp set environment = 'qa', tier = 'staging', code = 'QA' where id = 1",
    );
    assert.equal(report.status, 'not-ready');
    assert.deepEqual(report.failing, ['stamp']);
    assert.match(stamp?.detail ?? '', /^EW_ENV_MISMATCH: This process runs as development, .* belongs to qa/);
    assert.equal(live, 200, 'the process itself is fine');
  });

  test("ready turns 503 naming the stamp when the database becomes another project's", async () => {
    const { report, stamp } = await afterStampEdit("update envward_stamp set project = 'billing' where id = 1");
    assert.deepEqual(report.failing, ['stamp']);
    assert.match(stamp?.detail ?? '', /EW_DB_PROJECT_MISMATCH/);
  });

  test('ready turns 503 naming the migrations when a migration is pending', async () => {
    const own = makeHttpProject();
    try {
      const { app } = await own.server('development', { plugin: FAST });
      await app.ready();
      await waitFor('ready', async () => (await ready(app)).status === 200);
      own.write(
        'migrations/001_create_accounts.ts',
        "export async function up(db) {\n  await db.schema.createTable('accounts').addColumn('id', 'text').execute();\n}\n",
      );
      await waitFor('the migrations check to fail', async () => (await ready(app)).status === 503);
      const { report } = await ready(app);
      assert.deepEqual(report.failing, ['migrations']);
      assert.match(report.checks.find((check) => check.name === 'migrations')?.detail ?? '', /001_create_accounts/);
    } finally {
      await own.cleanup();
    }
  });

  test('ready turns 503 naming the database when it stops answering', async () => {
    const { app, store } = await project.server('development', { plugin: FAST });
    await app.ready();
    await waitFor('ready', async () => (await ready(app)).status === 200);
    await store?.close();
    await waitFor('the database check to fail', async () => (await ready(app)).report.failing.includes('database'));
  });

  test('a failing extra check is named, with its message scrubbed of secret values', async () => {
    const canary = makeCanary('payments');
    const { app } = await project.server('development', {
      store: false,
      resolve: { variables: { PAYMENTS_API_KEY: canary } },
      plugin: {
        ...FAST,
        checks: {
          gateway: async () => {
            throw new Error(`gateway refused key ${canary}`);
          },
          queue: () => true,
        },
      },
    });
    await app.ready();
    await waitFor('the first round', async () => (await ready(app)).report.status !== 'starting');
    const response = await app.inject({ url: '/health/ready' });
    assert.equal(response.statusCode, 503);
    const report = response.json() as ReadinessReport;
    assert.deepEqual(report.failing, ['gateway']);
    assert.match(report.checks.find((check) => check.name === 'gateway')?.detail ?? '', /gateway refused key ••••••/);
    assertNoCanary(response.body, [canary], '/health/ready');
  });

  test('the ready route answers from the last round: requests do not run checks', async () => {
    let runs = 0;
    const { app } = await project.server('development', {
      store: false,
      plugin: {
        readinessIntervalMs: 60_000,
        checks: {
          counted: () => {
            runs++;
          },
        },
      },
    });
    await app.ready();
    await waitFor('the first round', async () => (await ready(app)).status === 200);
    for (let i = 0; i < 50; i++) await app.inject({ url: '/health/ready' });
    assert.equal(runs, 1);
    await app.envward.readiness.check();
    assert.equal(runs, 2, 'readiness.check() runs a round on demand');
  });

  test('a check slower than the timeout fails the round', async () => {
    const { app } = await project.server('development', {
      store: false,
      plugin: { readinessTimeoutMs: 30, checks: { slow: () => new Promise((resolve) => setTimeout(resolve, 1_000)) } },
    });
    const report = await app.envward.readiness.check();
    assert.deepEqual(report.failing, ['slow']);
    assert.match(report.checks[report.checks.length - 1]?.detail ?? '', /no answer within 30 ms/);
  });
});
