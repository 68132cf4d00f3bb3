/**
 * `deploy.promotionOrder: [staging, production]` in preflight, on SQLite
 * files (one per environment): production's preflight passes only with a
 * version staging recorded `succeeded` and not `failed` or `rolled-back`
 * since; without a version it is a finding; a previous store that cannot be
 * read is a finding saying why; reading staging's store writes nothing there.
 */
import assert from 'node:assert/strict';
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { isEnvwardError } from '../../src/errors.ts';
import { type PreflightReport, runPreflight } from '../../src/preflight/index.ts';
import { recordDeployment } from '../../src/runtime/index.ts';
import { makeDeployProject } from '../support/deploy-project.ts';
import type { StoreProject } from '../support/store-project.ts';

const HOST = { hostname: 'deploy-host' };
const STAGING = 'database:\n  url: sqlite:var/staging.db\ndeploy:\n  promotionOrder: [staging, production]\n';

const promotion = (report: PreflightReport) => report.checks.find((check) => check.name === 'promotion');

describe('promotion order in preflight', () => {
  let project: StoreProject;
  const preflight = (version?: string, variables: Record<string, string> = {}) =>
    runPreflight('production', { cwd: project.dir, variables, ...HOST, ...(version ? { version } : {}) });
  const record = (version: string, outcome: 'started' | 'succeeded' | 'failed' | 'rolled-back') =>
    recordDeployment({ cwd: project.dir, env: 'staging', variables: {}, ...HOST, version, outcome });

  before(async () => {
    project = await makeDeployProject('sqlite', { promotionOrder: ['staging', 'production'] });
    // Protected environments need stamped databases.
    for (const env of ['staging', 'production']) {
      await (await project.open(env, { stampMode: 'stamp', resolve: HOST })).close();
    }
  });
  after(() => project.cleanup());

  test('a version staging never ran fails with EW_DEPLOY_NOT_PROMOTED, and staging store is left as it was', async () => {
    const file = join(project.dir, 'var/staging.db');
    const before = statSync(file).mtimeMs;
    const report = await preflight('3.0.0');
    assert.equal(promotion(report)?.status, 'fail');
    assert.deepEqual(
      promotion(report)?.findings.map((finding) => finding.code),
      ['EW_DEPLOY_NOT_PROMOTED'],
    );
    assert.equal(report.outcome, 'findings');
    assert.equal(statSync(file).mtimeMs, before, "staging's database was not written");
    assert.equal(existsSync(`${file}-wal`) && statSync(`${file}-wal`).size > 0, false);
  });

  test('passes once staging recorded the version succeeded', async () => {
    await record('3.1.0', 'started');
    await record('3.1.0', 'succeeded');
    const report = await preflight('3.1.0');
    assert.equal(promotion(report)?.status, 'pass', JSON.stringify(promotion(report)));
    assert.equal(report.version, '3.1.0');
  });

  test('fails when staging rolled the version back after it succeeded, passes again after a new success', async () => {
    await record('3.2.0', 'succeeded');
    await record('3.2.0', 'rolled-back');
    const failing = await preflight('3.2.0');
    assert.equal(promotion(failing)?.status, 'fail');
    assert.match(promotion(failing)?.findings[0]?.message ?? '', /rolled-back/);
    await record('3.2.0', 'succeeded');
    assert.equal(promotion(await preflight('3.2.0'))?.status, 'pass');
  });

  test('reads the version from ENVWARD_VERSION when --version is not given', async () => {
    await record('3.3.0', 'succeeded');
    const report = await preflight(undefined, { ENVWARD_VERSION: '3.3.0' });
    assert.equal(promotion(report)?.status, 'pass');
  });

  test('without a version the promotion check is a finding (EW_DEPLOY_VERSION_MISSING), not a pass', async () => {
    const report = await preflight();
    assert.deepEqual(
      promotion(report)?.findings.map((finding) => finding.code),
      ['EW_DEPLOY_VERSION_MISSING'],
    );
  });

  test('a malformed version is refused before anything is checked', async () => {
    await assert.rejects(preflight('bad\nversion'), (error: unknown) => {
      assert.ok(isEnvwardError(error));
      assert.equal(error.code, 'EW_DEPLOY_INPUT');
      return true;
    });
  });

  test('staging itself, first in the order, passes the check without looking anywhere', async () => {
    const report = await runPreflight('staging', { cwd: project.dir, variables: {}, ...HOST, version: '9.9.9' });
    assert.equal(promotion(report)?.status, 'pass');
  });

  test('a previous store that cannot be read fails with EW_DEPLOY_PREVIOUS_UNREADABLE naming why, creating nothing', async () => {
    project.write(
      'config/environments/staging/settings.yml',
      'database:\n  url: sqlite:var/missing-staging.db\ndeploy:\n  promotionOrder: [staging, production]\n',
    );
    try {
      const report = await preflight('3.1.0');
      const finding = promotion(report)?.findings[0];
      assert.equal(finding?.code, 'EW_DEPLOY_PREVIOUS_UNREADABLE');
      assert.match(finding?.message ?? '', /EW_DB_MISSING/);
      assert.equal(existsSync(join(project.dir, 'var/missing-staging.db')), false);
    } finally {
      project.write('config/environments/staging/settings.yml', STAGING);
    }
  });

  test('a previous database stamped for another environment is unreadable, not trusted', async () => {
    project.write('config/environments/staging/settings.yml', STAGING.replace('staging.db', 'production.db'));
    try {
      const finding = promotion(await preflight('3.1.0'))?.findings[0];
      assert.equal(finding?.code, 'EW_DEPLOY_PREVIOUS_UNREADABLE');
      assert.match(finding?.message ?? '', /EW_ENV_MISMATCH/);
    } finally {
      project.write('config/environments/staging/settings.yml', STAGING);
    }
  });

  test('the CLI: preflight --version exits 1 for a version staging has not run, 0 for one it has', async () => {
    const refused = await project.cli(['preflight', 'production', '--version', '4.0.0', '--json']);
    assert.equal(refused.code, 1, refused.stderr);
    const report = JSON.parse(refused.stdout) as PreflightReport;
    assert.equal(promotion(report)?.findings[0]?.code, 'EW_DEPLOY_NOT_PROMOTED');
    const recorded = await project.cli([
      'deploy',
      'record',
      '--env',
      'staging',
      '--version',
      '4.0.0',
      '--outcome',
      'succeeded',
      '--json',
    ]);
    assert.equal(recorded.code, 0, recorded.stderr);
    const passed = await project.cli(['preflight', 'production', '--version', '4.0.0', '--json']);
    assert.equal(promotion(JSON.parse(passed.stdout) as PreflightReport)?.status, 'pass', passed.stdout);
  });
});
