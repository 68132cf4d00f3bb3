/**
 * `envward jobs list|history|run` through the built CLI (`npm run build`
 * first), on the jobs test project's SQLite store in development.
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { JOBS_CANARY, makeJobsProject } from '../support/jobs-project.ts';

const tables = (project: { sql: <Row>(text: string) => Promise<Row[]> }) =>
  project.sql<{ name: string }>("select name from sqlite_master where type = 'table' order by name");

describe('envward jobs', { concurrency: true }, () => {
  test('jobs run refuses a production job in development with EW_JOB_GATED (exit 3) and writes nothing', async () => {
    const project = await makeJobsProject('sqlite');
    try {
      const refused = await project.cli(['jobs', 'run', 'nightly', '--env', 'development']);
      assert.equal(refused.code, 3, refused.stderr);
      assert.match(
        refused.stderr,
        /error\[EW_JOB_GATED\]: Job nightly does not run in development: it runs only in tiers production/,
      );
      assert.match(refused.stderr, /--force --reason/);
      assert.equal(existsSync(join(project.dir, 'var/shared.db')), false, 'not even the database is made');
      const unknown = await project.cli(['jobs', 'run', 'nightlly', '--env', 'development', '--json']);
      assert.equal(unknown.code, 2);
      assert.equal(JSON.parse(unknown.stdout).error.code, 'EW_JOB_UNKNOWN');
      assert.match(unknown.stderr, /declared: everySecond, nightly, failing/);
      const noReason = await project.cli(['jobs', 'run', 'nightly', '--env', 'production'], {
        env: { PAYMENTS_API_KEY: JOBS_CANARY },
      });
      assert.equal(noReason.code, 2);
      assert.match(noReason.stderr, /EW_REASON_REQUIRED/);
    } finally {
      await project.cleanup();
    }
  });

  test('jobs run --force --reason runs a gated job loudly, records it as manual and audits it', async () => {
    const project = await makeJobsProject('sqlite');
    try {
      const forced = await project.cli([
        'jobs',
        'run',
        'nightly',
        '--env',
        'development',
        '--force',
        '--reason',
        'OPS-7 rehearsal',
        '--json',
      ]);
      assert.equal(forced.code, 0, forced.stderr);
      const result = JSON.parse(forced.stdout);
      assert.equal(result.job, 'nightly');
      assert.match(result.slot, /^manual:[0-9a-f-]{36}$/);
      assert.equal(result.override.guard, 'EW_JOB_GATED');
      assert.match(forced.stderr, /OVERRIDE of EW_JOB_GATED/);
      assert.ok(existsSync(join(project.dir, 'var/every-second.log')), 'the handler ran');

      const history = await project.cli(['jobs', 'history', '--env', 'development', '--json', '--job', 'nightly']);
      assert.equal(history.code, 0, history.stderr);
      const [run] = JSON.parse(history.stdout).runs;
      assert.equal(run.trigger, 'manual');
      assert.equal(run.outcome, 'succeeded');
      assert.equal(run.reason, 'OPS-7 rehearsal');

      const audit = await project.sql<{ action: string; target: string; reason: string; outcome: string }>(
        "select action, target, reason, outcome from envward_audit where action in ('guard.override', 'job.run') order by seq",
      );
      assert.deepEqual(
        audit.map((event) => [event.action, event.reason, event.outcome]),
        [
          ['guard.override', 'OPS-7 rehearsal', 'allowed'],
          ['job.run', 'OPS-7 rehearsal', 'done'],
        ],
      );
      assert.match(audit[1]?.target ?? '', /^nightly manual:.* \(forced\)$/);
      const withoutReason = await project.cli(['jobs', 'run', 'nightly', '--env', 'development', '--force']);
      assert.equal(withoutReason.code, 2);
    } finally {
      await project.cleanup();
    }
  });

  test('a job that throws is EW_JOB_FAILED (exit 1), recorded failed, the secret in its error masked everywhere', async () => {
    const project = await makeJobsProject('sqlite');
    try {
      const env = { PAYMENTS_API_KEY: JOBS_CANARY };
      const failed = await project.cli(['jobs', 'run', 'failing', '--env', 'development', '--json'], { env });
      assert.equal(failed.code, 1);
      assert.equal(JSON.parse(failed.stdout).error.code, 'EW_JOB_FAILED');
      assert.match(failed.stderr, /gateway refused key ••••••/);
      const history = await project.cli(['jobs', 'history', '--env', 'development', '--json'], { env });
      assert.equal(JSON.parse(history.stdout).runs[0].outcome, 'failed');
      const text = await project.cli(['jobs', 'history', '--env', 'development'], { env });
      for (const output of [failed.stdout, failed.stderr, history.stdout, text.stdout, text.stderr]) {
        assert.ok(!output.includes(JOBS_CANARY), 'the secret never leaves');
      }
      const audit = await project.sql<{ target: string; outcome: string }>(
        "select target, outcome from envward_audit where action = 'job.run'",
      );
      assert.deepEqual(
        audit.map((event) => event.outcome),
        ['failed'],
      );
    } finally {
      await project.cleanup();
    }
  });

  test('jobs list and history read only: no database, no table is made', async () => {
    const project = await makeJobsProject('sqlite');
    try {
      const list = await project.cli(['jobs', 'list', '--env', 'development', '--json']);
      assert.equal(list.code, 0, list.stderr);
      const listed = JSON.parse(list.stdout);
      assert.deepEqual(
        listed.jobs.map((job: { job: string; allowed: boolean; enabled: boolean }) => [
          job.job,
          job.allowed,
          job.enabled,
        ]),
        [
          ['everySecond', true, true],
          ['nightly', false, true],
          ['failing', true, true],
        ],
      );
      assert.equal(listed.jobs[1].nextRun, null);
      assert.match(listed.jobs[0].nextRun, /^\d{4}-\d\d-\d\dT/);
      const history = await project.cli(['jobs', 'history', '--env', 'development', '--json']);
      assert.equal(history.code, 0, history.stderr);
      assert.deepEqual(JSON.parse(history.stdout).runs, []);
      assert.equal(existsSync(join(project.dir, 'var/shared.db')), false);

      // A stamped database without the run table keeps it that way.
      await (await project.open('development')).close();
      const before = await tables(project);
      const human = await project.cli(['jobs', 'list', '--env', 'development']);
      assert.match(human.stdout, /nightly .* not allowed here/);
      assert.equal((await project.cli(['jobs', 'history', '--env', 'development'])).code, 0);
      assert.deepEqual(await tables(project), before);
    } finally {
      await project.cleanup();
    }
  });

  test('jobs history takes only a limit from 1 to 1000, and odd job names are shown, never run', async () => {
    const project = await makeJobsProject('sqlite');
    try {
      for (const limit of ['1001', 'abc']) {
        const result = await project.cli(['jobs', 'history', '--env', 'development', '--limit', limit]);
        assert.equal(result.code, 2, `--limit ${limit}`);
      }
      const odd = await project.cli(['jobs', 'run', `x\u001b[31m${'y'.repeat(5000)}`, '--env', 'development']);
      assert.equal(odd.code, 2);
      assert.ok(!odd.stderr.includes('\u001b[31m'), 'no control characters reach the terminal');
      assert.ok(odd.stderr.length < 2000);
    } finally {
      await project.cleanup();
    }
  });
});
