// Apart from stamp.ts so that the public index can offer it without loading Kysely.
import type { Stamp } from './stamp.js';
import { EnvironmentMismatchError, ProjectMismatchError } from './store-errors.js';

/**
 * Why a process of `environment` (of `project`) may not use a database with
 * this stamp: another environment's, or another project's (when both name
 * one). Undefined when the stamp is this environment's own.
 */
export function stampRefusal(
  stamp: Stamp,
  environment: string,
  project: string,
  where: string,
): EnvironmentMismatchError | ProjectMismatchError | undefined {
  const owner = { ...stamp, at: stamp.stampedAt };
  if (stamp.environment !== environment) return new EnvironmentMismatchError(environment, owner, where);
  if (stamp.project !== '' && project !== '' && stamp.project !== project) {
    return new ProjectMismatchError(project, owner, where);
  }
  return undefined;
}
