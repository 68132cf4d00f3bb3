import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Registry } from 'prom-client';
import { type JobContext, jobHistory, startJobs } from '../../src/jobs/index.ts';
import { openLiveConfig, setConfig } from '../../src/runtime/index.ts';
import { JOBS_CANARY, makeJobsProject } from '../support/jobs-project.ts';

type Entry = { level: string; object: Record<string, unknown>; message: string };

/** A pino-like logger that keeps what it is told and can wait for an entry. */
function recordingLogger() {
  const entries: Entry[] = [];
  const waiting: { match: (entry: Entry) => boolean; resolve: () => void }[] = [];
  const log = (level: string) => (object: Record<string, unknown>, message: string) => {
    const entry = { level, object, message };
    entries.push(entry);
    for (const wait of [...waiting]) {
      if (!wait.match(entry)) continue;
      waiting.splice(waiting.indexOf(wait), 1);
      wait.resolve();
    }
  };
  return {
    entries,
    logger: { info: log('info'), warn: log('warn'), error: log('error') },
    waitFor(match: (entry: Entry) => boolean, ms = 20_000): Promise<void> {
      if (entries.some(match)) return Promise.resolve();
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`nothing logged as expected within ${ms} ms`)), ms);
        waiting.push({
          match,
          resolve: () => {
            clearTimeout(timer);
            resolve();
          },
        });
      });
    },
  };
}

const PRODUCTION_ONLY = `import { database, defineConfig, z } from 'envward';
import { defineJobs } from 'envward/jobs';
export default defineConfig({
  use: [database, defineJobs({ sync: { schedule: '* * * * * *', tiers: ['production'] } })],
  schema: z.object({}),
});
`;

test('in development a production job is not scheduled: the handle and the log say why, and nothing is written', async () => {
  const project = await makeJobsProject('sqlite', { files: { 'envward.config.ts': PRODUCTION_ONLY } });
  try {
    const store = await project.open('development');
    const { logger, entries } = recordingLogger();
    let ran = false;
    const handle = await startJobs(
      await project.resolve('development'),
      store,
      {
        sync: () => {
          ran = true;
        },
      },
      { logger },
    );
    assert.deepEqual(handle.jobs, []);
    assert.equal(handle.skipped.length, 1);
    assert.equal(handle.skipped[0]?.code, 'EW_JOB_GATED');
    assert.match(
      handle.skipped[0]?.reason ?? '',
      /Job sync does not run in development: it runs only in tiers production/,
    );
    assert.ok(entries.some((entry) => /no job scheduled in development/.test(entry.message)));
    await handle.stop();
    const tables = await project.sql<{ name: string }>("select name from sqlite_master where name like '%job_run%'");
    assert.deepEqual(tables, [], 'no run table is made where nothing runs');
    assert.equal(ran, false);
  } finally {
    await project.cleanup();
  }
});

test('a runtime revision setting jobs.<name>.enabled=false stops the next run on a live config, recorded as gated', async () => {
  const project = await makeJobsProject('sqlite');
  try {
    const resolved = await project.resolve('development');
    const store = await project.open('development');
    const live = await openLiveConfig(resolved, store);
    const { logger, waitFor } = recordingLogger();
    const runs: JobContext[] = [];
    const registry = new Registry();
    const handle = await startJobs(
      live,
      store,
      { everySecond: (context) => void runs.push(context) },
      { logger, registry },
    );
    try {
      assert.deepEqual(
        handle.jobs.map((job) => job.job),
        ['everySecond', 'failing'],
      );
      assert.ok(handle.jobs[0]?.nextRun instanceof Date);
      await waitFor((entry) => entry.message === 'job run succeeded');
      await setConfig({
        cwd: project.dir,
        env: 'development',
        variables: {},
        set: { 'jobs.everySecond.enabled': 'false' },
      });
      await live.refresh();
      const ranBefore = runs.length;
      await waitFor((entry) => /job run skipped: .*jobs.everySecond.enabled is false/.test(entry.message));
      // The tick that saw the revision ran nothing; a run already going when it landed may end.
      assert.ok(runs.length <= ranBefore + 1);
      const { runs: history } = await jobHistory({
        cwd: project.dir,
        env: 'development',
        variables: {},
        job: 'everySecond',
      });
      const gated = history.find((run) => run.outcome === 'gated');
      assert.ok(gated, 'the skipped slot is recorded');
      assert.match(gated.error ?? '', /EW_JOB_GATED|enabled is false/);
      const metrics = await registry.getMetricsAsJSON();
      const counted = metrics.find((metric) => metric.name === 'envward_job_runs_total');
      const outcomes = counted?.values.map((value) => value.labels.outcome);
      assert.ok(outcomes?.includes('succeeded') && outcomes.includes('gated'));
      const duration = metrics.find((metric) => metric.name === 'envward_job_duration_seconds');
      assert.ok(duration?.values.some((value) => value.labels.job === 'everySecond'));
      assert.equal(runs[0]?.environment, 'development');
      assert.equal(runs[0]?.trigger, 'schedule');
      assert.equal((runs[0]?.slot.getTime() ?? 1) % 1000, 0, 'a slot is a whole second');
    } finally {
      await handle.stop();
      await live.close();
    }
  } finally {
    await project.cleanup();
  }
});

