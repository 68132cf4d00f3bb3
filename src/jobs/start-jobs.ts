import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { Cron } from 'croner';
import type { Kysely } from 'kysely';
import { createScrubber } from '../config/scrubber.js';
import { describeThrown, UsageError } from '../errors.js';
import type { DeclaredJob } from './define-jobs.js';
import { runHeld } from './held-run.js';
import { SILENT_LOGGER } from './job-context.js';
import { declaredJobs, gateReason, gateRefusal, jobSettings } from './job-gate.js';
import { assertHandlersDeclared, handlerFor, type JobHandlers } from './job-handlers.js';
import { jobMetrics } from './job-metrics.js';
import { claimSlot, ensureJobRunTable, type JobRunTables, takeOverExpired } from './job-run-table.js';
import {
  currentOf,
  type JobsHandle,
  type JobsSource,
  type JobsStore,
  type ScheduledJob,
  type SkippedJob,
  type StartJobsOptions,
} from './jobs-handle.js';

export const DEFAULT_LEASE_MS = 30_000;

/** host-pid-random: unique per process, readable in run records. */
export function instanceName(): string {
  return `${hostname().slice(0, 64)}-${process.pid}-${randomBytes(3).toString('hex')}`;
}

/** A schedule slot: the tick's time to the second, so instances agree on it. */
export function slotText(at: Date): string {
  return `${new Date(Math.floor(at.getTime() / 1000) * 1000).toISOString().slice(0, 19)}Z`;
}

function leaseOf(options: StartJobsOptions): number {
  const lease = options.leaseMs ?? DEFAULT_LEASE_MS;
  if (!Number.isSafeInteger(lease) || lease < 30 || lease > 86_400_000) {
    throw new RangeError('startJobs: leaseMs is a whole number of milliseconds from 30 to 86400000');
  }
  return lease;
}

