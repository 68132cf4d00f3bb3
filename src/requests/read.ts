/** Reading requests: never writes, and no table yet means no requests. */
import type { ChangeRequest, ListRequestsRequest, ShowRequestRequest } from './change-request.js';
import { openForRead, requestDb } from './request-context.js';
import { RequestChangeError, RequestNotFoundError } from './request-errors.js';
import { currentRequest, reviewRows, toChangeRequest } from './request-rows.js';
import { normaliseRequest, REQUEST_STATUSES, REQUEST_TABLE, rowsIfAny } from './request-table.js';

/**
 * An environment's change requests, oldest first, optionally of one status.
 * @example
 * const waiting = await listRequests({ env: 'production', status: 'pending' });
 */
export async function listRequests(request: ListRequestsRequest): Promise<ChangeRequest[]> {
  if (request.status !== undefined && !REQUEST_STATUSES.includes(request.status)) {
    throw new RequestChangeError(`a request status is one of ${REQUEST_STATUSES.join(', ')}.`);
  }
  const store = await openForRead(request);
  if (!store) return [];
  try {
    const db = requestDb(store);
    let query = db.selectFrom(REQUEST_TABLE).selectAll().where('environment', '=', store.environment.name);
    if (request.status !== undefined) query = query.where('status', '=', request.status);
    const rows = (await rowsIfAny(query.orderBy('id', 'asc').execute())).map(normaliseRequest);
    const reviews = await reviewRows(
      db,
      rows.map((row) => row.id),
    );
    return rows.map((row) => toChangeRequest(row, reviews));
  } finally {
    await store.close();
  }
}

/**
 * One request with its reviews; EW_REQUEST_NOT_FOUND when the environment has none of that number.
 * @example
 * const request = await showRequest({ env: 'production', id: 7 });
 */
export async function showRequest(request: ShowRequestRequest): Promise<ChangeRequest> {
  const store = await openForRead(request);
  if (!store) throw new RequestNotFoundError(request.env, request.id);
  try {
    return await currentRequest(requestDb(store), store.environment.name, request.id);
  } finally {
    await store.close();
  }
}
