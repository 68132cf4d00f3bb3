/**
 * envward/jobs: scheduled jobs gated by environment, run once across
 * instances. `defineJobs` declares them in envward.config.ts (the gate is
 * code); `startJobs` schedules the ones allowed here on croner and records
 * each run in the store. Importing it loads nothing heavy: croner and
 * Kysely load on the first call. Every name is listed on purpose and
 * documented in docs/api.md.
 */
import type { EnvironmentTarget } from '../acts/environment-target.js';
import { importPeer } from '../peers.js';
import type { JobHistory, JobHistoryRequest, JobList, RunJobRequest, RunJobResult } from './job-acts.js';
import type { JobHandlers } from './job-handlers.js';
import type { JobsHandle, JobsSource, JobsStore, StartJobsOptions } from './jobs-handle.js';

export {
  type DeclaredJob,
  defineJobs,
  type JobDeclaration,
  type JobModule,
  type JobsFragment,
} from './define-jobs.js';
export type {
  JobHistory,
  JobHistoryRequest,
  JobList,
  JobOverride,
  JobRunEntry,
  ListedJob,
  RunJobRequest,
  RunJobResult,
} from './job-acts.js';
export type { JobContext, JobHandler, JobLogger, JobTrigger } from './job-context.js';
export { type GateReason, JobDefinitionError, JobFailedError, JobGatedError, JobUnknownError } from './job-errors.js';
export type { JobHandlers } from './job-handlers.js';
export type { JobOutcome } from './job-run-table.js';
export type {
  JobsHandle,
  JobsSource,
  JobsStore,
  ScheduledJob,
  SkippedJob,
  StartJobsOptions,
} from './jobs-handle.js';

/**
 * Schedules the declared jobs this environment allows (the others are
 * `skipped`, with why, and logged), each on croner. Before every run the
 * gate is checked again against `source`'s current snapshot (a live
 * config: a revision setting `jobs.<name>.enabled=false` stops the next
 * run). Of several instances on one store, one runs each slot: the first
 * to insert its run record; a run whose holder stops extending its lease
 * is taken over by another instance at a later tick.
 * @example
 * const handle = await startJobs(live, store, { interestAccrual: async ({ slot }) => accrue(slot) }, { logger });
 * // on shutdown
 * await handle.stop();
 */
export async function startJobs(
  source: JobsSource,
  store: JobsStore,
  handlers?: JobHandlers,
  options?: StartJobsOptions,
): Promise<JobsHandle> {
  const { startJobsNow } = await importPeer('envward/jobs', () => import('./start-jobs.js'));
  return startJobsNow(source, store, handlers, options);
}

const acts = () => importPeer('envward/jobs', () => import('./job-acts.js'));

/**
 * The declared jobs of an environment: schedule, whether the declaration
 * allows them there, `enabled` with runtime revisions applied, next run.
 * Reads only.
 * @example
 * const { jobs } = await listJobs({ env: 'production' });
 */
export async function listJobs(target: EnvironmentTarget): Promise<JobList> {
  return (await acts()).listJobsNow(target);
}

/**
 * The environment's recorded runs, newest first; reads only (no run table
 * yet: no runs).
 * @example
 * const { runs } = await jobHistory({ env: 'production', job: 'interestAccrual', limit: 20 });
 */
export async function jobHistory(request: JobHistoryRequest): Promise<JobHistory> {
  return (await acts()).jobHistoryNow(request);
}

/**
 * Runs one job now, by hand: refused with EW_JOB_GATED where the job is
 * not allowed or is disabled unless `force` (with a reason; audited as a
 * guard override); a reason is required in protected environments.
 * Recorded as a `manual` run and audited as `job.run`; EW_JOB_FAILED when
 * the handler throws.
 * @example
 * await runJob({ env: 'staging', job: 'interestAccrual', reason: 'OPS-12 rerun' });
 */
export async function runJob(request: RunJobRequest): Promise<RunJobResult> {
  return (await acts()).runJobNow(request);
}
