/**
 * Reading and deciding request rows inside a transaction (or a read-only
 * store), and turning them into the `ChangeRequest` callers see.
 */
import type { Kysely } from 'kysely';
import type { ChangeRequest, RequestDiffLine, RequestReview } from './change-request.js';
import { RequestNotFoundError } from './request-errors.js';
import {
  normaliseRequest,
  REQUEST_TABLE,
  REVIEW_TABLE,
  type RequestKind,
  type RequestRow,
  type RequestStatus,
  type RequestTables,
  type ReviewRow,
  rowsIfAny,
} from './request-table.js';

/** The request `id` of `environment`; EW_REQUEST_NOT_FOUND when there is none (another environment's is none). */
export async function requestRow(db: Kysely<RequestTables>, environment: string, id: number): Promise<RequestRow> {
  const rows = Number.isSafeInteger(id)
    ? await rowsIfAny(
        db.selectFrom(REQUEST_TABLE).selectAll().where('environment', '=', environment).where('id', '=', id).execute(),
      )
    : [];
  if (!rows[0]) throw new RequestNotFoundError(environment, id);
  return normaliseRequest(rows[0]);
}

export async function reviewRows(db: Kysely<RequestTables>, ids: readonly number[]): Promise<ReviewRow[]> {
  if (ids.length === 0) return [];
  return rowsIfAny(
    db.selectFrom(REVIEW_TABLE).selectAll().where('request_id', 'in', ids).orderBy('at').orderBy('reviewer').execute(),
  );
}

/** Closes a pending request; false when it was decided meanwhile (someone else closed it first). */
export async function closeRequest(
  db: Kysely<RequestTables>,
  id: number,
  status: Exclude<RequestStatus, 'pending'>,
  outcome: string,
): Promise<boolean> {
  const result = await db
    .updateTable(REQUEST_TABLE)
    .set({ status, outcome, decided_at: new Date().toISOString() })
    .where('id', '=', id)
    .where('status', '=', 'pending')
    .executeTakeFirst();
  return Number(result.numUpdatedRows ?? 0n) === 1;
}

function parseDiff(text: string): RequestDiffLine[] {
  try {
    const parsed: unknown = JSON.parse(text);
    return Array.isArray(parsed) ? (parsed as RequestDiffLine[]) : [];
  } catch {
    return [];
  }
}

export function toChangeRequest(row: RequestRow, reviews: readonly ReviewRow[]): ChangeRequest {
  const own: RequestReview[] = reviews
    .filter((review) => Number(review.request_id) === row.id)
    .map((review) => ({
      reviewer: review.reviewer,
      decision: review.decision as RequestReview['decision'],
      reason: review.reason,
      at: review.at,
    }));
  return {
    id: row.id,
    environment: row.environment,
    kind: row.kind as RequestKind,
    status: row.status as RequestStatus,
    requester: row.requester,
    reason: row.reason,
    required: row.required,
    approvals: own.filter((review) => review.decision === 'approve').length,
    diff: parseDiff(row.diff),
    createdAt: row.created_at,
    decidedAt: row.decided_at,
    outcome: row.outcome,
    reviews: own,
  };
}

/** The request as it is now, with its reviews. */
export async function currentRequest(
  db: Kysely<RequestTables>,
  environment: string,
  id: number,
): Promise<ChangeRequest> {
  const row = await requestRow(db, environment, id);
  return toChangeRequest(row, await reviewRows(db, [row.id]));
}

/** The audit target of a request step: `request #7 config.set: log.level, app.port`. */
export function requestTarget(row: Pick<RequestRow, 'id' | 'kind' | 'diff'>, detail = ''): string {
  const keys = parseDiff(row.diff).map((line) => line.key);
  const shown = keys.length > 8 ? `${keys.slice(0, 8).join(', ')} (+${keys.length - 8} more)` : keys.join(', ');
  return `request #${row.id} ${row.kind}${shown ? `: ${shown}` : ''}${detail ? ` (${detail})` : ''}`;
}
