/**
 * The store's deployment records: one row per `deploy record`, never
 * updated. The rules the library checks are constraints here too, so a row
 * written by hand or by a bug cannot break them.
 */
import { type Kysely, sql } from 'kysely';
import { isMissingTable } from '../store/internal-tables.js';
import { DEPLOY_OUTCOMES } from './deploy-outcomes.js';

export const DEPLOYMENT_TABLE = 'envward_deployments';

export interface DeploymentRow {
  id: number;
  environment: string;
  version: string;
  /** Lower-case hex, 7 to 64 digits; null when not given. */
  commit: string | null;
  outcome: string;
  actor: string;
  host: string;
  /** ISO-8601. */
  at: string;
  /** '' when none was given. */
  reason: string;
}

export interface DeploymentTables {
  [DEPLOYMENT_TABLE]: DeploymentRow;
}

type Db = Kysely<DeploymentTables>;

const quoted = (values: readonly string[]) => sql.raw(values.map((value) => `'${value}'`).join(', '));

/** Made on the first record, inside its audited transaction (the store's table prefix and schema apply). */
export async function ensureDeploymentTable(db: Db): Promise<void> {
  await db.schema
    .createTable(DEPLOYMENT_TABLE)
    .ifNotExists()
    .addColumn('id', 'integer', (column) => column.primaryKey().check(sql`id > 0`))
    .addColumn('environment', 'text', (column) => column.notNull().check(sql`environment <> ''`))
    .addColumn('version', 'text', (column) =>
      column.notNull().check(sql`length(version) between 1 and 100 and version = trim(version)`),
    )
    .addColumn('commit', 'text', (column) => column.check(sql`length("commit") between 7 and 64`))
    .addColumn('outcome', 'text', (column) => column.notNull().check(sql`outcome in (${quoted(DEPLOY_OUTCOMES)})`))
    .addColumn('actor', 'text', (column) => column.notNull())
    .addColumn('host', 'text', (column) => column.notNull())
    .addColumn('at', 'text', (column) => column.notNull())
    .addColumn('reason', 'text', (column) => column.notNull().defaultTo(''))
    .execute();
}

/** The next id: one more than the largest (under the audit log's write lock, so writers take turns). */
export async function nextDeploymentId(db: Db): Promise<number> {
  const row = await db
    .selectFrom(DEPLOYMENT_TABLE)
    .select((eb) => eb.fn.max('id').as('last'))
    .executeTakeFirst();
  return Number(row?.last ?? 0) + 1;
}

/** pg returns some integers as strings; be exact for both drivers. */
function normalised(row: DeploymentRow): DeploymentRow {
  return { ...row, id: Number(row.id) };
}

/** Rows read, or none when no deployment was ever recorded (a read makes no table). */
async function rowsIfAny<Row>(reading: Promise<Row[]>): Promise<Row[]> {
  try {
    return await reading;
  } catch (error) {
    if (isMissingTable(error)) return [];
    throw error;
  }
}

/** The environment's records, newest first. */
export async function deploymentRows(db: Db, environment: string, limit: number): Promise<DeploymentRow[]> {
  const rows = await rowsIfAny(
    db
      .selectFrom(DEPLOYMENT_TABLE)
      .selectAll()
      .where('environment', '=', environment)
      .orderBy('id', 'desc')
      .limit(limit)
      .execute(),
  );
  return rows.map(normalised);
}

/** The environment's records of one version, oldest first. */
export async function versionRows(db: Db, environment: string, version: string): Promise<DeploymentRow[]> {
  const rows = await rowsIfAny(
    db
      .selectFrom(DEPLOYMENT_TABLE)
      .selectAll()
      .where('environment', '=', environment)
      .where('version', '=', version)
      .orderBy('id', 'asc')
      .execute(),
  );
  return rows.map(normalised);
}

/** How many records of each outcome the environment has; undefined when the table does not exist. */
export async function outcomeCounts(db: Db, environment: string): Promise<Map<string, number> | undefined> {
  try {
    const rows = await db
      .selectFrom(DEPLOYMENT_TABLE)
      .select((eb) => ['outcome', eb.fn.countAll<string | number>().as('count')])
      .where('environment', '=', environment)
      .groupBy('outcome')
      .execute();
    return new Map(rows.map((row) => [row.outcome, Number(row.count)]));
  } catch (error) {
    if (isMissingTable(error)) return undefined;
    throw error;
  }
}
