import type { Kysely } from 'kysely';
import { withAdvisoryLock } from './advisory-lock.js';

/** Tables envward keeps in every store, beside the application's own. */
export const STAMP_TABLE = 'envward_stamp';
export const AUDIT_TABLE = 'envward_audit';

export interface StampRow {
  id: number;
  environment: string;
  tier: string;
  code: string;
  stamped_at: string;
  host: string;
  actor: string;
  /** The project (`project` in envward.config.ts) that owns the database; '' when it declares none. */
  project: string;
  /** The database's identity when stamped (see database-identity.ts); '' when none was recorded. */
  database: string;
  /** Environments this (protected) one declared sharing its database with, comma-separated; '' for none. */
  shares: string;
}

export interface AuditRow {
  seq: number;
  at: string;
  environment: string;
  actor: string;
  host: string;
  action: string;
  target: string;
  reason: string | null;
  outcome: string;
  prev_hash: string;
  hash: string;
}

/**
 * The audit log's anchor, kept in the stamp row outside the audit table
 * (audit-log.ts): the last event's sequence number (the event count of an
 * intact chain) and hash, written in the transaction of every append.
 * Optional: stamp tables made before the anchor lack the columns until a
 * write adds them.
 */
export interface AuditAnchorColumns {
  audit_count: number;
  audit_head: string;
}

export interface InternalTables {
  [STAMP_TABLE]: StampRow & Partial<AuditAnchorColumns>;
  [AUDIT_TABLE]: AuditRow;
}

/** One schema for both dialects: integers, text, ISO-8601 times. */
/** How long a process opening a new PostgreSQL database waits for another that is making envward's tables. */
const TABLES_LOCK_WAIT_MS = 30_000;

/**
 * Makes envward's tables where missing, and upgrades ones an older version
 * made. Processes opening a new database at once take turns: PostgreSQL's
 * CREATE TABLE IF NOT EXISTS is not safe against a concurrent one (the loser
 * fails with 23505 on pg_type), so they queue on an advisory lock (advisory
 * locks are scoped to the database). SQLite makes DDL wait for its one
 * writer, and re-prepares a statement whose schema changed under it.
 */
export async function ensureInternalTables(db: Kysely<InternalTables>, dialect: 'sqlite' | 'postgres'): Promise<void> {
  if (dialect === 'sqlite') return makeInternalTables(db);
  await db
    .connection()
    .execute((connection) =>
      withAdvisoryLock(connection, 'envward_tables', 'envward tables', TABLES_LOCK_WAIT_MS, () =>
        makeInternalTables(connection),
      ),
    );
}

async function makeInternalTables(db: Kysely<InternalTables>): Promise<void> {
  await db.schema
    .createTable(STAMP_TABLE)
    .ifNotExists()
    .addColumn('id', 'integer', (column) => column.primaryKey())
    .addColumn('environment', 'text', (column) => column.notNull())
    .addColumn('tier', 'text', (column) => column.notNull())
    .addColumn('code', 'text', (column) => column.notNull())
    .addColumn('stamped_at', 'text', (column) => column.notNull())
    .addColumn('host', 'text', (column) => column.notNull())
    .addColumn('actor', 'text', (column) => column.notNull())
    .addColumn('project', 'text', (column) => column.notNull().defaultTo(''))
    .addColumn('database', 'text', (column) => column.notNull().defaultTo(''))
    .addColumn('audit_count', 'integer', (column) => column.notNull().defaultTo(0))
    .addColumn('audit_head', 'text', (column) => column.notNull().defaultTo(''))
    .addColumn('shares', 'text', (column) => column.notNull().defaultTo(''))
    .execute();
  await addMissingColumn(db, 'project');
  await addMissingColumn(db, 'database');
  await addMissingColumn(db, 'shares');
  await db.schema
    .createTable(AUDIT_TABLE)
    .ifNotExists()
    .addColumn('seq', 'integer', (column) => column.primaryKey())
    .addColumn('at', 'text', (column) => column.notNull())
    .addColumn('environment', 'text', (column) => column.notNull())
    .addColumn('actor', 'text', (column) => column.notNull())
    .addColumn('host', 'text', (column) => column.notNull())
    .addColumn('action', 'text', (column) => column.notNull())
    .addColumn('target', 'text', (column) => column.notNull())
    .addColumn('reason', 'text')
    .addColumn('outcome', 'text', (column) => column.notNull())
    .addColumn('prev_hash', 'text', (column) => column.notNull())
    .addColumn('hash', 'text', (column) => column.notNull())
    .execute();
  await addAuditAnchor(db);
}

/**
 * Stamp tables made before stamps named their project, the database's
 * identity or the declared sharing get the column (empty: not recorded).
 */
async function addMissingColumn(db: Kysely<InternalTables>, column: 'project' | 'database' | 'shares'): Promise<void> {
  try {
    await db.selectFrom(STAMP_TABLE).select(column).limit(1).execute();
  } catch {
    await db.schema
      .alterTable(STAMP_TABLE)
      .addColumn(column, 'text', (definition) => definition.notNull().defaultTo(''))
      .execute();
  }
}

/**
 * Stamp tables made before the audit anchor get its columns, set from the
 * log as it is now (all or nothing: a kill between the steps leaves no
 * anchor that disagrees with the log).
 */
async function addAuditAnchor(db: Kysely<InternalTables>): Promise<void> {
  try {
    await db.selectFrom(STAMP_TABLE).select(['audit_count', 'audit_head']).limit(1).execute();
    return;
  } catch (error) {
    if (!isMissingColumn(error)) throw error;
  }
  await db.transaction().execute(async (trx) => {
    await trx.schema
      .alterTable(STAMP_TABLE)
      .addColumn('audit_count', 'integer', (definition) => definition.notNull().defaultTo(0))
      .execute();
    await trx.schema
      .alterTable(STAMP_TABLE)
      .addColumn('audit_head', 'text', (definition) => definition.notNull().defaultTo(''))
      .execute();
    const last = await trx
      .selectFrom(AUDIT_TABLE)
      .select(['seq', 'hash'])
      .orderBy('seq', 'desc')
      .limit(1)
      .executeTakeFirst();
    if (last) await trx.updateTable(STAMP_TABLE).set({ audit_count: last.seq, audit_head: last.hash }).execute();
  });
}

/** Whether a query failed because a column does not exist (SQLite's message, PostgreSQL's undefined_column). */
export function isMissingColumn(error: unknown): boolean {
  const { code, message } = (error ?? {}) as { code?: unknown; message?: unknown };
  return code === '42703' || (typeof message === 'string' && message.startsWith('no such column'));
}

/** Whether a query failed because its table does not exist (SQLite's message, PostgreSQL's undefined_table). */
export function isMissingTable(error: unknown): boolean {
  const { code, message } = (error ?? {}) as { code?: unknown; message?: unknown };
  return code === '42P01' || (typeof message === 'string' && message.startsWith('no such table'));
}
