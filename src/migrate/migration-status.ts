/**
 * What is known of an environment's migrations without running one: the
 * files and the history compared (applied, pending, changed, missing), each
 * migration module loaded, and the plan of its statements flagged safe or
 * destructive. Read only; the runner (runner.ts) builds on it.
 */
import type { Kysely } from 'kysely';
import type { Store } from '../store/index.js';
import type { PlannedStatement } from './classify.js';
import { appliedMigrationsIfAny, type HistoryTables, type MigrationRecord } from './history.js';
import { loadModule } from './load-module.js';
import { MigrationLoadError } from './migrate-errors.js';
import { checksumMatches, type MigrationFile, migrationFiles } from './migration-files.js';
import { planStatements } from './plan.js';

export type Run = (db: Kysely<unknown>) => Promise<unknown>;

export interface LoadedMigration extends MigrationFile {
  readonly up: Run;
  readonly down: Run | undefined;
  /** `export const safe = 'why'`: the migration's raw SQL is declared safe. */
  readonly safeReason: string | undefined;
}

export async function load(file: MigrationFile): Promise<LoadedMigration> {
  const module = await loadModule(file.path, file.file);
  if (typeof module.up !== 'function') throw new MigrationLoadError(file.file, 'exports no `up(db)` function');
  const safe = module.safe;
  return {
    ...file,
    up: module.up as Run,
    down: typeof module.down === 'function' ? (module.down as Run) : undefined,
    safeReason: typeof safe === 'string' && safe.trim() !== '' ? safe : undefined,
  };
}

export interface PlannedMigration {
  readonly name: string;
  readonly file: string;
  readonly statements: readonly PlannedStatement[];
  readonly destructive: boolean;
}

export interface MigrationStatus {
  readonly applied: readonly MigrationRecord[];
  readonly pending: readonly string[];
  readonly changed: readonly string[];
  readonly missing: readonly string[];
}

export function compare(files: readonly MigrationFile[], applied: readonly MigrationRecord[]): MigrationStatus {
  const byName = new Map(files.map((file) => [file.name, file]));
  const done = new Set(applied.map((record) => record.name));
  return {
    applied,
    pending: files.filter((file) => !done.has(file.name)).map((file) => file.name),
    changed: applied
      .filter((record) => {
        const file = byName.get(record.name);
        return file !== undefined && !checksumMatches(record.checksum, file);
      })
      .map((record) => record.name),
    missing: applied.filter((record) => !byName.has(record.name)).map((record) => record.name),
  };
}

export const history = (db: Kysely<unknown>) => db as unknown as Kysely<HistoryTables>;

/** Applied, pending, changed and missing migrations of the store's environment. */
export async function migrationStatus(store: Store): Promise<MigrationStatus> {
  const files = migrationFiles(store.projectRoot, store.environment.name);
  return compare(files, await appliedMigrationsIfAny(history(store.db)));
}

/** The statements each pending migration would run, flagged safe or destructive; nothing runs. */
export async function migrationPlan(store: Store): Promise<PlannedMigration[]> {
  const status = await migrationStatus(store);
  const files = migrationFiles(store.projectRoot, store.environment.name).filter((f) =>
    status.pending.includes(f.name),
  );
  return Promise.all(files.map(async (file) => planOf(store, await load(file), 'up')));
}

export async function planOf(
  store: Store,
  migration: LoadedMigration,
  direction: 'up' | 'down',
): Promise<PlannedMigration> {
  const run = direction === 'up' ? migration.up : migration.down;
  const statements = run ? await planStatements(store.dialect, store.plugins, run, migration.safeReason) : [];
  return { name: migration.name, file: migration.file, statements, destructive: statements.some((s) => s.destructive) };
}

export function firstDestructive(plans: readonly PlannedMigration[]) {
  for (const plan of plans) {
    const statement = plan.statements.find((s) => s.destructive);
    if (statement) return { plan, statement };
  }
  return undefined;
}
