import { hostname as osHostname } from 'node:os';
import {
  assertHostAllowed,
  buildEnvironmentCatalogue,
  type DetectionSource,
  detectEnvironment,
  type Environment,
  type EnvironmentCatalogue,
  type ForceOverride,
  type GuardOverride,
  readDeclaredEnvironments,
} from '../environment/index.js';
import {
  ConfigInvalidError,
  type ConfigIssue,
  ConfigKeyUnknownError,
  ConfigParseError,
  describeThrown,
  type EnvwardError,
  isEnvwardError,
  ProjectLoadError,
} from '../errors.js';
import { loadProjectFile, locateProjectFile } from '../project/index.js';
import { CompositionError, composeSchema } from './compose.js';
import type { ProjectDefinition, RegisteredValues } from './define-config.js';
import type { ConfigEntry, ConfigLayer, LayerContext, LayerOutput } from './layer.js';
import { LAYER_ORDER } from './layer-order.js';
import { BUILT_IN_LAYERS } from './layers/index.js';
import { displayValue } from './mask.js';
import { indexSchema, type SchemaIndex } from './schema-index.js';
import { parseSchema, schemaIssues, schemaThrewIssue } from './schema-validation.js';
import { createScrubber } from './scrubber.js';
import { knownSecretTexts, scrubIssue } from './secret-issues.js';
import { suggestKey } from './suggest.js';
import { checkTierRules } from './tier-rules.js';
import { readPath, setPath } from './value-path.js';
import { type ResolutionWarning, shadowedSecretWarnings } from './warnings.js';

/** A loaded project: its definition, environments and schema index, ready to resolve any environment. */
export interface Project {
  readonly root: string;
  readonly file: string;
  readonly definition: ProjectDefinition;
  readonly environments: EnvironmentCatalogue;
  readonly schema: SchemaIndex;
}

const DEFINITION_FIELDS = [
  'project',
  'schema',
  'use',
  'environments',
  'variables',
  'overrides',
  'required',
  'rules',
] as const satisfies readonly (keyof ProjectDefinition)[];

/**
 * The project's definition read once into a plain object, so a getter or a
 * Proxy in envward.config.ts fails here, as EW_PROJECT_LOAD naming the field,
 * and not later in whatever code reads it first.
 */
function readDefinition(loaded: ProjectDefinition, file: string): ProjectDefinition {
  const definition: Record<string, unknown> = {};
  for (const field of DEFINITION_FIELDS) {
    try {
      const value: unknown = loaded[field];
      if (value !== undefined) definition[field] = value;
    } catch (error) {
      throw new ProjectLoadError(
        file,
        `reading \`${field}\` of its default export threw: ${describeThrown(error)}`,
        error,
      );
    }
  }
  // A definition written without defineConfig gets its fragments composed here (a no-op when already done).
  try {
    definition.schema = composeSchema(definition.schema, definition.use);
  } catch (error) {
    if (!(error instanceof CompositionError)) throw error;
    throw new ProjectLoadError(file, error.message, error);
  }
  return Object.freeze(definition) as unknown as ProjectDefinition;
}

/** Anything the project's code throws while it is loaded or read is EW_PROJECT_LOAD, whatever was thrown. */
function asProjectLoadError(error: unknown, file: string): EnvwardError {
  return isEnvwardError(error) ? error : new ProjectLoadError(file, describeThrown(error), error);
}

/**
 * Loads the project at or above `cwd`; without one, at or above the current
 * directory, else at or above the entry script's directory (process.argv[1]).
 */
export async function openProject(cwd?: string): Promise<Project> {
  const { root, file } = locateProjectFile(cwd);
  try {
    const definition = readDefinition(await loadProjectFile(file), file);
    return {
      root,
      file,
      definition,
      environments: buildEnvironmentCatalogue(
        definition.environments,
        file,
        readDeclaredEnvironments(root, definition.environments),
      ),
      schema: indexSchema(definition.schema, definition.variables, file),
    };
  } catch (error) {
    throw asProjectLoadError(error, file);
  }
}

export interface ResolveOptions {
  /**
   * Project directory (or any directory below it). Default: the current
   * directory, else the entry script's directory when the current one has no
   * project (a service started from elsewhere).
   */
  readonly cwd?: string;
  /** An already opened project, to resolve several environments without reloading. */
  readonly project?: Project;
  /** The environment, overriding detection (the CLI's --env). */
  readonly env?: string;
  /** Process variables; default `process.env`, read once here. */
  readonly variables?: Readonly<Record<string, string | undefined>>;
  readonly hostname?: string;
  /** Explicit values, highest precedence: `{ 'log.level': 'warn' }`. */
  readonly set?: Readonly<Record<string, string>>;
  /** Lets a refused host check through; the reason is returned for warning and audit. */
  readonly force?: ForceOverride;
  /** Inspection of another environment (show, diff) skips the host check. */
  readonly checkHost?: boolean;
  /** Layers of other capabilities (secrets, runtime revisions), placed by their name in LAYER_ORDER. */
  readonly layers?: readonly ConfigLayer[];
  /** Return problems in `issues` instead of throwing EW_CONFIG_INVALID. */
  readonly collectIssues?: boolean;
}

