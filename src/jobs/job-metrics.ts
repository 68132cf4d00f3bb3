import type { Counter, Histogram, Registry } from 'prom-client';
import { importPeer } from '../peers.js';
import type { JobOutcome } from './job-run-table.js';

/** A run's end as this instance counts it: a slot another instance won is not counted here. */
export type CountedOutcome = Exclude<JobOutcome, 'running'>;

export interface JobMetrics {
  run(job: string, outcome: CountedOutcome, seconds?: number): void;
}

const none: JobMetrics = { run() {} };

/**
 * `envward_job_runs_total{environment,job,outcome}` and
 * `envward_job_duration_seconds{environment,job}` on `registry` (shared
 * with any other startJobs on it); nothing when no registry is given.
 */
export async function jobMetrics(registry: Registry | undefined, environment: string): Promise<JobMetrics> {
  if (!registry) return none;
  const client = await importPeer('envward/jobs', () => import('prom-client'), ['prom-client']);
  const runs =
    (registry.getSingleMetric('envward_job_runs_total') as Counter<'environment' | 'job' | 'outcome'> | undefined) ??
    new client.Counter({
      name: 'envward_job_runs_total',
      help: 'Job runs by job and outcome (succeeded, failed, gated, abandoned), counted by the instance that ran or skipped them.',
      labelNames: ['environment', 'job', 'outcome'],
      registers: [registry],
    });
  const duration =
    (registry.getSingleMetric('envward_job_duration_seconds') as Histogram<'environment' | 'job'> | undefined) ??
    new client.Histogram({
      name: 'envward_job_duration_seconds',
      help: 'How long job runs took, by job (succeeded and failed runs).',
      labelNames: ['environment', 'job'],
      buckets: [0.01, 0.05, 0.1, 0.5, 1, 5, 15, 60, 300, 900, 3600],
      registers: [registry],
    });
  return {
    run(job, outcome, seconds) {
      runs.inc({ environment, job, outcome });
      if (seconds !== undefined) duration.observe({ environment, job }, seconds);
    },
  };
}
