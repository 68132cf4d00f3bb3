import assert from 'node:assert/strict';
import { test } from 'node:test';
import { resolveConfig } from '../../src/index.ts';
import { defineJobs, listJobs } from '../../src/jobs/index.ts';
import { makeJobsProject } from '../support/jobs-project.ts';

function refusal(declare: () => unknown): { code: string; message: string } {
  try {
    declare();
  } catch (error) {
    return error as { code: string; message: string };
  }
  assert.fail('defineJobs accepted it');
}

test('defineJobs returns the jobs fragment carrying its declarations', () => {
  const jobs = defineJobs({ interestAccrual: { schedule: '0 2 * * *', environments: ['staging', 'production'] } });
  assert.equal(jobs.key, 'jobs');
  assert.equal(jobs.capability, 'envward/jobs');
  assert.deepEqual(jobs.declarations.interestAccrual.environments, ['staging', 'production']);
  assert.equal(jobs.declarations.interestAccrual.timezone, 'UTC');
  const parsed = jobs.schema.parse({ interestAccrual: {} });
  assert.deepEqual(parsed, { interestAccrual: { schedule: '0 2 * * *', enabled: true } });
});

test('a job without environments or tiers, or with a bad schedule, name or field, is EW_JOB_DEFINITION naming it', () => {
  const cases: [() => unknown, RegExp][] = [
    [() => defineJobs({ sync: { schedule: '0 2 * * *' } }), /Job sync: it declares neither `environments` nor `tiers`/],
    [
      () => defineJobs({ sync: { schedule: 'every night', tiers: ['production'] } }),
      /Job sync: "every night" is not a cron/,
    ],
    [
      () => defineJobs({ sync: { schedule: '61 * * * *', tiers: ['production'] } }),
      /Job sync: .*not a cron expression/,
    ],
    [
      () => defineJobs({ sync: { schedule: '0 0 31 2 *', tiers: ['production'] } }),
      /Job sync: "0 0 31 2 \*" never fires/,
    ],
    [() => defineJobs({ sync: { schedule: '2026-01-01T00:00:00', tiers: ['production'] } }), /Job sync: .*not a cron/],
    [() => defineJobs({ sync: { schedule: 'x'.repeat(10_000), tiers: ['production'] } }), /at most 200 characters/],
    [() => defineJobs({ sync: { schedule: '0 2 * * *\u0000', tiers: ['production'] } }), /not a cron/],
    [() => defineJobs({ sync: { schedule: '0 2 * * *', tiers: ['prod'] as never } }), /`tiers` lists "prod"/],
    [() => defineJobs({ sync: { schedule: '0 2 * * *', environments: ['../x'] } }), /`environments` lists "..\/x"/],
    [
      () => defineJobs({ sync: { schedule: '0 2 * * *', tiers: ['production'], enviroments: [] } as never }),
      /`enviroments` is not a declaration field/,
    ],
    [
      () => defineJobs({ sync: { schedule: '0 2 * * *', tiers: ['production'], timezone: 'Mars/Base' } }),
      /timezone "Mars\/Base"/,
    ],
    [
      () => defineJobs({ sync: { schedule: '0 2 * * *', tiers: ['production'], run: 'x' as never } }),
      /`run` must be a function/,
    ],
    [() => defineJobs({ 'sync-job': { schedule: '0 2 * * *', tiers: ['production'] } }), /a job name is letters/],
    [() => defineJobs({ sync: null as never }), /must be an object/],
  ];
  for (const [declare, message] of cases) {
    const error = refusal(declare);
    assert.equal(error.code, 'EW_JOB_DEFINITION');
    assert.match(error.message, message);
  }
});

test('a bad jobs.<name>.schedule in a settings file is a config issue at the key, not a crash', async () => {
  const project = await makeJobsProject('sqlite', {
    settings: { development: 'jobs:\n  nightly:\n    schedule: "99 * * * *"\n' },
  });
  try {
    const resolved = await resolveConfig({ cwd: project.dir, env: 'development', variables: {}, collectIssues: true });
    const issue = resolved.issues.find((candidate) => candidate.key === 'jobs.nightly.schedule');
    assert.ok(issue, 'the schedule is reported');
    assert.match(issue.message, /not a cron expression/);
    await assert.rejects(project.resolve('development'), { code: 'EW_CONFIG_INVALID' });
  } finally {
    await project.cleanup();
  }
});

test('jobs.<name>.enabled is live and the schedule applies at the next start', async () => {
  const project = await makeJobsProject('sqlite');
  try {
    const resolved = await project.resolve('development');
    assert.equal(resolved.project.schema.leaves.get('jobs.everySecond.enabled')?.reload, 'live');
    assert.equal(resolved.project.schema.leaves.get('jobs.everySecond.schedule')?.reload, 'restart');
  } finally {
    await project.cleanup();
  }
});

test('a job naming an environment the project does not declare is EW_JOB_DEFINITION', async () => {
  const project = await makeJobsProject('sqlite', {
    files: {
      'envward.config.ts': `import { database, defineConfig, z } from 'envward';
import { defineJobs } from 'envward/jobs';
export default defineConfig({
  use: [database, defineJobs({ sync: { schedule: '0 2 * * *', environments: ['prodution'] } })],
  schema: z.object({}),
});
`,
    },
  });
  try {
    await assert.rejects(listJobs({ cwd: project.dir, env: 'development', variables: {} }), {
      code: 'EW_JOB_DEFINITION',
      message: /names prodution, which the project does not declare/,
    });
  } finally {
    await project.cleanup();
  }
});
