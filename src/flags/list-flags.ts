/**
 * `envward flags list`: each declared flag's value in each environment, as
 * the environment's services run with it (its files plus its latest runtime
 * revision, read from its store without writing anything).
 */
import { describeSource } from '../config/layer.js';
import { openProject } from '../config/resolve.js';
import { type ConfigIssue, isEnvwardError } from '../errors.js';
import { resolveCurrent } from '../runtime/current-config.js';
import type { FlagType, ProductionRule } from './flag-declarations.js';
import { declaredFlags } from './flag-table.js';
import type { FlagSettings } from './flags-settings.js';

export interface ListFlagsRequest {
  /** The project directory (default: the current directory, as resolveConfig finds it). */
  readonly cwd?: string;
  /** One environment; default every environment of the project. */
  readonly env?: string;
  /** Read each environment's runtime revisions from its store (default true). */
  readonly revisions?: boolean;
  /** Process variables; default `process.env`. */
  readonly variables?: Readonly<Record<string, string | undefined>>;
}

/** One flag in one environment. */
export interface FlagInEnvironment {
  readonly environment: string;
  readonly value: unknown;
  /** How many targeting rules it has there. */
  readonly rules: number;
  readonly reason: string | undefined;
  /** The layer its value comes from, and where (`config/environments/staging/settings.yml:4`, `revision 3`). */
  readonly layer: string;
  readonly source: string;
  /** The runtime revision that set the value, when one did. */
  readonly revision?: number;
  /** Problems with this flag's keys there (a tier rule, a wrong type). */
  readonly issues: readonly ConfigIssue[];
}

export interface ListedFlag {
  readonly name: string;
  readonly type: FlagType;
  readonly default: unknown;
  readonly variants?: readonly string[];
  readonly production: ProductionRule;
  readonly description?: string;
  readonly environments: readonly FlagInEnvironment[];
}

/** An environment that could not be read, or whose other keys have problems (shown, not fatal). */
export interface EnvironmentNote {
  readonly environment: string;
  readonly message: string;
}

export interface FlagList {
  readonly flags: readonly ListedFlag[];
  /** Environments read, in catalogue order. */
  readonly environments: readonly string[];
  /** Something the reader should know: revisions not read, other problems of an environment. */
  readonly notes: readonly EnvironmentNote[];
  /** True when a flag key has an issue in some environment. */
  readonly problems: boolean;
}

interface Column {
  readonly environment: string;
  readonly read: (name: string) => FlagInEnvironment;
}

/**
 * Each declared flag with its type and, per environment, value, targeting
 * rule count, reason and where the value comes from. Reads only: no file,
 * directory, table or schema is created anywhere.
 * @example
 * const { flags } = await listFlags({ env: 'production' });
 */
export async function listFlags(request: ListFlagsRequest = {}): Promise<FlagList> {
  const project = await openProject(request.cwd);
  const declared = declaredFlags(project) ?? [];
  const names = request.env !== undefined ? [request.env] : project.environments.names;
  const notes: EnvironmentNote[] = [];
  const columns: Column[] = [];
  for (const name of names) {
    let current: Awaited<ReturnType<typeof resolveCurrent>>;
    try {
      current = await resolveCurrent(request.revisions !== false, {
        project,
        env: name,
        checkHost: false,
        collectIssues: true,
        ...(request.variables !== undefined ? { variables: request.variables } : {}),
      });
    } catch (error) {
      // Secrets that cannot be opened here stop this environment only.
      if (!isEnvwardError(error) || !error.code.startsWith('EW_SECRET_') || request.env !== undefined) throw error;
      notes.push({ environment: name, message: `not read (${error.code}: ${error.message})` });
      continue;
    }
    const { resolved, warnings } = current;
    const environment = resolved.environment.name;
    for (const warning of warnings) notes.push({ environment, message: warning });
    const other = resolved.issues.filter((issue) => !issue.key.startsWith('flags.'));
    if (other.length > 0) {
      notes.push({
        environment,
        message: `${other.length} other configuration problem(s); \`envward config validate --env ${environment}\` lists them`,
      });
    }
    const values = (resolved.values as { flags?: Record<string, Partial<FlagSettings> | undefined> }).flags;
    columns.push({
      environment,
      read(flag) {
        const own = values?.[flag];
        const winner = resolved.explain(`flags.${flag}.value`).winner;
        const source = winner?.source;
        const setBy =
          source?.layer === 'runtime-revisions' && source.revision !== undefined ? Number(source.revision) : undefined;
        return {
          environment,
          value: own?.value,
          rules: Array.isArray(own?.targeting) ? own.targeting.length : 0,
          reason: typeof own?.reason === 'string' ? own.reason : undefined,
          layer: source?.layer ?? 'schema-defaults',
          source: source ? describeSource(source) : 'schema-defaults',
          ...(setBy !== undefined ? { revision: setBy } : {}),
          issues: resolved.issues.filter((issue) => issue.key.startsWith(`flags.${flag}.`)),
        };
      },
    });
  }
  const flags = declared.map((flag) => ({
    name: flag.name,
    type: flag.type,
    default: flag.default,
    ...(flag.variants ? { variants: flag.variants } : {}),
    production: flag.production,
    ...(flag.description !== undefined ? { description: flag.description } : {}),
    environments: columns.map((column) => column.read(flag.name)),
  }));
  return {
    flags,
    environments: columns.map((column) => column.environment),
    notes,
    problems: flags.some((flag) => flag.environments.some((entry) => entry.issues.length > 0)),
  };
}