test('a failing run is recorded failed with its error scrubbed of secret values', async () => {
  const project = await makeJobsProject('sqlite');
  try {
    const resolved = await project.resolve('development', { variables: { PAYMENTS_API_KEY: JOBS_CANARY } });
    const store = await project.open('development');
    const { logger, waitFor, entries } = recordingLogger();
    const handle = await startJobs(
      resolved,
      store,
      {
        everySecond: ({ resolved: current }) => {
          throw new Error(`refused key ${(current.values as { payments: { apiKey: string } }).payments.apiKey}`);
        },
      },
      { logger },
    );
    await waitFor((entry) => entry.message === 'job run failed');
    await handle.stop();
    const { runs } = await jobHistory({ cwd: project.dir, env: 'development', variables: {} });
    const failed = runs.find((run) => run.outcome === 'failed');
    assert.ok(failed);
    assert.match(failed.error ?? '', /refused key ••••••/);
    assert.ok(!JSON.stringify(runs).includes(JOBS_CANARY));
    assert.ok(!JSON.stringify(entries).includes(JOBS_CANARY));
  } finally {
    await project.cleanup();
  }
});

test('a run whose holder died is taken over after its lease; one that failed too often, or a manual one, is abandoned', async () => {
  const project = await makeJobsProject('sqlite');
  try {
    const store = await project.open('development');
    const { logger, waitFor } = recordingLogger();
    const slots: string[] = [];
    // The table exists once jobs started; the dead holders' rows are put in before the first tick.
    const handle = await startJobs(
      await project.resolve('development'),
      store,
      { everySecond: ({ slot }) => void slots.push(slot.toISOString()) },
      { logger, leaseMs: 1000 },
    );
    const past = '2026-01-01T00:00:00.000Z';
    const insert = `insert into envward_job_run (environment, job, slot, instance, trigger, actor, reason, started_at, outcome, lease_until, attempts)
      values ('development', 'everySecond', $1, 'dead-host-1-aaaaaa', $2, 'ops', '', $3, 'running', $4, $5)`;
    await project.sql(insert, ['2026-01-01T00:00:00Z', 'schedule', past, past, 1]);
    await project.sql(insert, ['2026-01-01T00:00:01Z', 'schedule', past, past, 3]);
    await project.sql(insert, ['manual:00000000-0000-4000-8000-000000000000', 'manual', past, past, 1]);
    await waitFor((entry) => /taken over/.test(entry.message));
    await waitFor((entry) => entry.message === 'job run succeeded' && entry.object.slot === '2026-01-01T00:00:00Z');
    await handle.stop();
    const rows = await project.sql<{
      slot: string;
      outcome: string;
      attempts: number;
      previous_instance: string | null;
    }>(
      "select slot, outcome, attempts, previous_instance from envward_job_run where slot like '2026-01-01%' or slot like 'manual:%' order by slot",
    );
    assert.deepEqual(
      rows.map((row) => [row.slot, row.outcome, Number(row.attempts), row.previous_instance]),
      [
        ['2026-01-01T00:00:00Z', 'succeeded', 2, 'dead-host-1-aaaaaa'],
        ['2026-01-01T00:00:01Z', 'abandoned', 3, null],
        ['manual:00000000-0000-4000-8000-000000000000', 'abandoned', 1, null],
      ],
    );
    assert.ok(slots.includes('2026-01-01T00:00:00.000Z'), 'the handler got the slot it took over');
  } finally {
    await project.cleanup();
  }
});

test('stop() aborts a running handler, waits for it, and leaves its slot for another instance', async () => {
  const project = await makeJobsProject('sqlite');
  try {
    const store = await project.open('development');
    let started!: () => void;
    const running = new Promise<void>((resolve) => {
      started = resolve;
    });
    let sawAbort = false;
    const handle = await startJobs(await project.resolve('development'), store, {
      everySecond: ({ signal }) =>
        new Promise<void>((_resolve, reject) => {
          started();
          signal.addEventListener('abort', () => {
            sawAbort = true;
            reject(signal.reason);
          });
        }),
    });
    await running;
    await handle.stop();
    assert.equal(sawAbort, true);
    const rows = await project.sql<{ outcome: string; lease_until: string; started_at: string }>(
      'select outcome, lease_until, started_at from envward_job_run',
    );
    assert.equal(rows.length, 1);
    assert.equal(rows[0]?.outcome, 'running');
    assert.ok((rows[0]?.lease_until ?? '') < new Date().toISOString(), 'the lease is over: the next sweep takes it');
  } finally {
    await project.cleanup();
  }
});

test('startJobs refuses a declared job without a handler, and a handler for a job not declared', async () => {
  const project = await makeJobsProject('sqlite', {
    files: {
      'envward.config.ts': PRODUCTION_ONLY,
    },
  });
  try {
    const store = await project.open('development');
    const resolved = await project.resolve('development');
    await assert.rejects(startJobs(resolved, store), {
      code: 'EW_JOB_DEFINITION',
      message: /Job sync: it has no handler/,
    });
    await assert.rejects(startJobs(resolved, store, { sync: () => {}, synk: () => {} }), {
      code: 'EW_JOB_DEFINITION',
      message: /startJobs got a handler for it, but defineJobs does not declare it/,
    });
  } finally {
    await project.cleanup();
  }
});

test("startJobs refuses another environment's store: production's jobs never run on development's database", async () => {
  const project = await makeJobsProject('sqlite', { files: { 'envward.config.ts': PRODUCTION_ONLY } });
  try {
    const store = await project.open('development');
    let ran = false;
    await assert.rejects(
      startJobs(await project.resolve('production'), store, {
        sync: () => {
          ran = true;
        },
      }),
      { code: 'EW_USAGE', message: /production's configuration and development's store/ },
    );
    const tables = await project.sql<{ name: string }>("select name from sqlite_master where name like '%job_run%'");
    assert.deepEqual(tables, [], 'nothing is written to the other environment’s database');
    assert.equal(ran, false);
  } finally {
    await project.cleanup();
  }
});
