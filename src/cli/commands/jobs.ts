import type { Command } from 'commander';
import { UsageError } from '../../errors.js';
// The entry's lazy functions: croner and Kysely load when a jobs command runs, not with the CLI.
import { type JobRunEntry, jobHistory, listJobs, runJob } from '../../jobs/index.js';
import { type CommonOptions, outputFor, withCommonOptions } from '../common-options.js';
import { printable } from '../output.js';

function target(options: CommonOptions) {
  return {
    ...(options.cwd !== undefined ? { cwd: options.cwd } : {}),
    ...(options.env !== undefined ? { env: options.env } : {}),
  };
}

function limitFrom(text: string | undefined): number {
  if (text === undefined) return 50;
  const limit = /^\d{1,4}$/.test(text) ? Number(text) : Number.NaN;
  if (!(limit >= 1 && limit <= 1000)) {
    throw new UsageError(
      '--limit expects a number of runs from 1 to 1000.',
      'Example: jobs history --env production --limit 20',
    );
  }
  return limit;
}

function runLine(run: JobRunEntry): string {
  const took = run.durationMs === null ? '' : ` ${run.durationMs} ms`;
  const takeover = run.attempts > 1 ? ` attempt ${run.attempts} (from ${printable(run.previousInstance ?? '?')})` : '';
  const lines = [
    `${run.slot}  ${run.job}  ${run.outcome}${took}  ${run.trigger} on ${printable(run.instance)} by ${printable(run.actor)}${takeover}`,
  ];
  if (run.reason) lines.push(`  reason: ${printable(run.reason)}`);
  if (run.error) lines.push(`  ${run.outcome === 'failed' ? 'error' : 'why'}: ${printable(run.error)}`);
  return lines.join('\n');
}

export function registerJobsCommands(program: Command): void {
  const jobs = program.command('jobs').description('scheduled jobs gated by environment: list, history, run one now');

  withCommonOptions(
    jobs.command('list').description("the environment's declared jobs: schedule, allowed, enabled, next run"),
  ).action(async (options: CommonOptions) => {
    const output = outputFor(options);
    const list = await listJobs(target(options));
    output.result(list, () => {
      if (list.jobs.length === 0) return `${list.environment}: no jobs declared (defineJobs in envward.config.ts)`;
      const width = Math.max(...list.jobs.map((job) => job.job.length));
      const rows = list.jobs.map((job) => {
        const state = !job.allowed ? 'not allowed here' : !job.enabled ? 'disabled' : `next ${job.nextRun ?? 'never'}`;
        const where = [...job.environments, ...job.tiers.map((tier) => `tier ${tier}`)].join(', ');
        return `  ${job.job.padEnd(width)}  ${job.schedule} (${job.timezone})  ${state}  [runs in: ${where}]`;
      });
      const revision =
        list.revision === null ? 'runtime revisions not applied (no private key here)' : `revision ${list.revision}`;
      return [`${list.environment} (${list.tier}), ${revision}:`, ...rows].join('\n');
    });
  });

  withCommonOptions(
    jobs
      .command('history')
      .description("the environment's recorded job runs, newest first")
      .option('--job <name>', "only this job's runs")
      .option('--limit <n>', 'at most this many runs (default 50)'),
  ).action(async (options: CommonOptions & { job?: string; limit?: string }) => {
    const output = outputFor(options);
    const history = await jobHistory({
      ...target(options),
      ...(options.job !== undefined ? { job: options.job } : {}),
      limit: limitFrom(options.limit),
    });
    output.result(history, () =>
      history.runs.length === 0
        ? `${history.environment}: no job runs recorded${options.job ? ` for ${printable(options.job)}` : ''}`
        : history.runs.map(runLine).join('\n'),
    );
  });

  withCommonOptions(
    jobs
      .command('run')
      .description('run one job now (audited); refused where it is not allowed unless --force --reason')
      .argument('<name>', 'the job, as declared in defineJobs'),
  ).action(async (name: string, options: CommonOptions) => {
    const output = outputFor(options);
    const result = await runJob({
      ...target(options),
      job: name,
      ...(options.reason !== undefined ? { reason: options.reason } : {}),
      ...(options.force ? { force: true } : {}),
      // Printed before the job runs, however long it takes or however it ends.
      onOverride: (override) => output.overrideWarning(override.guard, override.reason, override.message),
    });
    output.result(
      result,
      () =>
        `${result.environment}: ${result.job} succeeded in ${result.durationMs} ms (${result.slot}, recorded and audited)`,
    );
  });
}
