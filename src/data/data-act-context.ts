import { createHash, createSecretKey, randomBytes } from 'node:crypto';
import { hostname as osHostname } from 'node:os';
import { fragmentsOf } from '../config/compose.js';
import { openProject, type Project, type ResolvedConfig } from '../config/resolve.js';
import type { ForceOverride } from '../environment/index.js';
import { ConfigInvalidError } from '../errors.js';
import { resolveConfig } from '../resolution.js';
import { parseDatabaseUrl } from '../store/database-url.js';
import type { Store } from '../store/index.js';
import { storeSettings } from '../store/store-settings.js';
import type { AnonymisationFragment, CheckedTableRule } from './anonymisation-rules.js';
import { columnTransform, type RunKeys } from './column-transforms.js';
import type { CopyColumn, DataDatabase } from './data-database.js';
import { seededFaker } from './seeded-faker.js';
import type { PlannedTable } from './table-plan.js';

/** What every data act takes besides its environments. */
export interface DataActOptions {
  /** Project directory (or below it); default `process.cwd()`. */
  readonly cwd?: string;
  /** An already opened project. */
  readonly project?: Project;
  /** Makes fakes reproducible: the same seed and source value give the same fake. Default: random per run. */
  readonly seed?: string;
  /** Lets a refused stamp check through (audited); needs a reason. Never a production-tier target. */
  readonly force?: ForceOverride;
  /** Process variables (a database URL may be a secret); default `process.env`. */
  readonly variables?: Readonly<Record<string, string | undefined>>;
  readonly hostname?: string;
  /** Who acts, in both audit logs; default the OS user. */
  readonly actor?: string;
  /** Called as tables are copied and verified. */
  readonly onProgress?: (event: DataProgress) => void;
}

/** Progress of a data act, per table. */
export interface DataProgress {
  readonly phase: 'copying' | 'copied' | 'verifying' | 'verified';
  readonly table: string;
  readonly rows: number;
  readonly totalRows: number;
}

/** Rows written per table, in the order they were written. */
export interface TableRows {
  readonly table: string;
  readonly rows: number;
  readonly skipped: boolean;
}

/** The rules `defineAnonymisation` put in `use` (none: every table is unruled). */
export function anonymisationRules(project: Project): ReadonlyMap<string, CheckedTableRule> {
  const fragment = fragmentsOf(project.definition.use).find((candidate) => candidate.key === 'data');
  return (fragment as AnonymisationFragment | undefined)?.anonymisation ?? new Map();
}

/** `data.refresh.*` as resolved for the environment (the defaults when the project declares no rules). */
export function refreshSettings(resolved: ResolvedConfig<unknown>): { verifySample: number; batchRows: number } {
  const data = (resolved.values as { data?: { refresh?: { verifySample?: number; batchRows?: number } } }).data;
  return { verifySample: data?.refresh?.verifySample ?? 200, batchRows: data?.refresh?.batchRows ?? 5_000 };
}

export async function projectOf(options: DataActOptions): Promise<Project> {
  return options.project ?? (await openProject(options.cwd));
}

/**
 * `env` resolved without a host check (an operator refreshes staging from
 * their machine or a pipeline): only its database settings must be valid,
 * as `db status` asks, since an unset secret elsewhere is no reason to stop.
 */
export async function resolveForData(
  project: Project,
  env: string,
  options: DataActOptions,
): Promise<ResolvedConfig<unknown>> {
  const resolved = await resolveConfig<unknown>({
    project,
    env,
    checkHost: false,
    collectIssues: true,
    hostname: options.hostname ?? osHostname(),
    ...(options.variables !== undefined ? { variables: options.variables } : {}),
  });
  const located = resolved.issues.filter((issue) => issue.key.startsWith('database.') || issue.key.startsWith('data.'));
  if (located.length > 0) throw new ConfigInvalidError(env, located);
  return resolved;
}

/** Opens a raw connection to the database `store` was opened on, for COPY or batched inserts. */
export async function openDataDatabase(
  resolved: ResolvedConfig<unknown>,
  store: Store,
  readOnly: boolean,
  batchRows: number,
): Promise<DataDatabase> {
  const settings = storeSettings(resolved);
  const target = parseDatabaseUrl(settings.url, resolved.project.root, resolved.environment.name);
  if (target.dialect !== store.dialect) {
    // A development fallback to SQLite: not the database the environment names.
    throw new Error(
      `${resolved.environment.name}'s store fell back to ${store.where}; a data act needs ${target.shown}`,
    );
  }
  if (target.dialect === 'postgres') {
    const { openPostgresData } = await import('./postgres-data.js');
    return openPostgresData(target.url, settings, readOnly, store.plugins);
  }
  const { openSqliteData } = await import('./sqlite-data.js');
  return openSqliteData(target.path, readOnly, {
    timeoutMs: settings.connectTimeoutMs,
    batchRows,
    plugins: store.plugins,
  });
}

/** The run's salt (random, never stored or shown) and fake-maker (keyed by the seed, or a random key). */
export async function runKeys(tables: readonly PlannedTable[], seed: string | undefined): Promise<RunKeys> {
  const seedKey =
    seed === undefined ? randomBytes(32) : createHash('sha256').update('envward data seed\0').update(seed).digest();
  const rules = tables.flatMap((table) =>
    table.columns.map((column) => ({ where: `${table.rule}.${column.name}`, rule: column.rule })),
  );
  return { salt: createSecretKey(randomBytes(32)), fake: await seededFaker(createSecretKey(seedKey), rules) };
}

/** The columns of `table` with their transforms. */
export function copyColumns(table: PlannedTable, keys: RunKeys): CopyColumn[] {
  return table.columns.map((column) => ({
    name: column.name,
    transform: columnTransform(table.rule, column.name, column.rule, keys),
  }));
}

/** The prefixes of the database's other namespaces, whose tables are not this environment's. */
export function otherPrefixes(store: Store): string[] {
  return store.otherStamps.map((other) => other.namespace.prefix).filter((prefix) => prefix !== '');
}
