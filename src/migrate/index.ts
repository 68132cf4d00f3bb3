/**
 * envward/migrate: migrations and seeds for the environment's store, with
 * the guards of protected environments. Every name is listed on purpose and
 * documented in docs/api.md.
 */
export type { PlannedStatement } from './classify.js';
export type { MigrationRecord } from './history.js';
export {
  DestructiveMigrationError,
  MigrationChecksumError,
  MigrationFailedError,
  MigrationLoadError,
  MigrationLockedError,
  MigrationOrderError,
} from './migrate-errors.js';
export type { MigrateOptions, MigrationStatus, PlannedMigration, ProgressEvent, UpResult } from './runner.js';
export type { SeedResult } from './seeds.js';

/*
 * Migrations load Kysely and jiti; they are reached through these wrappers so
 * that importing envward loads neither.
 */
import { importPeer } from '../peers.js';
import type { Store } from '../store/index.js';
import type { MigrateOptions, MigrationStatus, PlannedMigration, UpResult } from './runner.js';
import type { SeedResult } from './seeds.js';

function runner(): Promise<typeof import('./runner.js')> {
  return importPeer('envward/migrate', () => import('./runner.js'));
}

export async function migrationStatus(store: Store): Promise<MigrationStatus> {
  return (await runner()).migrationStatus(store);
}

export async function migrationPlan(store: Store): Promise<PlannedMigration[]> {
  return (await runner()).migrationPlan(store);
}

export async function migrateUp(store: Store, options?: MigrateOptions): Promise<UpResult> {
  return (await runner()).migrateUp(store, options);
}

export async function migrateDown(store: Store, options?: MigrateOptions & { steps?: number }): Promise<UpResult> {
  return (await runner()).migrateDown(store, options);
}

export async function runSeeds(store: Store, options?: { readonly waitMs?: number }): Promise<SeedResult> {
  return (await importPeer('envward/migrate', () => import('./seeds.js'))).runSeeds(store, options);
}
