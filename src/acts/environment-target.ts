import { hostname as osHostname } from 'node:os';
import { openProject, type Project } from '../config/index.js';
import { type Detection, detectEnvironment } from '../environment/index.js';

/** Which project and environment a library call works on: the CLI's --cwd and --env. */
export interface EnvironmentTarget {
  /** Project directory (or below it); default `process.cwd()`. */
  readonly cwd?: string;
  /** An already opened project (`openProject()`), to act on several environments without reloading. */
  readonly project?: Project;
  /** The environment; default: detected as `resolveConfig` detects it. */
  readonly env?: string;
  /** Process variables (the private key may be one, the store's URL too); default `process.env`. */
  readonly variables?: Readonly<Record<string, string | undefined>>;
  readonly hostname?: string;
}

export interface OpenedTarget extends Detection {
  readonly project: Project;
  readonly variables: Readonly<Record<string, string | undefined>>;
  readonly hostname: string;
}

/**
 * The project of `target` and the environment detected in it, as
 * resolveConfig detects it. No host check: managing secrets is not running
 * as the environment (anyone with the public key may add a secret to
 * production from a laptop), and checkHost checks it itself.
 */
export async function openTarget(target: EnvironmentTarget): Promise<OpenedTarget> {
  const project = target.project ?? (await openProject(target.cwd));
  const variables = target.variables ?? process.env;
  const hostname = target.hostname ?? osHostname();
  const detection = detectEnvironment({
    catalogue: project.environments,
    option: target.env,
    variables,
    projectRoot: project.root,
    hostname,
  });
  return { ...detection, project, variables, hostname };
}

/** The same target, to resolve `environment`'s store for an audited act. */
export function actTarget(opened: OpenedTarget) {
  return {
    project: opened.project,
    env: opened.environment.name,
    variables: opened.variables,
    hostname: opened.hostname,
  } as const;
}
