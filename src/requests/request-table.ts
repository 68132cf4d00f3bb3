/**
 * The store's change requests and their reviews. Every rule the code keeps
 * is a constraint here too, so a row written by hand or a bug cannot break
 * it: a reviewer is never the requester (CHECK, and a composite foreign key
 * that ties the review's requester to the request's), one review per person
 * (primary key), a decided request has a decision time and a pending one none.
 */
import { type Kysely, sql } from 'kysely';
import { isMissingTable } from '../store/internal-tables.js';

export const REQUEST_TABLE = 'envward_change_request';
export const REVIEW_TABLE = 'envward_change_review';

export const REQUEST_KINDS = Object.freeze([
  'config.set',
  'config.rollback',
  'secret.set',
  'migrate.destructive',
] as const);
export const REQUEST_STATUSES = Object.freeze(['pending', 'applied', 'rejected', 'stale', 'failed'] as const);
export type RequestKind = (typeof REQUEST_KINDS)[number];
export type RequestStatus = (typeof REQUEST_STATUSES)[number];

export interface RequestRow {
  id: number;
  environment: string;
  kind: string;
  /** JSON of the change: keys and values for config, key and ciphertext for a secret; never a plaintext secret. */
  payload: string;
  /** JSON of the masked diff shown to reviewers. */
  diff: string;
  /** Fingerprint of the state the request was made against (docs/requests.md: stale). */
  base: string;
  requester: string;
  reason: string;
  status: string;
  required: number;
  created_at: string;
  decided_at: string | null;
  /** Why it ended as it did: the revision it made, the error code that stopped it. */
  outcome: string;
}

export interface ReviewRow {
  request_id: number;
  reviewer: string;
  requester: string;
  decision: string;
  reason: string;
  at: string;
}

export interface RequestTables {
  [REQUEST_TABLE]: RequestRow;
  [REVIEW_TABLE]: ReviewRow;
}

const quoted = (values: readonly string[]) => sql.raw(values.map((value) => `'${value}'`).join(', '));

/** Makes both tables on the first request (inside the request's write transaction). */
export async function ensureRequestTables(db: Kysely<RequestTables>): Promise<void> {
  await db.schema
    .createTable(REQUEST_TABLE)
    .ifNotExists()
    .addColumn('id', 'integer', (column) => column.primaryKey().check(sql`id > 0`))
    .addColumn('environment', 'text', (column) => column.notNull())
    .addColumn('kind', 'text', (column) => column.notNull().check(sql`kind in (${quoted(REQUEST_KINDS)})`))
    .addColumn('payload', 'text', (column) => column.notNull())
    .addColumn('diff', 'text', (column) => column.notNull())
    .addColumn('base', 'text', (column) => column.notNull())
    .addColumn('requester', 'text', (column) => column.notNull().check(sql`requester <> ''`))
    .addColumn('reason', 'text', (column) => column.notNull())
    .addColumn('status', 'text', (column) => column.notNull().check(sql`status in (${quoted(REQUEST_STATUSES)})`))
    .addColumn('required', 'integer', (column) => column.notNull().check(sql`required between 1 and 5`))
    .addColumn('created_at', 'text', (column) => column.notNull())
    .addColumn('decided_at', 'text')
    .addColumn('outcome', 'text', (column) => column.notNull().defaultTo(''))
    .addUniqueConstraint(`${REQUEST_TABLE}_requester`, ['id', 'requester'])
    .addCheckConstraint(`${REQUEST_TABLE}_decided`, sql`(status = 'pending') = (decided_at is null)`)
    .execute();
  await db.schema
    .createTable(REVIEW_TABLE)
    .ifNotExists()
    .addColumn('request_id', 'integer', (column) => column.notNull())
    .addColumn('reviewer', 'text', (column) => column.notNull().check(sql`reviewer <> ''`))
    .addColumn('requester', 'text', (column) => column.notNull())
    .addColumn('decision', 'text', (column) => column.notNull().check(sql`decision in ('approve', 'reject')`))
    .addColumn('reason', 'text', (column) => column.notNull())
    .addColumn('at', 'text', (column) => column.notNull())
    .addPrimaryKeyConstraint(`${REVIEW_TABLE}_pk`, ['request_id', 'reviewer'])
    .addCheckConstraint(`${REVIEW_TABLE}_not_own`, sql`reviewer <> requester`)
    .addForeignKeyConstraint(`${REVIEW_TABLE}_request`, ['request_id', 'requester'], REQUEST_TABLE, ['id', 'requester'])
    .execute();
}

/** Rows read, or none when no request was ever made (reads make no table). */
export async function rowsIfAny<Row>(reading: Promise<Row[]>): Promise<Row[]> {
  try {
    return await reading;
  } catch (error) {
    if (isMissingTable(error)) return [];
    throw error;
  }
}

/** pg may return integers as strings in some column types; be exact for both drivers. */
export function normaliseRequest(row: RequestRow): RequestRow {
  return { ...row, id: Number(row.id), required: Number(row.required) };
}