type DeepReadonly<T> = T extends (...args: never[]) => unknown
  ? T
  : T extends object
    ? { readonly [K in keyof T]: DeepReadonly<T[K]> }
    : T;

/** What `explain` says of one key: its value, the layer that won, and every value it shadowed. */
export interface Explanation {
  readonly key: string;
  readonly secret: boolean;
  /** The validated value, masked when secret. */
  readonly value: unknown;
  readonly winner: ConfigEntry | undefined;
  /** Values the winner overrode, lowest layer first; secret values masked. */
  readonly overridden: readonly ConfigEntry[];
}

export interface ResolvedConfig<Values = RegisteredValues> {
  readonly values: DeepReadonly<Values>;
  readonly environment: Environment;
  readonly detection: DetectionSource;
  readonly hostname: string;
  readonly override: GuardOverride | undefined;
  readonly project: Project;
  /** Problems found; empty unless `collectIssues` was set (otherwise they throw). */
  readonly issues: readonly ConfigIssue[];
  /**
   * Things to tell the user that did not stop resolution (e.g. development
   * secrets left undecrypted): logged once at start by createLogger and the
   * Fastify plugin, printed by the CLI. Never a secret value.
   */
  readonly warnings: readonly ResolutionWarning[];
  /** Every key the schema declares, in schema order. */
  readonly keys: readonly string[];
  isSecret(key: string): boolean;
  /**
   * Every text a secret may appear as, for scrubbing logs and responses by
   * value: the values of secret keys (a structured secret's keys and leaves
   * too, and values shadowed by a later layer) and the password of every URL.
   */
  secretValues(): readonly string[];
  /** Value and provenance of one key; throws EW_CONFIG_KEY for keys the schema does not declare. */
  explain(key: string): Explanation;
}

// The options each resolution was made with, so a runtime revision can resolve the same environment again.
const optionsOf = new WeakMap<object, ResolveOptions>();

/**
 * Resolves `resolved`'s environment again as it was resolved (the same
 * project, variables, explicit values and layers), with `layers` replacing
 * or adding layers by name: how a runtime revision is applied. Files and
 * secrets are read anew.
 */
export function reresolve<Values>(
  resolved: ResolvedConfig<Values>,
  layers: readonly ConfigLayer[],
  options: Pick<ResolveOptions, 'collectIssues'> = {},
): Promise<ResolvedConfig<Values>> {
  const previous = optionsOf.get(resolved) ?? {};
  const replaced = new Set(layers.map((layer) => layer.name));
  return resolveConfig<Values>({
    ...previous,
    project: resolved.project,
    env: resolved.environment.name,
    hostname: resolved.hostname,
    checkHost: false,
    collectIssues: options.collectIssues ?? false,
    layers: [...(previous.layers ?? []).filter((layer) => !replaced.has(layer.name)), ...layers],
  });
}

function orderLayers(extra: readonly ConfigLayer[]): ConfigLayer[] {
  const byName = new Map<string, ConfigLayer>(BUILT_IN_LAYERS.map((layer) => [layer.name, layer]));
  for (const layer of extra) byName.set(layer.name, layer);
  return LAYER_ORDER.flatMap((name) => byName.get(name) ?? []);
}

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}

function maskEntry(entry: ConfigEntry, secret: boolean): ConfigEntry {
  const value = displayValue(entry.value, secret);
  return value === entry.value ? entry : { ...entry, value };
}

/**
 * Resolves the configuration of one environment from every layer, validates
 * it (schema, tier rules, project rules), and returns the frozen values with
 * their provenance. Throws one EW_CONFIG_INVALID listing every problem.
 * @example
 * const resolved = await resolveConfig({ env: 'staging' });
 * resolved.explain('database.url').winner?.source; // { layer: 'environment-file', file: ..., line: 3 }
 */
