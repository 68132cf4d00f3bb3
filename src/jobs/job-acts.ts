/**
 * The jobs acts the CLI calls (`envward jobs list|history|run`): list and
 * history read only (nothing is created, not even the run table); run
 * checks the gate, records the run and audits it.
 */
import { randomUUID } from 'node:crypto';
import { Cron } from 'croner';
import type { Kysely } from 'kysely';
import { type EnvironmentTarget, openTarget } from '../acts/environment-target.js';
import type { ResolvedConfig } from '../config/resolve.js';
import { createScrubber } from '../config/scrubber.js';
import { ForceWithoutReasonError, isEnvwardError } from '../errors.js';
import { resolveConfig } from '../resolution.js';
import { ReasonRequiredError, withLatestRevision } from '../runtime/index.js';
import { resolveForAct } from '../runtime/revision-context.js';
import { openStore, type Store } from '../store/index.js';
import type { DeclaredJob } from './define-jobs.js';
import { runHeld } from './held-run.js';
import { type JobHandler, type JobLogger, SILENT_LOGGER } from './job-context.js';
import { JobFailedError } from './job-errors.js';
import { allowedIn, declaredJob, declaredJobs, gateReason, gateRefusal, jobSettings } from './job-gate.js';
import { handlerFor } from './job-handlers.js';
import {
  claimSlot,
  ensureJobRunTable,
  type JobOutcome,
  type JobRunRow,
  type JobRunTables,
  jobRunRows,
} from './job-run-table.js';
import { DEFAULT_LEASE_MS, instanceName } from './start-jobs.js';

/** One declared job as `jobs list` shows it for an environment. */
export interface ListedJob {
  readonly job: string;
  /** `jobs.<name>.schedule` in this environment. */
  readonly schedule: string;
  readonly timezone: string;
  readonly environments: readonly string[];
  readonly tiers: readonly string[];
  /** Whether the declaration lets it run in this environment. */
  readonly allowed: boolean;
  /** `jobs.<name>.enabled`, runtime revisions applied. */
  readonly enabled: boolean;
  /** When it fires next (ISO-8601), if allowed and enabled; null otherwise. */
  readonly nextRun: string | null;
  /** Whether the declaration has a `run` module, so `envward jobs run` can run it. */
  readonly runnable: boolean;
}

export interface JobList {
  readonly environment: string;
  readonly tier: string;
  /** The runtime revision applied (0: none); null when this host could not apply it (no private key for the environment's secrets). */
  readonly revision: number | null;
  readonly jobs: readonly ListedJob[];
}

export interface JobHistoryRequest extends EnvironmentTarget {
  /** Only this job's runs. */
  readonly job?: string;
  /** At most this many runs, newest first (default 50, at most 1000). */
  readonly limit?: number;
}

/** One recorded run. */
export interface JobRunEntry {
  readonly job: string;
  /** ISO-8601 to the second, or `manual:<uuid>`. */
  readonly slot: string;
  readonly trigger: 'schedule' | 'manual';
  readonly outcome: JobOutcome;
  readonly instance: string;
  readonly actor: string;
  readonly reason: string;
  readonly startedAt: string;
  readonly finishedAt: string | null;
  readonly durationMs: number | null;
  /** The handler's error (scrubbed), or why the run was gated or abandoned. */
  readonly error: string | null;
  readonly leaseUntil: string;
  /** 1, plus one per takeover. */
  readonly attempts: number;
  readonly previousInstance: string | null;
}

export interface JobHistory {
  readonly environment: string;
  readonly runs: readonly JobRunEntry[];
}

export interface RunJobRequest extends EnvironmentTarget {
  readonly job: string;
  /** Why: recorded with the run and in the audit log; required in protected environments and with `force`. */
  readonly reason?: string;
  /** Runs a job its declaration does not allow here (or that is disabled), audited as a guard override. */
  readonly force?: boolean;
  /** Who acts; default the OS user. */
  readonly actor?: string;
  /** The handler; default the default export of the declaration's `run` module. */
  readonly handler?: JobHandler;
  readonly logger?: JobLogger;
  /** Told before the run starts when `force` overrides the gate (the CLI prints its loud warning then). */
  readonly onOverride?: (override: JobOverride) => void;
}

