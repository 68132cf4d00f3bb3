/**
 * The Fastify plugin with a SQLite store: `envward_deployments_total`
 * counts the environment's records per outcome at scrape (no table: no
 * series, and the scrape makes none); `/environment` and `/health/ready`
 * show the running version, the config revision and the migration head.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { EnvironmentInfo, ReadinessReport } from '../../src/http/index.ts';
import { migrateUp } from '../../src/migrate/index.ts';
import { recordDeployment } from '../../src/runtime/index.ts';
import { type HttpProject, makeHttpProject, waitFor } from '../support/http-project.ts';
import { createTable } from '../support/migrate-project.ts';
import { querySqliteFile } from '../support/sqlite-file.ts';

const deploymentLines = (text: string) =>
  text
    .split('\n')
    .filter((line) => line.startsWith('envward_deployments_total'))
    .sort();

describe('deployments over HTTP', () => {
  let project: HttpProject;
  before(() => {
    project = makeHttpProject();
  });
  after(() => project.cleanup());

  test('the metric has no series and the scrape makes no table before any record; then a count per outcome', async () => {
    const { app } = await project.server('development', { plugin: { version: '2.0.0' } });
    await app.ready();
    const empty = await app.inject({ url: '/metrics' });
    assert.equal(empty.statusCode, 200);
    assert.deepEqual(deploymentLines(empty.body), []);
    assert.deepEqual(
      querySqliteFile(
        join(project.dir, 'var/shared.db'),
        "select name from sqlite_master where name = 'envward_deployments'",
      ),
      [],
    );
    const record = (outcome: 'started' | 'succeeded' | 'failed') =>
      recordDeployment({ cwd: project.dir, env: 'development', variables: {}, version: '2.0.0', outcome });
    await record('started');
    await record('succeeded');
    await record('succeeded');
    await record('failed');
    const scraped = await app.inject({ url: '/metrics' });
    assert.deepEqual(deploymentLines(scraped.body), [
      'envward_deployments_total{outcome="failed",environment="development"} 1',
      'envward_deployments_total{outcome="rolled-back",environment="development"} 0',
      'envward_deployments_total{outcome="started",environment="development"} 1',
      'envward_deployments_total{outcome="succeeded",environment="development"} 2',
    ]);
  });

  test('/environment and readiness show the version, the config revision (null without a LiveConfig) and the migration head', async () => {
    const { app, store } = await project.server('development', {
      plugin: { version: '2.0.0', readinessIntervalMs: 40 },
    });
    await app.ready();
    const info = (await app.inject({ url: '/environment' })).json() as EnvironmentInfo;
    assert.deepEqual([info.version, info.configRevision, info.migrationHead], ['2.0.0', null, null]);
    await waitFor('a first round', async () => (await app.inject({ url: '/health/ready' })).statusCode === 200);
    const ready = (await app.inject({ url: '/health/ready' })).json() as ReadinessReport;
    assert.deepEqual([ready.version, ready.configRevision, ready.migrationHead], ['2.0.0', null, null]);

    project.write('migrations/001_accounts.ts', createTable('accounts'));
    project.write('migrations/002_ledger.ts', createTable('ledger'));
    assert.ok(store);
    await migrateUp(store);
    await waitFor('the head in readiness', async () => {
      const report = (await app.inject({ url: '/health/ready' })).json() as ReadinessReport;
      return report.migrationHead === '002_ledger';
    });
    await waitFor(
      'the head in /environment (read again after a few seconds)',
      async () => {
        const now = (await app.inject({ url: '/environment' })).json() as EnvironmentInfo;
        return now.migrationHead === '002_ledger';
      },
      8_000,
    );
  });
});
