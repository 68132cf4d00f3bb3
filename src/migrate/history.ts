import type { Kysely } from 'kysely';
import { isMissingTable } from '../store/internal-tables.js';

export const MIGRATIONS_TABLE = 'envward_migrations';
export const SEEDS_TABLE = 'envward_seeds';

/** One applied migration, as recorded. */
export interface MigrationRecord {
  name: string;
  checksum: string;
  applied_at: string;
  duration_ms: number;
  actor: string;
  host: string;
  environment: string;
}

export interface SeedRecord {
  name: string;
  checksum: string;
  applied_at: string;
}

export interface HistoryTables {
  [MIGRATIONS_TABLE]: MigrationRecord;
  [SEEDS_TABLE]: SeedRecord;
}

export async function ensureHistory(db: Kysely<HistoryTables>): Promise<void> {
  await db.schema
    .createTable(MIGRATIONS_TABLE)
    .ifNotExists()
    .addColumn('name', 'text', (column) => column.primaryKey())
    .addColumn('checksum', 'text', (column) => column.notNull())
    .addColumn('applied_at', 'text', (column) => column.notNull())
    .addColumn('duration_ms', 'integer', (column) => column.notNull())
    .addColumn('actor', 'text', (column) => column.notNull())
    .addColumn('host', 'text', (column) => column.notNull())
    .addColumn('environment', 'text', (column) => column.notNull())
    .execute();
  await db.schema
    .createTable(SEEDS_TABLE)
    .ifNotExists()
    .addColumn('name', 'text', (column) => column.primaryKey())
    .addColumn('checksum', 'text', (column) => column.notNull())
    .addColumn('applied_at', 'text', (column) => column.notNull())
    .execute();
}

export async function appliedMigrations(db: Kysely<HistoryTables>): Promise<MigrationRecord[]> {
  return db.selectFrom(MIGRATIONS_TABLE).selectAll().orderBy('name').execute();
}

/**
 * The applied migrations without creating anything: none when the history
 * table does not exist yet. Status and readiness only read, so they work on
 * a read-only connection and never change a database they inspect.
 */
export async function appliedMigrationsIfAny(db: Kysely<HistoryTables>): Promise<MigrationRecord[]> {
  try {
    return await appliedMigrations(db);
  } catch (error) {
    if (isMissingTable(error)) return [];
    throw error;
  }
}