/** A gate `force` overrode: audited as `guard.override`. */
export interface JobOverride {
  readonly guard: 'EW_JOB_GATED';
  readonly reason: string;
  readonly message: string;
}

export interface RunJobResult {
  readonly environment: string;
  readonly job: string;
  readonly slot: string;
  readonly instance: string;
  readonly outcome: 'succeeded';
  /** The gate `force` overrode (audited as `guard.override`), absent when the job was allowed and enabled. */
  readonly override?: JobOverride;
  readonly durationMs: number;
}

/** The environment for a read: no host check; without its private key, secrets are left out (list and history need none). */
async function resolveForReading(
  target: EnvironmentTarget,
): Promise<{ resolved: ResolvedConfig<unknown>; sealed: boolean }> {
  const { resolved, secretsChecked } = await resolveForAct(target, { collectIssues: false });
  return { resolved, sealed: !secretsChecked };
}

/** The store opened to read only, or undefined when its database does not exist yet. */
async function storeForReading(resolved: ResolvedConfig<unknown>): Promise<Store | undefined> {
  try {
    return await openStore(resolved, { stampMode: 'read' });
  } catch (error) {
    if (isEnvwardError(error) && error.code === 'EW_DB_MISSING') return undefined;
    throw error;
  }
}

function nextRunOf(job: DeclaredJob, schedule: string): string | null {
  return new Cron(schedule, { timezone: job.timezone, paused: true }).nextRun()?.toISOString() ?? null;
}

/** See listJobs in index.ts. */
export async function listJobsNow(target: EnvironmentTarget): Promise<JobList> {
  const { resolved, sealed } = await resolveForReading(target);
  const jobs = declaredJobs(resolved);
  let current = resolved;
  let revision: number | null = 0;
  const store = jobs.length > 0 ? await storeForReading(resolved) : undefined;
  if (store) {
    try {
      const latest = await withLatestRevision(resolved, store);
      current = latest.resolved;
      revision = latest.revision.number;
    } catch (error) {
      if (!sealed || !isEnvwardError(error) || error.code !== 'EW_CONFIG_INVALID') throw error;
      revision = null;
    } finally {
      await store.close();
    }
  }
  return {
    environment: resolved.environment.name,
    tier: resolved.environment.tier,
    revision,
    jobs: jobs.map((job) => {
      const settings = jobSettings(current, job);
      const allowed = allowedIn(job, resolved.environment);
      return {
        job: job.name,
        schedule: settings.schedule,
        timezone: job.timezone,
        environments: job.environments,
        tiers: job.tiers,
        allowed,
        enabled: settings.enabled,
        nextRun: allowed && settings.enabled ? nextRunOf(job, settings.schedule) : null,
        runnable: job.run !== undefined,
      };
    }),
  };
}

function entryOf(row: JobRunRow): JobRunEntry {
  const finished = row.finished_at === null ? Number.NaN : Date.parse(row.finished_at);
  const duration = finished - Date.parse(row.started_at);
  return {
    job: row.job,
    slot: row.slot,
    trigger: row.trigger === 'manual' ? 'manual' : 'schedule',
    outcome: row.outcome as JobOutcome,
    instance: row.instance,
    actor: row.actor,
    reason: row.reason,
    startedAt: row.started_at,
    finishedAt: row.finished_at,
    durationMs: Number.isFinite(duration) ? duration : null,
    error: row.error,
    leaseUntil: row.lease_until,
    attempts: row.attempts,
    previousInstance: row.previous_instance,
  };
}

