/**
 * Reviews: an approval or a rejection by someone other than the requester,
 * once each, recorded with its audit event in one transaction. The approval
 * that reaches the quorum applies the request in the same call (apply.ts).
 */
import { approvalsNeeded } from '../environment/approval-policy.js';
import { isEnvwardError } from '../errors.js';
import type { Store } from '../store/open-store.js';
import { applyRequest } from './apply.js';
import type { ChangeRequest, ReviewRequestRequest } from './change-request.js';
import { checkedReason, environmentTarget, openForWrite, POLICY_KIND, requestDb } from './request-context.js';
import { RequestClosedError, RequestReviewedError, RequestSelfReviewError } from './request-errors.js';
import { closeRequest, currentRequest, requestRow, requestTarget, reviewRows } from './request-rows.js';
import { REVIEW_TABLE, type RequestKind, type RequestRow } from './request-table.js';

type Decision = 'approve' | 'reject';

async function recordReview(
  store: Store,
  environment: string,
  id: number,
  decision: Decision,
  reason: string,
): Promise<RequestRow> {
  const { value } = await store.audit.appendWith(async (trx) => {
    const db = requestDb({ db: trx });
    const row = await requestRow(db, environment, id);
    if (row.status !== 'pending') throw new RequestClosedError(environment, id, row.status);
    if (row.requester === store.actor) throw new RequestSelfReviewError(environment, id, store.actor);
    const reviews = await reviewRows(db, [id]);
    if (reviews.some((review) => review.reviewer === store.actor)) {
      throw new RequestReviewedError(environment, id, store.actor);
    }
    const at = new Date().toISOString();
    await db
      .insertInto(REVIEW_TABLE)
      .values({ request_id: id, reviewer: store.actor, requester: row.requester, decision, reason, at })
      .execute();
    if (decision === 'reject') await closeRequest(db, id, 'rejected', `rejected by ${store.actor}`);
    const approvals =
      reviews.filter((review) => review.decision === 'approve').length + (decision === 'approve' ? 1 : 0);
    return {
      event: {
        action: `request.${decision}`,
        target: requestTarget(row, `${approvals}/${row.required} approvals`),
        ...(reason ? { reason } : {}),
        outcome: decision === 'approve' ? 'approved' : 'rejected',
      },
      value: row,
    };
  });
  return value;
}

async function review(request: ReviewRequestRequest, decision: Decision): Promise<ChangeRequest> {
  const reason = checkedReason(request.reason, decision === 'reject', `request ${decision}`);
  const { act, store } = await openForWrite(request);
  const environment = act.resolved.environment.name;
  try {
    let row: RequestRow;
    try {
      row = await recordReview(store, environment, request.id, decision, reason);
    } catch (error) {
      // A refused self-review is worth a line in the log: it is what the policy exists to stop.
      if (isEnvwardError(error) && error.code === 'EW_REQUEST_SELF_REVIEW') {
        await store.audit.append({
          action: `request.${decision}`,
          target: `request #${request.id}: own request`,
          ...(reason ? { reason } : {}),
          outcome: 'refused',
        });
      }
      throw error;
    }
    const current = await currentRequest(requestDb(store), environment, row.id);
    // The quorum is the request's, or the policy's now if it was raised since.
    const now = approvalsNeeded(act.resolved.environment, POLICY_KIND[row.kind as RequestKind] ?? 'config');
    if (decision === 'approve' && current.status === 'pending' && current.approvals >= Math.max(row.required, now)) {
      return await applyRequest(environmentTarget(request), act, store, row);
    }
    return current;
  } finally {
    await store.close();
  }
}

/**
 * Approves a pending request as `actor` (default the OS user), never the
 * requester's own (EW_REQUEST_SELF_REVIEW) and once per person. The
 * approval that reaches the quorum applies the change in the same call:
 * validated again, refused as stale (EW_REQUEST_STALE) if the state moved.
 * @example
 * const request = await approveRequest({ env: 'production', id: 7, reason: 'checked with INC-42' });
 */
export function approveRequest(request: ReviewRequestRequest): Promise<ChangeRequest> {
  return review(request, 'approve');
}

/**
 * Rejects a pending request (a reason is required); it is closed and never applies.
 * @example
 * await rejectRequest({ env: 'production', id: 7, reason: 'wrong limit' });
 */
export function rejectRequest(request: ReviewRequestRequest & { readonly reason: string }): Promise<ChangeRequest> {
  return review(request, 'reject');
}
