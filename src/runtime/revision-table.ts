import { type Kysely, sql } from 'kysely';
import { isMissingTable } from '../store/internal-tables.js';

/** Runtime revisions of every environment that shares the store's namespace, one row per revision. */
export const REVISION_TABLE = 'envward_config_revision';

/** What made a revision: a set or unset, a rollback, a promotion from another environment, a restore. */
export type RevisionAction = 'set' | 'rollback' | 'promote' | 'restore';

export interface RevisionRow {
  environment: string;
  number: number;
  at: string;
  actor: string;
  host: string;
  action: string;
  reason: string;
  /** JSON: the whole revision-owned state after this revision, key -> text (see revision-state.ts). */
  state: string;
  /** JSON: the changes this revision made, `[{ key, from, to }]` (texts; absent is null). */
  changes: string;
}

export interface RevisionTables {
  [REVISION_TABLE]: RevisionRow;
}

/**
 * Makes the table on the first revision. Revision numbers are per
 * environment, from 1; (environment, number) is the primary key, so two
 * writers that raced past the write lock could not both take a number.
 */
export async function ensureRevisionTable(db: Kysely<RevisionTables>): Promise<void> {
  await db.schema
    .createTable(REVISION_TABLE)
    .ifNotExists()
    .addColumn('environment', 'text', (column) => column.notNull())
    .addColumn('number', 'integer', (column) => column.notNull().check(sql`number > 0`))
    .addColumn('at', 'text', (column) => column.notNull())
    .addColumn('actor', 'text', (column) => column.notNull())
    .addColumn('host', 'text', (column) => column.notNull())
    .addColumn('action', 'text', (column) =>
      column.notNull().check(sql`action in ('set', 'rollback', 'promote', 'restore')`),
    )
    .addColumn('reason', 'text', (column) => column.notNull())
    .addColumn('state', 'text', (column) => column.notNull())
    .addColumn('changes', 'text', (column) => column.notNull())
    .addPrimaryKeyConstraint(`${REVISION_TABLE}_pk`, ['environment', 'number'])
    .execute();
}

/** Rows read, or none when no revision was ever written (a read-only open makes no table). */
async function rowsIfAny<Row>(reading: Promise<Row[]>): Promise<Row[]> {
  try {
    return await reading;
  } catch (error) {
    if (isMissingTable(error)) return [];
    throw error;
  }
}

/** The environment's latest revision, or undefined before the first (revision 0). */
export async function latestRevisionRow(
  db: Kysely<RevisionTables>,
  environment: string,
): Promise<RevisionRow | undefined> {
  const rows = await rowsIfAny(
    db
      .selectFrom(REVISION_TABLE)
      .selectAll()
      .where('environment', '=', environment)
      .orderBy('number', 'desc')
      .limit(1)
      .execute(),
  );
  return rows[0] ? normalise(rows[0]) : undefined;
}

/** The latest revision's number only (0 before the first): what a watcher polls. */
export async function latestRevisionNumber(db: Kysely<RevisionTables>, environment: string): Promise<number> {
  const rows = await rowsIfAny(
    db
      .selectFrom(REVISION_TABLE)
      .select((eb) => eb.fn.max('number').as('number'))
      .where('environment', '=', environment)
      .execute(),
  );
  return Number(rows[0]?.number ?? 0);
}

/** One revision by number, or undefined when the environment has none of that number. */
export async function revisionRow(
  db: Kysely<RevisionTables>,
  environment: string,
  number: number,
): Promise<RevisionRow | undefined> {
  const rows = await rowsIfAny(
    db
      .selectFrom(REVISION_TABLE)
      .selectAll()
      .where('environment', '=', environment)
      .where('number', '=', number)
      .execute(),
  );
  return rows[0] ? normalise(rows[0]) : undefined;
}

/** Every revision of the environment, oldest first. */
export async function revisionRows(db: Kysely<RevisionTables>, environment: string): Promise<RevisionRow[]> {
  const rows = await rowsIfAny(
    db.selectFrom(REVISION_TABLE).selectAll().where('environment', '=', environment).orderBy('number', 'asc').execute(),
  );
  return rows.map(normalise);
}

/** pg returns integers of `integer` columns as numbers, but be exact about it for both drivers. */
function normalise(row: RevisionRow): RevisionRow {
  return { ...row, number: Number(row.number) };
}
