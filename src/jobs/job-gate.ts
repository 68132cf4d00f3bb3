import { fragmentsOf } from '../config/compose.js';
import type { ResolvedConfig } from '../config/resolve.js';
import type { Environment } from '../environment/index.js';
import type { DeclaredJob } from './define-jobs.js';
import { type GateReason, JobDefinitionError, JobGatedError, JobUnknownError } from './job-errors.js';

type Settled = Pick<ResolvedConfig<unknown>, 'values' | 'environment' | 'project'>;

/** A job's settings as resolution validated them. */
export interface JobSettings {
  readonly schedule: string;
  readonly enabled: boolean;
}

/**
 * The jobs `defineJobs` declared in the project's `use`, in declaration
 * order (none when it declares no jobs). An environment a job names that the
 * project does not have is a declaration mistake: it would never run there.
 */
export function declaredJobs(resolved: Pick<Settled, 'project'>): readonly DeclaredJob[] {
  const fragment = fragmentsOf(resolved.project.definition.use).find((candidate) => candidate.key === 'jobs');
  const declarations = (fragment as { declarations?: Record<string, DeclaredJob> } | undefined)?.declarations;
  if (!declarations) return [];
  const jobs = Object.values(declarations);
  const catalogue = resolved.project.environments;
  for (const job of jobs) {
    const unknown = job.environments.find((name) => !catalogue.has(name));
    if (unknown !== undefined) {
      throw new JobDefinitionError(
        job.name,
        `\`environments\` names ${unknown}, which the project does not declare (known: ${catalogue.all.map((environment) => environment.name).join(', ')})`,
      );
    }
  }
  return jobs;
}

/** The declared job `name`, or EW_JOB_UNKNOWN listing the declared ones. */
export function declaredJob(resolved: Pick<Settled, 'project'>, name: string): DeclaredJob {
  const jobs = declaredJobs(resolved);
  const job = jobs.find((candidate) => candidate.name === name);
  if (!job)
    throw new JobUnknownError(
      String(name),
      jobs.map((candidate) => candidate.name),
    );
  return job;
}

/** Whether the job's declaration lets it run in `environment` (the gate in code, never widened by a file). */
export function allowedIn(job: DeclaredJob, environment: Pick<Environment, 'name' | 'tier'>): boolean {
  return job.environments.includes(environment.name) || job.tiers.includes(environment.tier);
}

/** `jobs.<name>.*` as validated in `resolved` (the declared schedule when a value is missing). */
export function jobSettings(resolved: Pick<Settled, 'values'>, job: DeclaredJob): JobSettings {
  const block = (resolved.values as { jobs?: Record<string, Partial<JobSettings>> }).jobs?.[job.name];
  return {
    schedule: typeof block?.schedule === 'string' ? block.schedule : job.schedule,
    enabled: block?.enabled !== false,
  };
}

/** Why the job may not run under `resolved` now, or undefined when it may. */
export function gateReason(resolved: Settled, job: DeclaredJob): GateReason | undefined {
  if (!allowedIn(job, resolved.environment)) return 'environment';
  if (!jobSettings(resolved, job).enabled) return 'disabled';
  return undefined;
}

/** The refusal for `reason`. */
export function gateRefusal(resolved: Settled, job: DeclaredJob, reason: GateReason): JobGatedError {
  return new JobGatedError(job.name, resolved.environment, job, reason);
}
