import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { openProject, type Project } from '../config/resolve.js';
import { readConfigText } from '../config/text-file.js';
import {
  assertEnvironmentName,
  CODE_PATTERN,
  COLOURS,
  type Colour,
  codeFromName,
  type Environment,
  TIERS,
  type Tier,
} from '../environment/index.js';
import { UsageError } from '../errors.js';
import { secretPaths } from '../secrets/paths.js';
import { writeEnvironmentDirectory } from './environment-directory.js';
import { EnvCodeTakenError, EnvExistsError, EnvNameMisleadingError } from './lifecycle-errors.js';
import { misleadingWord } from './misleading-names.js';
import { derivedDatabaseUrl, settingsWithoutStoreLocation } from './template-settings.js';

export interface CreateEnvironmentRequest {
  readonly cwd?: string;
  /** The new environment's name. */
  readonly name: string;
  /** The environment whose settings it starts from. */
  readonly from: string;
  /** Default: the template's tier. */
  readonly tier?: Tier;
  readonly colour?: Colour;
  /** Default: the first three letters of the name. */
  readonly code?: string;
}

export interface CreatedEnvironment {
  readonly name: string;
  readonly tier: Tier;
  readonly colour: Colour;
  readonly code: string;
  readonly from: string;
  /** Files written, relative to the project root. */
  readonly files: readonly string[];
  /** The template's secrets: not copied; each must be set for the new environment (`envward secrets set`). */
  readonly secretsToSet: readonly string[];
  /** What the copy changed so the new environment has its own database (`database.url: ... (derived)`). */
  readonly notes: readonly string[];
}

/** The template of a new environment: declared, and long-lived. */
export function templateOf(project: Project, from: string): Environment {
  const template = project.environments.get(from, '--from');
  if (template.preview) {
    throw new UsageError(
      `"${template.name}" is a preview environment: it expires, so it is no template.`,
      'Use a long-lived environment as --from (staging, production, ...).',
    );
  }
  return template;
}

/** Throws unless `name` is a valid, free name that says no other tier than `tier`. */
export function assertNewName(project: Project, name: string, tier: Tier, where: string): void {
  assertEnvironmentName(name, where);
  if (project.environments.has(name)) throw new EnvExistsError(name, 'the project declares it');
  if (existsSync(join(project.root, 'config', 'environments', name))) {
    throw new EnvExistsError(name, `config/environments/${name}/ exists`);
  }
  const { privateKey } = secretPaths(name);
  if (existsSync(join(project.root, privateKey))) {
    throw new EnvExistsError(name, `${privateKey} is left from an earlier "${name}"`);
  }
  const misleading = misleadingWord(name, tier);
  if (misleading) throw new EnvNameMisleadingError(name, tier, misleading.word, misleading.tier);
}

/** Checks the request against the project; returns the template and the new environment's resolved fields. */
function plan(project: Project, request: CreateEnvironmentRequest) {
  const { name } = request;
  assertEnvironmentName(name, 'env create');
  const template = templateOf(project, request.from);
  const tier = request.tier ?? template.tier;
  if (!(TIERS as readonly string[]).includes(tier) || tier === 'preview') {
    throw new UsageError(
      `--tier must be development, test, staging or production, not "${tier}".`,
      'Preview environments are made by `envward preview up`, which gives them an expiry.',
    );
  }
  assertNewName(project, name, tier, 'env create');
  const colour = request.colour ?? (tier === 'production' ? 'red' : 'purple');
  if (!COLOURS.includes(colour)) throw new UsageError(`--colour must be one of ${COLOURS.join(', ')}.`);
  const code = request.code ?? codeFromName(name);
  if (!CODE_PATTERN.test(code)) throw new UsageError(`--code "${code}" must be 2-4 upper-case letters or digits.`);
  const owner = project.environments.all.find((environment) => environment.code === code);
  if (owner) throw new EnvCodeTakenError(name, code, owner.name);
  return { template, tier, colour, code };
}

/** The secret keys the new environment's own rules ask for (EW_RULE_SECRET_UNSET), read from its fresh files. */
export async function unsetSecrets(root: string, name: string): Promise<readonly string[]> {
  const { resolveConfig } = await import('../resolution.js');
  try {
    const resolved = await resolveConfig({ cwd: root, env: name, collectIssues: true, checkHost: false });
    return resolved.issues.filter((issue) => issue.code === 'EW_RULE_SECRET_UNSET').map((issue) => issue.key);
  } catch {
    // Another problem (a required variable unset, say) is config validate's to report, with its file and line.
    return [];
  }
}

/**
 * Makes `config/environments/<name>/` from a template environment: its
 * settings copied (except where its database is: a copy would point the new
 * environment at the template's data), its declaration in environment.yml,
 * and a new key pair; the template's secrets are not copied, they are listed
 * to be set. The directory appears whole or not at all (built beside it,
 * then renamed), so two creates of one name leave one environment.
 * @example await createEnvironment({ name: 'qa', from: 'staging' })
 */
export async function createEnvironment(request: CreateEnvironmentRequest): Promise<CreatedEnvironment> {
  const project = await openProject(request.cwd);
  const { template, tier, colour, code } = plan(project, request);
  const { name } = request;
  const notes: string[] = [];
  const templateSettings = `config/environments/${template.name}/settings.yml`;
  const source = readConfigText(join(project.root, templateSettings), templateSettings);
  let settings: string | undefined;
  if (source !== undefined) {
    const copied = settingsWithoutStoreLocation(source, templateSettings);
    const url = copied.removed.get('database.url');
    const derived = typeof url === 'string' ? derivedDatabaseUrl(url, template.name, name) : undefined;
    for (const key of copied.removed.keys()) {
      if (key === 'database.url' && derived)
        notes.push(`database.url: ${derived.shown} (derived from ${template.name}'s; check it)`);
      else notes.push(`${key}: not copied (it locates ${template.name}'s database); set ${name}'s own`);
    }
    settings = copied.text(derived ? { 'database.url': derived.url } : {});
  }
  const header = `Made from ${template.name} by \`envward env create\` on ${new Date().toISOString()}.`;
  const files = writeEnvironmentDirectory(
    project.root,
    name,
    { tier, colour, code, from: template.name },
    header,
    settings,
  );
  const { makeKeyPair } = await import('../secrets/vault.js');
  const keys = await makeKeyPair(project.root, name);
  const { storedSecretNames } = await import('../secrets/index.js');
  const secretsToSet = new Set(await storedSecretNames(project.root, template.name));
  for (const key of await unsetSecrets(project.root, name)) secretsToSet.add(key);
  return {
    name,
    tier,
    colour,
    code,
    from: template.name,
    files: [...files, ...keys.files],
    secretsToSet: [...secretsToSet].sort(),
    notes,
  };
}