export async function resolveConfig<Values = RegisteredValues>(
  options: ResolveOptions = {},
): Promise<ResolvedConfig<Values>> {
  const project = options.project ?? (await openProject(options.cwd));
  const variables = options.variables ?? process.env;
  const hostname = options.hostname ?? osHostname();
  const detection = detectEnvironment({
    catalogue: project.environments,
    option: options.env,
    variables,
    projectRoot: project.root,
    hostname,
  });
  const { environment } = detection;
  const override =
    options.checkHost === false
      ? undefined
      : assertHostAllowed(environment, hostname, project.environments, options.force);

  const context: LayerContext = {
    projectRoot: project.root,
    environment,
    definition: project.definition,
    schema: project.schema,
    variables,
    explicit: options.set ?? {},
  };
  const history = new Map<string, ConfigEntry[]>();
  const issues: ConfigIssue[] = [];
  const warnings: ResolutionWarning[] = [];
  const parseErrors: ConfigParseError[] = [];
  for (const layer of orderLayers(options.layers ?? [])) {
    let output: LayerOutput;
    try {
      output = await layer.load(context);
    } catch (error) {
      // Keep reading the other files so one run reports every syntax error.
      if (!(error instanceof ConfigParseError)) throw error;
      parseErrors.push(error);
      continue;
    }
    issues.push(...output.issues);
    if (output.warnings) warnings.push(...output.warnings);
    for (const entry of output.entries) {
      const list = history.get(entry.key);
      if (list) list.push(entry);
      else history.set(entry.key, [entry]);
    }
  }

  if (parseErrors.length > 0) throw ConfigParseError.combine(parseErrors);
  const sealed = [...history].filter(([, entries]) => entries.some((entry) => entry.source.layer === 'secrets'));
  warnings.push(
    ...shadowedSecretWarnings(
      environment,
      project.schema,
      sealed.map(([key]) => key),
      variables,
    ),
  );

  const winners = new Map<string, ConfigEntry>();
  const merged: Record<string, unknown> = {};
  for (const group of project.schema.groups) setPath(merged, group.split('.'), {});
  for (const [key, entries] of history) {
    const winner = entries[entries.length - 1] as ConfigEntry;
    winners.set(key, winner);
    setPath(merged, project.schema.leaves.get(key)?.path ?? key.split('.'), winner.value);
  }

  const parsed = parseSchema(project.definition.schema, merged);
  let values: Record<string, unknown> = merged;
  if ('threw' in parsed) {
    issues.push(schemaThrewIssue(project.schema, merged, environment.name, winners, parsed.threw));
  } else if (parsed.success) {
    values = parsed.data as Record<string, unknown>;
    issues.push(
      ...checkTierRules({
        environment,
        definition: project.definition,
        schema: project.schema,
        values,
        winners,
        history,
      }),
    );
  } else {
    issues.push(...schemaIssues(parsed.error.issues, environment.name, project.schema, winners));
  }
  if (issues.length > 0) {
    // Masking by key happened where each issue was made; this catches a secret quoted anywhere else.
    const scrub = createScrubber(knownSecretTexts(project.schema, values, history));
    issues.splice(0, issues.length, ...issues.map((issue) => scrubIssue(issue, scrub)));
    if (!options.collectIssues) throw new ConfigInvalidError(environment.name, issues);
  }
  deepFreeze(values);

  const keys = Object.freeze([...project.schema.leaves.keys()]);
  const isSecret = (key: string) => project.schema.leaves.get(key)?.secret ?? false;
  const resolved: ResolvedConfig<Values> = Object.freeze({
    values: values as DeepReadonly<Values>,
    environment,
    detection: detection.source,
    hostname,
    override,
    project,
    issues: Object.freeze(issues),
    warnings: Object.freeze(warnings),
    keys,
    isSecret,
    secretValues() {
      return knownSecretTexts(project.schema, values, history);
    },
    explain(key: string): Explanation {
      const leaf = project.schema.leaves.get(key);
      if (!leaf) {
        throw new ConfigKeyUnknownError(key, `environment ${environment.name}`, suggestKey(key, keys));
      }
      const entries = (history.get(key) ?? []).map((entry) => maskEntry(entry, leaf.secret));
      return {
        key,
        secret: leaf.secret,
        value: displayValue(readPath(values, leaf.path), leaf.secret),
        winner: entries[entries.length - 1],
        overridden: entries.slice(0, -1),
      };
    },
  });
  optionsOf.set(resolved, { ...options, variables, hostname });
  return resolved;
}

/**
 * Resolves and validates the configuration of the detected environment and
 * returns it frozen and typed (register your project's type once with
 * `declare module 'envward' { interface Register { config: typeof config } }`).
 * @example
 * const config = await loadConfig();
 * config.database.url; // typed from the schema
 */
export async function loadConfig<Values = RegisteredValues>(
  options: ResolveOptions = {},
): Promise<DeepReadonly<Values>> {
  return (await resolveConfig<Values>(options)).values;
}