/** See startJobs in index.ts. */
export async function startJobsNow(
  source: JobsSource,
  store: JobsStore,
  handlers: JobHandlers = {},
  options: StartJobsOptions = {},
): Promise<JobsHandle> {
  const logger = options.logger ?? SILENT_LOGGER;
  const leaseMs = leaseOf(options);
  const instance = options.instance ?? instanceName();
  const first = currentOf(source);
  const environment = first.environment.name;
  // Run records and the handlers' work belong in the environment's own database, never another's.
  if (store.environment.name !== environment) {
    throw new UsageError(
      `startJobs was given ${environment}'s configuration and ${store.environment.name}'s store.`,
      'Open the store from the same resolved configuration: openStore(resolved).',
    );
  }
  const declared = declaredJobs(first);
  assertHandlersDeclared(declared, handlers);
  const skipped: SkippedJob[] = [];
  const allowed: DeclaredJob[] = [];
  for (const job of declared) {
    if (gateReason(first, job) === 'environment') {
      const refusal = gateRefusal(first, job, 'environment');
      skipped.push(Object.freeze({ job: job.name, code: 'EW_JOB_GATED', reason: refusal.message }));
      logger.info({ job: job.name, environment, code: refusal.code }, `job not scheduled: ${refusal.message}`);
    } else {
      allowed.push(job);
    }
  }
  // Every declared job needs a handler, scheduled here or not, so a mistake shows in development too.
  const loaded = new Map<string, Awaited<ReturnType<typeof handlerFor>>>();
  for (const job of declared) {
    if (allowed.includes(job) || !job.run) loaded.set(job.name, await handlerFor(job, handlers));
  }
  if (allowed.length === 0) {
    if (declared.length > 0)
      logger.info({ environment, skipped: skipped.length }, `no job scheduled in ${environment}`);
    return Object.freeze({ instance, jobs: Object.freeze([]), skipped: Object.freeze(skipped), stop: async () => {} });
  }

  const db = store.db as unknown as Kysely<JobRunTables>;
  await ensureJobRunTable(db);
  const metrics = await jobMetrics(options.registry, environment);
  const scrub = createScrubber(first.secretValues());
  const stopping = new AbortController();
  const active = new Set<Promise<void>>();
  /** Keeps a run in `active` until it ends, so stop() waits for it. */
  const track = (running: Promise<void>): Promise<void> => {
    active.add(running);
    return running.finally(() => active.delete(running));
  };

  const runSlot = async (job: DeclaredJob, slot: string, slotDate: Date, attempts: number) => {
    const snapshot = currentOf(source);
    const handler = loaded.get(job.name);
    if (!handler) return;
    const childLogger =
      (logger as { child?: (bindings: object) => typeof logger }).child?.({ job: job.name, slot }) ?? logger;
    const end = await runHeld({
      db,
      key: { environment, job: job.name, slot },
      instance,
      leaseMs,
      handler,
      scrub,
      stopping: stopping.signal,
      context: {
        job: job.name,
        slot: slotDate,
        environment,
        trigger: 'schedule',
        logger: childLogger,
        resolved: snapshot,
      },
    });
    if (end.outcome === 'succeeded' || end.outcome === 'failed') metrics.run(job.name, end.outcome, end.seconds);
    const fields = { job: job.name, slot, instance, attempts, seconds: end.seconds };
    if (end.outcome === 'succeeded') logger.info(fields, 'job run succeeded');
    else if (end.outcome === 'failed') logger.error({ ...fields, error: end.error }, 'job run failed');
    else if (end.outcome === 'released')
      logger.warn(fields, 'job run stopped with the process; another instance takes it over');
    else logger.warn(fields, 'job run lost its lease: another instance took it over');
  };

  const tick = async (job: DeclaredJob, cron: Cron) => {
    const slotDate = new Date(Math.floor((cron.currentRun() ?? new Date()).getTime() / 1000) * 1000);
    const slot = slotText(slotDate);
    const snapshot = currentOf(source);
    const now = new Date();
    const row = {
      environment,
      job: job.name,
      slot,
      instance,
      trigger: 'schedule',
      actor: store.actor,
      reason: '',
      started_at: now.toISOString(),
      finished_at: null,
      error: null,
      attempts: 1,
      previous_instance: null,
    };
    const reason = gateReason(snapshot, job);
    if (reason) {
      const refusal = gateRefusal(snapshot, job, reason);
      const recorded = await claimSlot(db, {
        ...row,
        outcome: 'gated',
        finished_at: now.toISOString(),
        error: refusal.message,
        lease_until: now.toISOString(),
      });
      if (recorded) metrics.run(job.name, 'gated');
      logger.info({ job: job.name, slot, code: refusal.code }, `job run skipped: ${refusal.message}`);
      return;
    }
    const lease = () => new Date(Date.now() + leaseMs);
    for (const taken of await takeOverExpired(db, { environment, job: job.name, instance }, now, lease())) {
      logger.warn(
        { job: job.name, slot: taken.slot, from: taken.previousInstance, attempts: taken.attempts },
        'job run taken over: its holder stopped extending its lease',
      );
      // Beside this tick's own run, not before it: a tick that waited for the taken-over run could
      // outlast the interval, and the next tick, skipped while this one runs, would be nobody's slot.
      track(
        runSlot(job, taken.slot, new Date(taken.slot), taken.attempts).catch((error: unknown) => {
          logger.error({ job: job.name, slot: taken.slot, err: describeThrown(error) }, 'job run failed to end');
        }),
      );
    }
    if (stopping.signal.aborted) return;
    if (await claimSlot(db, { ...row, outcome: 'running', lease_until: lease().toISOString() })) {
      await runSlot(job, slot, slotDate, 1);
    }
  };

  const scheduled: { job: DeclaredJob; cron: Cron; schedule: string }[] = [];
  for (const job of allowed) {
    const { schedule } = jobSettings(first, job);
    const cron: Cron = new Cron(
      schedule,
      {
        timezone: job.timezone,
        // One run of a job at a time in this process: a tick while the last still runs is skipped here.
        protect: () => logger.warn({ job: job.name }, 'job tick skipped: its previous run is still going'),
      },
      () => {
        return track(
          tick(job, cron).catch((error: unknown) => {
            logger.error({ job: job.name, err: describeThrown(error) }, 'job tick failed');
          }),
        );
      },
    );
    scheduled.push({ job, cron, schedule });
    logger.info(
      { job: job.name, schedule, timezone: job.timezone, next: cron.nextRun()?.toISOString() },
      'job scheduled',
    );
  }

  const jobs: ScheduledJob[] = scheduled.map(({ job, cron, schedule }) =>
    Object.freeze({
      job: job.name,
      schedule,
      timezone: job.timezone,
      get nextRun() {
        return cron.nextRun();
      },
    }),
  );
  let stopped: Promise<void> | undefined;
  return Object.freeze({
    instance,
    jobs: Object.freeze(jobs),
    skipped: Object.freeze(skipped),
    stop() {
      stopped ??= (async () => {
        for (const { cron } of scheduled) cron.stop();
        stopping.abort();
        while (active.size > 0) await Promise.allSettled([...active]);
      })();
      return stopped;
    },
  });
}
