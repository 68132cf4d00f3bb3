import { EnvDefinitionError, EnvUnknownError } from '../errors.js';
import { resolveApprovalPolicy } from './approval-policy.js';
import type { FileDeclaration } from './declared-files.js';
import type { Environment, EnvironmentDeclaration } from './environment.js';
import { assertEnvironmentName } from './names.js';
import { BUILT_IN_ENVIRONMENTS, CODE_PATTERN, codeFromName, TIER_DEFAULTS, TIERS, type Tier } from './tiers.js';

/** The set of environments a project knows, in declaration order (built-ins first). */
export class EnvironmentCatalogue {
  readonly #byName: ReadonlyMap<string, Environment>;

  constructor(environments: readonly Environment[]) {
    this.#byName = new Map(environments.map((e) => [e.name, e]));
  }

  get names(): readonly string[] {
    return [...this.#byName.keys()];
  }

  get all(): readonly Environment[] {
    return [...this.#byName.values()];
  }

  has(name: string): boolean {
    return this.#byName.has(name);
  }

  /** Returns the environment or throws `EW_ENV_UNKNOWN` listing the known ones. */
  get(name: string, where: string): Environment {
    assertEnvironmentName(name, where);
    const environment = this.#byName.get(name);
    if (!environment) throw new EnvUnknownError(name, this.names, where);
    return environment;
  }
}

function defaultCode(name: string, tier: Tier, builtIn: boolean): string {
  return builtIn ? TIER_DEFAULTS[tier].code : codeFromName(name);
}

/**
 * Builds the catalogue from the built-in environments and a project's
 * declarations. Custom environments other than production-tier ones are
 * purple by default, so a `qa` banner never passes for staging.
 */
export function buildEnvironmentCatalogue(
  inCode: Readonly<Record<string, EnvironmentDeclaration>> = {},
  projectFile = 'envward.config.ts',
  inFiles: Readonly<Record<string, FileDeclaration>> = {},
): EnvironmentCatalogue {
  const declarations: Readonly<Record<string, EnvironmentDeclaration | FileDeclaration>> = { ...inCode, ...inFiles };
  const names = [...new Set<string>([...BUILT_IN_ENVIRONMENTS, ...Object.keys(declarations)])];
  const environments: Environment[] = [];
  const codes = new Map<string, string>();
  for (const name of names) {
    const fromFile = Object.hasOwn(inFiles, name) ? inFiles[name] : undefined;
    const file = fromFile?.file ?? projectFile;
    assertEnvironmentName(name, `environments in ${file}`);
    const declared = declarations[name] ?? {};
    if (declared.tier === 'preview' && !fromFile?.preview) {
      throw new EnvDefinitionError(
        `Environment "${name}" has tier "preview": only \`envward preview up\` makes preview environments`,
        file,
      );
    }
    const builtIn = (BUILT_IN_ENVIRONMENTS as readonly string[]).includes(name);
    const tier = declared.tier ?? (builtIn ? (name as Tier) : undefined);
    if (!tier) throw new EnvDefinitionError(`Environment "${name}" needs a tier (${TIERS.join(', ')})`, file);
    if (!(TIERS as readonly string[]).includes(tier)) {
      throw new EnvDefinitionError(
        `Environment "${name}" has unknown tier "${tier}" (known: ${TIERS.join(', ')})`,
        file,
      );
    }
    const defaults = TIER_DEFAULTS[tier];
    const code = declared.code ?? defaultCode(name, tier, builtIn && tier === name);
    if (!CODE_PATTERN.test(code)) {
      throw new EnvDefinitionError(
        `Environment "${name}" has code "${code}": use 2-4 upper-case letters or digits`,
        file,
      );
    }
    const hosts: unknown = declared.hosts ?? [];
    if (!Array.isArray(hosts) || !hosts.every((host) => typeof host === 'string' && host.trim() !== '')) {
      throw new EnvDefinitionError(
        `Environment "${name}" has hosts ${describeHosts(hosts)}: use a list of host names or globs, e.g. ['*.prod.example.com']`,
        file,
      );
    }
    const clash = codes.get(code);
    if (clash) throw new EnvDefinitionError(`Environments "${clash}" and "${name}" share the code "${code}"`, file);
    codes.set(code, name);
    const colour = declared.colour ?? (builtIn || tier === 'production' ? defaults.colour : 'purple');
    environments.push(
      Object.freeze({
        name,
        tier,
        colour,
        code,
        protected: declared.protected ?? defaults.protected,
        hosts: Object.freeze([...(hosts as string[])]),
        approvals: resolveApprovalPolicy(name, declared.approvals, file),
        ...(fromFile ? { declaredIn: fromFile.file } : {}),
        ...(fromFile?.preview ? { preview: fromFile.preview } : {}),
        slots: declaredSlots(name, declared.slots, file),
      }),
    );
  }
  return new EnvironmentCatalogue(environments);
}

/** A short description of a bad `hosts` value for an error message (never the whole value). */
function describeHosts(hosts: unknown): string {
  if (!Array.isArray(hosts)) return `of type ${hosts === null ? 'null' : typeof hosts}, not a list`;
  const bad = hosts.find((host) => typeof host !== 'string' || host.trim() === '');
  return typeof bad === 'string'
    ? 'with an empty entry'
    : `with an entry of type ${bad === null ? 'null' : typeof bad}`;
}

/** A slot's name: what `ENVWARD_SLOT`, `deploy.slots` keys and `deploy switch --to` accept. */
export const SLOT_NAME = /^[a-z][a-z0-9-]{0,19}$/;

/** `slots` checked: absent is none; else 2-4 distinct slot names, frozen. */
function declaredSlots(name: string, slots: unknown, file: string): readonly string[] {
  if (slots === undefined) return Object.freeze([]);
  const problem = !Array.isArray(slots)
    ? `of type ${slots === null ? 'null' : typeof slots}, not a list`
    : slots.length < 2 || slots.length > 4
      ? `with ${slots.length} entr${slots.length === 1 ? 'y' : 'ies'}, not 2-4`
      : !slots.every((slot) => typeof slot === 'string' && SLOT_NAME.test(slot))
        ? 'with an entry that is not a slot name'
        : new Set(slots).size !== slots.length
          ? 'with a name twice'
          : undefined;
  if (problem) {
    throw new EnvDefinitionError(
      `Environment "${name}" has slots ${problem}: use 2-4 distinct names of a-z, 0-9 and - (starting with a letter, at most 20), e.g. ['blue', 'green']`,
      file,
    );
  }
  return Object.freeze([...(slots as string[])]);
}
