import { z } from 'zod';
import { live } from '../config/reload-marker.js';
import { defineSettings, type SettingsFragment } from '../config/settings-fragment.js';
import { TIERS, type Tier } from '../environment/index.js';
import { cronProblem, isTimeZone } from './cron-check.js';
import type { JobHandler } from './job-context.js';
import { JobDefinitionError } from './job-errors.js';

/** A module whose default export is a job's handler: what `run: () => import('./src/jobs/x.js')` loads. */
export interface JobModule {
  readonly default: JobHandler;
}

/**
 * One job as envward.config.ts declares it. The gate (`environments` or
 * `tiers`, at least one) is code: no settings file can widen it.
 */
export interface JobDeclaration {
  /** Cron expression (five fields, or six with seconds first); `jobs.<name>.schedule` may replace it per environment. */
  readonly schedule: string;
  /** Environments the job runs in, by name. */
  readonly environments?: readonly string[];
  /** Tiers the job runs in: every environment of those tiers. */
  readonly tiers?: readonly Tier[];
  /** IANA time zone the schedule is read in; default UTC. */
  readonly timezone?: string;
  /** The handler's module, imported lazily, so `envward jobs run NAME` can run the job. */
  readonly run?: () => Promise<JobModule>;
}

/** A declaration checked and frozen. */
export interface DeclaredJob {
  readonly name: string;
  readonly schedule: string;
  readonly environments: readonly string[];
  readonly tiers: readonly Tier[];
  readonly timezone: string;
  readonly run?: () => Promise<JobModule>;
}

const JOB_NAME = /^[A-Za-z][A-Za-z0-9_]{0,63}$/;
const ENVIRONMENT_NAME = /^[a-z0-9][a-z0-9-]{0,39}$/;
const DECLARATION_KEYS = new Set(['schedule', 'environments', 'tiers', 'timezone', 'run']);

/** The settings of one job: `jobs.<name>.schedule` (restart) and `jobs.<name>.enabled` (live). */
function jobSchema(job: DeclaredJob) {
  return z.object({
    /** Cron expression; default the declared one. */
    schedule: z
      .string()
      .superRefine((text, context) => {
        const problem = cronProblem(text, job.timezone);
        if (problem) context.addIssue({ code: 'custom', message: problem });
      })
      .default(job.schedule),
    /** False stops the job at its next run on every instance (a runtime revision applies it at once). */
    enabled: live(z.boolean().default(true)),
  });
}

type JobSchema = ReturnType<typeof jobSchema>;

/** The `jobs` settings fragment, carrying the declarations it was made from. */
export type JobsFragment<Names extends string = string> = SettingsFragment<
  'jobs',
  z.ZodObject<{ [Name in Names]: JobSchema }>
> & {
  readonly declarations: Readonly<Record<Names, DeclaredJob>>;
};

function text(value: unknown): string {
  return typeof value === 'string' ? JSON.stringify(value.slice(0, 64)) : typeof value;
}

function names(job: string, field: string, value: unknown, pattern: RegExp, what: string): string[] {
  if (value === undefined) return [];
  if (!Array.isArray(value) || value.length > 100) {
    throw new JobDefinitionError(job, `\`${field}\` must be a list of ${what}`);
  }
  for (const item of value) {
    if (typeof item !== 'string' || !pattern.test(item)) {
      throw new JobDefinitionError(job, `\`${field}\` lists ${text(item)}, which is not ${what.replace(/s$/, '')}`);
    }
  }
  return [...new Set(value as string[])];
}

function declared(name: string, declaration: unknown): DeclaredJob {
  if (typeof declaration !== 'object' || declaration === null || Array.isArray(declaration)) {
    throw new JobDefinitionError(name, 'its declaration must be an object: { schedule, environments | tiers }');
  }
  const record = declaration as Record<string, unknown>;
  const unknown = Object.keys(record).find((key) => !DECLARATION_KEYS.has(key));
  if (unknown !== undefined) {
    throw new JobDefinitionError(
      name,
      `\`${unknown.slice(0, 64)}\` is not a declaration field (schedule, environments, tiers, timezone, run)`,
    );
  }
  const timezone = record.timezone ?? 'UTC';
  if (!isTimeZone(timezone)) throw new JobDefinitionError(name, `timezone ${text(timezone)} is not an IANA time zone`);
  const problem = cronProblem(record.schedule, timezone as string);
  if (problem) throw new JobDefinitionError(name, problem);
  const environments = names(name, 'environments', record.environments, ENVIRONMENT_NAME, 'environment names');
  const tierPattern = new RegExp(`^(?:${TIERS.join('|')})$`);
  const tiers = names(name, 'tiers', record.tiers, tierPattern, 'tiers') as Tier[];
  if (environments.length === 0 && tiers.length === 0) {
    throw new JobDefinitionError(
      name,
      "it declares neither `environments` nor `tiers`: say where it runs, e.g. tiers: ['production']",
    );
  }
  if (record.run !== undefined && typeof record.run !== 'function') {
    throw new JobDefinitionError(
      name,
      "`run` must be a function that imports the handler's module: () => import('./src/jobs/x.js')",
    );
  }
  return Object.freeze({
    name,
    schedule: (record.schedule as string).trim(),
    environments: Object.freeze(environments),
    tiers: Object.freeze(tiers),
    timezone: timezone as string,
    ...(record.run ? { run: record.run as () => Promise<JobModule> } : {}),
  });
}

const NO_DEFAULTS = Object.freeze({ development: {}, test: {}, staging: {}, production: {} });

/**
 * Declares the project's scheduled jobs and where each may run; put the
 * result in `use` of envward.config.ts. Settings per job:
 * `jobs.<name>.schedule` and `jobs.<name>.enabled` (live).
 * @example
 * const jobs = defineJobs({ interestAccrual: { schedule: '0 2 * * *', tiers: ['staging', 'production'] } });
 * export default defineConfig({ use: [database, jobs], schema });
 */
export function defineJobs<const Jobs extends Readonly<Record<string, JobDeclaration>>>(
  jobs: Jobs,
): JobsFragment<Extract<keyof Jobs, string>> {
  if (typeof jobs !== 'object' || jobs === null || Array.isArray(jobs)) {
    throw new JobDefinitionError('(all)', 'defineJobs takes an object of job declarations by name');
  }
  const declarations: Record<string, DeclaredJob> = {};
  for (const [name, declaration] of Object.entries(jobs)) {
    if (!JOB_NAME.test(name)) {
      throw new JobDefinitionError(text(name), 'a job name is letters, digits and "_", starting with a letter');
    }
    declarations[name] = declared(name, declaration);
  }
  const settings = defineSettings({
    key: 'jobs',
    capability: 'envward/jobs',
    tierDefaults: NO_DEFAULTS,
    schema: () =>
      z.object(
        Object.fromEntries(Object.values(declarations).map((job) => [job.name, jobSchema(job)])),
      ) as z.ZodObject<{
        [Name in Extract<keyof Jobs, string>]: JobSchema;
      }>,
  });
  return Object.freeze(
    Object.defineProperties(
      {},
      {
        ...Object.getOwnPropertyDescriptors(settings),
        declarations: { value: Object.freeze(declarations), enumerable: true },
      },
    ),
  ) as JobsFragment<Extract<keyof Jobs, string>>;
}