/** See jobHistory in index.ts. */
export async function jobHistoryNow(request: JobHistoryRequest): Promise<JobHistory> {
  const limit = request.limit ?? 50;
  if (!Number.isSafeInteger(limit) || limit < 1 || limit > 1000) {
    throw new RangeError('jobHistory: limit is a whole number from 1 to 1000');
  }
  const { resolved } = await resolveForReading(request);
  const environment = resolved.environment.name;
  const store = await storeForReading(resolved);
  if (!store) return { environment, runs: [] };
  try {
    const db = store.db as unknown as Kysely<JobRunTables>;
    const rows = await jobRunRows(db, environment, {
      ...(request.job !== undefined ? { job: String(request.job).slice(0, 64) } : {}),
      limit,
    });
    return { environment, runs: rows.map(entryOf) };
  } finally {
    await store.close();
  }
}

/** See runJob in index.ts. */
export async function runJobNow(request: RunJobRequest): Promise<RunJobResult> {
  const reason = request.reason?.trim() || undefined;
  if (request.force && !reason) throw new ForceWithoutReasonError();
  const opened = await openTarget(request);
  const resolved = await resolveConfig({
    project: opened.project,
    env: opened.environment.name,
    variables: opened.variables,
    hostname: opened.hostname,
    ...(request.force && reason ? { force: { reason } } : {}),
  });
  const environment = resolved.environment.name;
  const job = declaredJob(resolved, request.job);
  if (!reason && resolved.environment.protected) throw new ReasonRequiredError(`jobs run ${job.name}`, environment);
  // Refused before anything is opened or written.
  if (!allowedIn(job, resolved.environment) && !request.force) throw gateRefusal(resolved, job, 'environment');
  const handler = await handlerFor(job, request.handler ? { [job.name]: request.handler } : {});
  const store = await openStore(resolved, request.actor !== undefined ? { actor: request.actor } : {});
  try {
    const { resolved: current } = await withLatestRevision(resolved, store);
    const gate = gateReason(current, job);
    if (gate && !request.force) throw gateRefusal(current, job, gate);
    const db = store.db as unknown as Kysely<JobRunTables>;
    await ensureJobRunTable(db);
    const slot = `manual:${randomUUID()}`;
    const instance = instanceName();
    const now = new Date();
    await claimSlot(db, {
      environment,
      job: job.name,
      slot,
      instance,
      trigger: 'manual',
      actor: store.actor,
      reason: reason ?? '',
      started_at: now.toISOString(),
      finished_at: null,
      outcome: 'running',
      error: null,
      lease_until: new Date(now.getTime() + DEFAULT_LEASE_MS).toISOString(),
      attempts: 1,
      previous_instance: null,
    });
    const refusal = gate ? gateRefusal(current, job, gate) : undefined;
    const override = refusal
      ? ({ guard: 'EW_JOB_GATED', reason: reason ?? '', message: refusal.message } as const)
      : undefined;
    if (refusal && override) {
      request.onOverride?.(override);
      await store.audit.append({
        action: 'guard.override',
        target: `${refusal.code} job ${job.name}`,
        reason: reason ?? '',
        outcome: 'allowed',
      });
    }
    const end = await runHeld({
      db,
      key: { environment, job: job.name, slot },
      instance,
      leaseMs: DEFAULT_LEASE_MS,
      handler,
      scrub: createScrubber(current.secretValues()),
      context: {
        job: job.name,
        slot: now,
        environment,
        trigger: 'manual',
        logger: request.logger ?? SILENT_LOGGER,
        resolved: current,
      },
    });
    const succeeded = end.outcome === 'succeeded';
    await store.audit.append({
      action: 'job.run',
      target: `${job.name} ${slot}${gate ? ' (forced)' : ''}`,
      ...(reason ? { reason } : {}),
      outcome: succeeded ? 'done' : 'failed',
    });
    if (!succeeded) {
      throw new JobFailedError(job.name, environment, slot, end.error ?? 'its lease was lost to another instance');
    }
    return {
      environment,
      job: job.name,
      slot,
      instance,
      outcome: 'succeeded',
      ...(override ? { override } : {}),
      durationMs: Math.round(end.seconds * 1000),
    };
  } finally {
    await store.close();
  }
}
