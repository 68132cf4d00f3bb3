/**
 * A request that reached its quorum applies itself: validated again as the
 * direct act validates, refused as stale when the state moved from its base,
 * and its status changes in the transaction that applies it, so two
 * approvers at once apply it once (the second finds it decided).
 */
import type { EnvironmentTarget } from '../acts/environment-target.js';
import { isEnvwardError } from '../errors.js';
import { destructiveBase } from '../migrate/destructive-approval.js';
import { applyRollbackConfig, applySetConfig } from '../runtime/revision-acts.js';
import type { ActEnvironment, RequestApplication } from '../runtime/revision-context.js';
import { type SealedSecretChange, storeSealedSecret } from '../secrets/sealed-change.js';
import type { Store } from '../store/open-store.js';
import type { ChangeRequest } from './change-request.js';
import { requestDb } from './request-context.js';
import { RequestClosedError, RequestStaleError } from './request-errors.js';
import { closeRequest, currentRequest, requestRow, requestTarget } from './request-rows.js';
import type { RequestRow } from './request-table.js';

/** The request still pending in `db`, or EW_REQUEST_CLOSED (another approval applied it first). */
async function assertPending(db: unknown, row: RequestRow): Promise<void> {
  const current = await requestRow(requestDb({ db }), row.environment, row.id);
  if (current.status !== 'pending') throw new RequestClosedError(row.environment, row.id, current.status);
}

async function applyConfig(
  target: EnvironmentTarget & { readonly env: string },
  store: Store,
  row: RequestRow,
): Promise<string> {
  let outcome = '';
  const application: RequestApplication = async (db, latest) => {
    await assertPending(db, row);
    if (`revision:${latest}` !== row.base) {
      throw new RequestStaleError(
        row.environment,
        row.id,
        `its configuration (revision ${latest} now, ${row.base} then)`,
      );
    }
    outcome = `revision ${latest + 1}`;
    await closeRequest(requestDb({ db }), row.id, 'applied', outcome);
  };
  const payload = JSON.parse(row.payload) as { set?: Record<string, string>; unset?: string[]; to?: number };
  const request = { ...target, reason: `request #${row.id}: ${row.reason}`, actor: store.actor };
  if (row.kind === 'config.set') {
    await applySetConfig({ ...request, set: payload.set ?? {}, unset: payload.unset ?? [] }, application);
  } else {
    await applyRollbackConfig({ ...request, to: Number(payload.to) }, application);
  }
  await store.audit.append({
    action: 'request.apply',
    target: requestTarget(row, outcome),
    reason: row.reason,
    outcome: 'done',
  });
  return outcome;
}

async function applySecret(act: ActEnvironment, store: Store, row: RequestRow): Promise<void> {
  const sealed = JSON.parse(row.payload) as SealedSecretChange;
  const { project, environment } = act.resolved;
  await store.audit.appendWith(async (trx) => {
    await assertPending(trx, row);
    const stored = await storeSealedSecret(project.root, environment, sealed, row.base);
    if (stored === 'stale') throw new RequestStaleError(row.environment, row.id, 'its secrets file');
    await closeRequest(requestDb({ db: trx }), row.id, 'applied', `${sealed.key} stored`);
    return {
      event: { action: 'request.apply', target: requestTarget(row, 'stored'), reason: row.reason, outcome: 'done' },
      value: undefined,
    };
  });
}

/** The outcome of an approved destructive-migration request until `migrate up` runs it. */
export const APPROVED_TO_RUN = 'approved: migrate up may run it';

async function approveMigrations(store: Store, row: RequestRow): Promise<void> {
  // Read before the transaction: on SQLite the store has one connection, which the transaction holds.
  const { base } = await destructiveBase(store);
  await store.audit.appendWith(async (trx) => {
    await assertPending(trx, row);
    if (base !== row.base) throw new RequestStaleError(row.environment, row.id, 'its pending migrations or their head');
    await closeRequest(requestDb({ db: trx }), row.id, 'applied', APPROVED_TO_RUN);
    return {
      event: {
        action: 'request.apply',
        target: requestTarget(row, APPROVED_TO_RUN),
        reason: row.reason,
        outcome: 'done',
      },
      value: undefined,
    };
  });
}

/** Closes the request as `status` with its audit event; nothing when another call decided it first. */
async function closeAudited(store: Store, row: RequestRow, status: 'stale' | 'failed', outcome: string): Promise<void> {
  try {
    await store.audit.appendWith(async (trx) => {
      if (!(await closeRequest(requestDb({ db: trx }), row.id, status, outcome))) {
        throw new RequestClosedError(row.environment, row.id, 'decided');
      }
      return {
        event: {
          action: status === 'stale' ? 'request.stale' : 'request.apply',
          target: requestTarget(row, outcome),
          reason: row.reason,
          outcome: status === 'stale' ? 'refused' : 'failed',
        },
        value: undefined,
      };
    });
  } catch (error) {
    if (!(isEnvwardError(error) && error.code === 'EW_REQUEST_CLOSED')) throw error;
  }
}

/**
 * Applies an approved request; the request as it ends. A failure to apply
 * (stale, or no longer valid) closes it with its code and is thrown.
 */
export async function applyRequest(
  target: EnvironmentTarget & { readonly env: string },
  act: ActEnvironment,
  store: Store,
  row: RequestRow,
): Promise<ChangeRequest> {
  try {
    if (row.kind === 'secret.set') await applySecret(act, store, row);
    else if (row.kind === 'config.set' || row.kind === 'config.rollback') await applyConfig(target, store, row);
    else if (row.kind === 'migrate.destructive') await approveMigrations(store, row);
    else throw new RequestStaleError(row.environment, row.id, 'its kind is not one this envward applies');
  } catch (error) {
    if (isEnvwardError(error) && error.code === 'EW_REQUEST_CLOSED') {
      // Another approval applied (or closed) it a moment before: once is enough.
      return currentRequest(requestDb(store), row.environment, row.id);
    }
    const code = isEnvwardError(error) ? error.code : 'EW_INTERNAL';
    await closeAudited(store, row, code === 'EW_REQUEST_STALE' ? 'stale' : 'failed', code);
    throw error;
  }
  return currentRequest(requestDb(store), row.environment, row.id);
}
