import type { Registry } from 'prom-client';
import type { ResolvedConfig } from '../config/resolve.js';
import type { LiveConfig } from '../runtime/index.js';
import type { Store } from '../store/index.js';
import type { JobLogger } from './job-context.js';

/** What startJobs reads the configuration from: a resolved config, or a live one (each run checks its current snapshot). */
export type JobsSource = ResolvedConfig<unknown> | Pick<LiveConfig<unknown>, 'current'>;

/** The store jobs record their runs in (an envward/store Store of any database type: its `db` and `actor`). */
// biome-ignore lint/suspicious/noExplicitAny: a Store<LedgerDatabase> must be accepted; only envward's own table is used.
export type JobsStore = Pick<Store<any>, 'db' | 'actor' | 'environment'>;

export interface StartJobsOptions {
  /** Where scheduling, gated runs, takeovers and failures are reported (info, warn, error); default: nowhere. */
  readonly logger?: JobLogger;
  /** A prom-client registry for `envward_job_runs_total` and `envward_job_duration_seconds`. */
  readonly registry?: Registry;
  /** How long a run's lease lasts without a heartbeat (default 30 000 ms); another instance takes the run over after it. */
  readonly leaseMs?: number;
  /** This instance's name in run records; default host name, process id and a random part. */
  readonly instance?: string;
}

/** A job startJobs scheduled here. */
export interface ScheduledJob {
  readonly job: string;
  readonly schedule: string;
  readonly timezone: string;
  /** The next time it fires, or null once stopped. */
  readonly nextRun: Date | null;
}

/** A job startJobs did not schedule here, and why (its EW_JOB_GATED message). */
export interface SkippedJob {
  readonly job: string;
  readonly code: 'EW_JOB_GATED';
  readonly reason: string;
}

export interface JobsHandle {
  /** This instance's name in run records. */
  readonly instance: string;
  readonly jobs: readonly ScheduledJob[];
  readonly skipped: readonly SkippedJob[];
  /** Stops scheduling and waits for running handlers (their signal is aborted) to end. */
  stop(): Promise<void>;
}

/** The configuration as it is now: a live config's current snapshot, or the resolved config itself. */
export function currentOf(source: JobsSource): ResolvedConfig<unknown> {
  const current = (source as { current?: ResolvedConfig<unknown> }).current;
  return current ?? (source as ResolvedConfig<unknown>);
}
