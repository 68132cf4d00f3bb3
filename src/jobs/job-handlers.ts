import { describeThrown } from '../errors.js';
import type { DeclaredJob } from './define-jobs.js';
import type { JobHandler } from './job-context.js';
import { JobDefinitionError } from './job-errors.js';

/** Handlers by job name, as startJobs takes them. */
export type JobHandlers = Readonly<Record<string, JobHandler>>;

/** Every handler given must be for a declared job: a misspelt name would leave the job without one. */
export function assertHandlersDeclared(jobs: readonly DeclaredJob[], handlers: JobHandlers): void {
  if (typeof handlers !== 'object' || handlers === null) {
    throw new JobDefinitionError('(all)', 'startJobs takes handlers as an object by job name');
  }
  for (const [name, handler] of Object.entries(handlers)) {
    if (!jobs.some((job) => job.name === name)) {
      throw new JobDefinitionError(
        JSON.stringify(name.slice(0, 64)),
        `startJobs got a handler for it, but defineJobs does not declare it (declared: ${jobs.map((job) => job.name).join(', ') || 'none'})`,
      );
    }
    if (typeof handler !== 'function') throw new JobDefinitionError(name, 'its handler is not a function');
  }
}

/** The job's handler: the one given, else the default export of its declared `run` module (imported now). */
export async function handlerFor(job: DeclaredJob, handlers: JobHandlers = {}): Promise<JobHandler> {
  const given = Object.hasOwn(handlers, job.name) ? handlers[job.name] : undefined;
  if (given) return given;
  if (!job.run) {
    throw new JobDefinitionError(
      job.name,
      "it has no handler: pass one to startJobs ({ jobName: handler }) or declare run: () => import('./src/jobs/x.js')",
    );
  }
  let loaded: unknown;
  try {
    loaded = await job.run();
  } catch (error) {
    throw new JobDefinitionError(job.name, `its run module could not be imported: ${describeThrown(error)}`);
  }
  const handler = (loaded as { default?: unknown } | null)?.default;
  if (typeof handler !== 'function') {
    throw new JobDefinitionError(job.name, 'its run module has no default export that is a function (the handler)');
  }
  return handler as JobHandler;
}
