import type { Kysely } from 'kysely';
import type { Environment } from '../environment/index.js';
import { type InternalTables, isMissingTable, STAMP_TABLE, type StampRow } from './internal-tables.js';

/** Who owns a database: the environment, and when, where and by whom it was stamped. */
export interface Stamp {
  readonly environment: string;
  readonly tier: string;
  readonly code: string;
  readonly stampedAt: string;
  readonly host: string;
  readonly actor: string;
  /** The project that owns the database ('' when none was recorded). */
  readonly project: string;
  /** The identity of the database that was stamped (see Store.identity; '' when none was recorded). */
  readonly database: string;
  /** Environments this (protected) environment declared sharing its database with (`database.shareWith`). */
  readonly shares: readonly string[];
}

/** A stamp row as read, possibly from a table made before some columns existed. */
export function fromRow(row: Partial<StampRow> & Omit<StampRow, 'project' | 'database' | 'shares'>): Stamp {
  return {
    environment: row.environment,
    tier: row.tier,
    code: row.code,
    stampedAt: row.stamped_at,
    host: row.host,
    actor: row.actor,
    project: row.project ?? '',
    database: row.database ?? '',
    shares: sharesOf(row.shares ?? ''),
  };
}

const sharesOf = (text: string) =>
  text
    .split(',')
    .filter((name) => name !== '')
    .sort();

/** The stamp, or undefined when there is none (no stamp table yet counts as none: inspection creates nothing). */
export async function readStamp(db: Kysely<InternalTables>): Promise<Stamp | undefined> {
  try {
    const row = await db.selectFrom(STAMP_TABLE).selectAll().where('id', '=', 1).executeTakeFirst();
    return row ? fromRow(row) : undefined;
  } catch (error) {
    if (isMissingTable(error)) return undefined;
    throw error;
  }
}

/** Who stamps: the host, the actor, the project they act for, and the sharing the environment declares. */
export interface Stamper {
  readonly host: string;
  readonly actor: string;
  readonly project: string;
  /** `database.shareWith` of the environment (none when left out). */
  readonly shares?: readonly string[];
}

function stampRow(environment: Environment, who: Stamper, database: string): StampRow {
  return {
    id: 1,
    environment: environment.name,
    tier: environment.tier,
    code: environment.code,
    stamped_at: new Date().toISOString(),
    host: who.host,
    actor: who.actor,
    project: who.project,
    database,
    shares: (who.shares ?? []).join(','),
  };
}

/**
 * Stamps an unstamped database (of identity `database`) for `environment`,
 * unless another process stamped it first: of processes racing to stamp a
 * new database, exactly one wins, and every one gets back the stamp that holds.
 */
export async function claimStamp(
  db: Kysely<InternalTables>,
  environment: Environment,
  who: Stamper,
  database: string,
): Promise<{ stamp: Stamp; claimed: boolean }> {
  const result = await db
    .insertInto(STAMP_TABLE)
    .values(stampRow(environment, who, database))
    .onConflict((conflict) => conflict.column('id').doNothing())
    .executeTakeFirst();
  const stamp = await readStamp(db);
  if (!stamp) throw new Error(`${STAMP_TABLE} has no row after stamping`);
  return { stamp, claimed: Number(result.numInsertedOrUpdatedRows ?? 0) > 0 };
}

/** Writes (or replaces) the one stamp row, in one statement. */
export async function writeStamp(
  db: Kysely<InternalTables>,
  environment: Environment,
  who: Stamper,
  database: string,
): Promise<Stamp> {
  const row = stampRow(environment, who, database);
  const { id: _id, ...rest } = row;
  await db
    .insertInto(STAMP_TABLE)
    .values(row)
    .onConflict((conflict) => conflict.column('id').doUpdateSet(rest))
    .execute();
  return fromRow(row);
}

/**
 * Records `database` as the stamped database's identity, only if the stamp
 * still records `was`: of processes racing to record it, one does (and audits it).
 */
export async function recordStampedDatabase(
  db: Kysely<InternalTables>,
  was: string,
  database: string,
): Promise<{ stamp: Stamp | undefined; recorded: boolean }> {
  const result = await db
    .updateTable(STAMP_TABLE)
    .set({ database })
    .where('id', '=', 1)
    .where('database', '=', was)
    .executeTakeFirst();
  return { stamp: await readStamp(db), recorded: Number(result.numUpdatedRows) > 0 };
}

/** Records the sharing the stamp's environment declares now (`database.shareWith`), replacing what it declared before. */
export async function recordShares(db: Kysely<InternalTables>, shares: readonly string[]): Promise<Stamp | undefined> {
  await db
    .updateTable(STAMP_TABLE)
    .set({ shares: shares.join(',') })
    .where('id', '=', 1)
    .execute();
  return readStamp(db);
}

/** Whether two lists of environment names say the same (both are kept sorted). */
export function sameShares(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((name, index) => name === b[index]);
}
