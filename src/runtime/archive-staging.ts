/**
 * A restore is validated on a copy of the project as it will be: its
 * configuration files in a private temporary directory, the archive's files
 * in their places, every other file as it is now. Each environment is then
 * resolved there (a Project whose root is that directory) with the
 * revision state it will have, and must come out valid before anything is
 * written. Private keys are never copied: the secrets layer looks for them
 * where they are.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { ConfigLayer } from '../config/layer.js';
import type { Project, ResolvedConfig } from '../config/resolve.js';
import { type ConfigIssue, isEnvwardError } from '../errors.js';
import { resolveConfig } from '../resolution.js';
import { secretsLayerWithKeysAt } from '../secrets/index.js';
import { currentText } from './archive-files.js';
import { absolute, environmentFiles, PROJECT_FILES } from './archive-paths.js';
import { type AppliedRevision, revisionLayer } from './revision-layer.js';

/** The project's configuration files as they will be, in a temporary directory. */
export interface StagedProject {
  /** The project with `root` at the staged copy. */
  readonly project: Project;
  /** Removes the copy. Safe to call twice. */
  cleanup(): void;
}

/** Every configuration file a project's resolution reads: the project's and each environment's. */
export function configurationFiles(project: Project): string[] {
  return [...PROJECT_FILES, ...project.environments.names.flatMap((name) => environmentFiles(name))];
}

/** Copies the project's configuration files into a temporary directory, with `replacements` (path -> text) in place. */
export function stageProject(project: Project, replacements: ReadonlyMap<string, string>): StagedProject {
  const dir = mkdtempSync(join(tmpdir(), 'envward-restore-'));
  try {
    for (const path of configurationFiles(project)) {
      const text = replacements.get(path) ?? currentText(project.root, path);
      if (text === undefined) continue;
      const file = absolute(dir, path);
      mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
      writeFileSync(file, text, { mode: 0o600 });
    }
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
  return {
    project: { ...project, root: dir },
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
}

/** A secrets layer that reads nothing: validation where this host cannot open the environment's secrets. */
const SEALED_SECRETS: ConfigLayer = { name: 'secrets', load: () => ({ entries: [], issues: [] }) };

export interface StagedResolution {
  /** The environment as it will resolve, its project's root the real one again (where its store is). */
  readonly resolved: ResolvedConfig<unknown>;
  /** False when this host has no private key for the environment: its secret keys were not checked. */
  readonly secretsChecked: boolean;
  /** Its problems (those of secret keys left out when they were not checked). */
  readonly issues: readonly ConfigIssue[];
}

export interface StagedTarget {
  readonly env: string;
  readonly revision: AppliedRevision;
  readonly variables: Readonly<Record<string, string | undefined>>;
  readonly hostname: string;
}

/**
 * Resolves `target.env` in the staged project with `target.revision`
 * applied, as revision acts do (no host check; without a protected
 * environment's private key its secrets are left out and not judged),
 * collecting its problems. The result has the real project again, so that
 * its store is found where it is.
 */
export async function resolveStaged(
  real: Project,
  staged: StagedProject,
  target: StagedTarget,
): Promise<StagedResolution> {
  const options = {
    project: staged.project,
    env: target.env,
    variables: target.variables,
    hostname: target.hostname,
    checkHost: false,
    collectIssues: true,
  } as const;
  const revision = revisionLayer(target.revision);
  let resolved: ResolvedConfig<unknown>;
  let secretsChecked = true;
  try {
    resolved = await resolveConfig({ ...options, layers: [secretsLayerWithKeysAt(real.root), revision] });
  } catch (error) {
    if (!isEnvwardError(error) || error.code !== 'EW_SECRET_KEY_MISSING') throw error;
    resolved = await resolveConfig({ ...options, layers: [SEALED_SECRETS, revision] });
    secretsChecked = false;
  }
  const issues = resolved.issues.filter((issue) => secretsChecked || !resolved.isSecret(issue.key));
  return { resolved: { ...resolved, project: real }, secretsChecked, issues };
}
