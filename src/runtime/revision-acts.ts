/**
 * The acts on one environment's runtime revisions: set and unset keys, roll
 * back to an earlier revision. Each validates the configuration it leaves
 * before writing, writes one revision with its audit event, and tells every
 * running instance (see revision-context.ts).
 */
import { assertNoApprovalNeeded } from '../environment/approval-policy.js';
import { UsageError } from '../errors.js';
import type { Store } from '../store/open-store.js';
import { appliedFrom, revisionDb } from './applied-revision.js';
import { assertRevisable, assertRevisableValue } from './revisable-keys.js';
import {
  openActStore,
  type RequestApplication,
  type RevisionRequest,
  type RevisionResult,
  requireReason,
  resolveForAct,
  writeRevision,
} from './revision-context.js';
import { RevisionNotFoundError } from './revision-errors.js';
import type { RevisionState } from './revision-state.js';
import { latestRevisionNumber, revisionRow } from './revision-table.js';

export interface SetConfigRequest extends RevisionRequest {
  /** Keys to set, each as text (`--set` form): `{ 'log.level': 'debug' }`. */
  readonly set?: Readonly<Record<string, string>>;
  /** Keys whose revision value to remove (the layers below apply again). */
  readonly unset?: readonly string[];
}

export interface RollbackConfigRequest extends RevisionRequest {
  /** The revision whose state to return to; 0 is the state before any revision. */
  readonly to: number;
}

async function withStore<T>(store: Store, work: (store: Store) => Promise<T>): Promise<T> {
  try {
    return await work(store);
  } finally {
    await store.close();
  }
}

/**
 * Sets (and unsets) keys of an environment's configuration at run time: a
 * new revision, validated against the schema, tier rules and project rules
 * first (EW_CONFIG_INVALID, nothing written), audited as `config.set`.
 * Live keys apply at once in every running instance; the others are
 * reported `pending` until each instance's next start.
 * @example
 * await setConfig({ env: 'staging', set: { 'log.level': 'debug' }, reason: 'INC-42' });
 */
export async function setConfig(request: SetConfigRequest): Promise<RevisionResult> {
  return setConfigWith(request, undefined);
}

/** Internal: setConfig as the application of an approved change request (no policy check, `application` in its transaction). */
export async function applySetConfig(
  request: SetConfigRequest,
  application: RequestApplication,
): Promise<RevisionResult> {
  return setConfigWith(request, application);
}

async function setConfigWith(
  request: SetConfigRequest,
  application: RequestApplication | undefined,
): Promise<RevisionResult> {
  const set = request.set ?? {};
  const unset = request.unset ?? [];
  if (Object.keys(set).length === 0 && unset.length === 0) {
    throw new UsageError('config set names no key.', 'Give KEY=VALUE (or --unset KEY).');
  }
  const act = await resolveForAct(request);
  const reason = requireReason('config set', act.resolved, request.reason);
  if (!application && !request.dryRun) assertNoApprovalNeeded(act.resolved.environment, 'config', 'config set');
  for (const key of [...Object.keys(set), ...unset]) assertRevisable(act.resolved, key);
  for (const [key, text] of Object.entries(set)) assertRevisableValue(key, text);
  const store = await openActStore(act, request.dryRun ? 'read' : 'write', request.actor, set);
  return withStore(store, (opened) =>
    writeRevision(act, opened, { action: 'set', reason, dryRun: request.dryRun ?? false, application }, (latest) => {
      const state: Record<string, string> = { ...latest };
      for (const key of unset) delete state[key];
      Object.assign(state, set);
      return { state };
    }),
  );
}

/**
 * Returns an environment's configuration to revision `to`'s state with a new
 * revision (history is never rewritten), validated first and audited as
 * `config.rollback`. Revision 0 is the state before any revision.
 * @example
 * await rollbackConfig({ env: 'staging', to: 0, reason: 'undo INC-42' });
 */
export async function rollbackConfig(request: RollbackConfigRequest): Promise<RevisionResult> {
  return rollbackConfigWith(request, undefined);
}

/** Internal: rollbackConfig as the application of an approved change request. */
export async function applyRollbackConfig(
  request: RollbackConfigRequest,
  application: RequestApplication,
): Promise<RevisionResult> {
  return rollbackConfigWith(request, application);
}

async function rollbackConfigWith(
  request: RollbackConfigRequest,
  application: RequestApplication | undefined,
): Promise<RevisionResult> {
  const act = await resolveForAct(request);
  const reason = requireReason('config rollback', act.resolved, request.reason);
  if (!application && !request.dryRun) assertNoApprovalNeeded(act.resolved.environment, 'config', 'config rollback');
  const environment = act.resolved.environment.name;
  const store = await openActStore(act, request.dryRun ? 'read' : 'write', request.actor);
  return withStore(store, async (opened) => {
    const target = await stateAt(opened, environment, request.to);
    const options = { action: 'rollback' as const, reason, dryRun: request.dryRun ?? false, application };
    return writeRevision(act, opened, options, () => ({
      state: target,
      detail: `(back to ${request.to})`,
    }));
  });
}

/** Revision `number`'s state; EW_REVISION_NOT_FOUND when the environment has none of that number. */
async function stateAt(store: Store, environment: string, number: number): Promise<RevisionState> {
  if (number === 0) return {};
  const db = revisionDb(store);
  const row = Number.isSafeInteger(number) && number > 0 ? await revisionRow(db, environment, number) : undefined;
  if (!row) throw new RevisionNotFoundError(environment, number, await latestRevisionNumber(db, environment));
  return appliedFrom(row).state;
}
