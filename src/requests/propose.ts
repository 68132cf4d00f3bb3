/**
 * Proposing a change: validated now as the direct act would validate it
 * (nothing is written when it would not apply), then one row and its
 * `request.create` audit event in one transaction.
 */
import { type EnvironmentTarget, openTarget } from '../acts/environment-target.js';
import { approvalsNeeded } from '../environment/approval-policy.js';
import { destructiveBase } from '../migrate/destructive-approval.js';
import { rollbackConfig, setConfig } from '../runtime/revision-acts.js';
import type { ActEnvironment } from '../runtime/revision-context.js';
import { sealSecretChange } from '../secrets/sealed-change.js';
import { readSecrets } from '../secrets/secrets-file.js';
import type { Store } from '../store/open-store.js';
import type { ChangeRequest, ProposeChangeRequest, ProposedChange, RequestDiffLine } from './change-request.js';
import {
  checkedActor,
  checkedReason,
  environmentTarget,
  openForWrite,
  POLICY_KIND,
  requestDb,
} from './request-context.js';
import { RequestChangeError } from './request-errors.js';
import { toChangeRequest } from './request-rows.js';
import { ensureRequestTables, REQUEST_KINDS, REQUEST_TABLE, type RequestRow } from './request-table.js';

/** What a validated change is stored as. */
interface PreparedChange {
  readonly payload: unknown;
  readonly diff: readonly RequestDiffLine[];
  readonly base: string;
}

function stringRecord(value: unknown, field: string): Record<string, string> {
  if (value === undefined) return {};
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new RequestChangeError(`config.set: ${field} is an object of key -> text.`);
  }
  for (const text of Object.values(value)) {
    if (typeof text !== 'string') throw new RequestChangeError(`config.set: every value of ${field} is text.`);
  }
  return { ...(value as Record<string, string>) };
}

function stringList(value: unknown, field: string): string[] {
  if (value === undefined) return [];
  if (!Array.isArray(value) || !value.every((item) => typeof item === 'string')) {
    throw new RequestChangeError(`config.set: ${field} is a list of keys.`);
  }
  return [...value];
}

/** The base of a config request: the latest revision it follows. */
const revisionBase = (previous: number) => `revision:${previous}`;

async function prepare(
  target: EnvironmentTarget & { readonly env: string },
  store: Store,
  change: ProposedChange,
  reason: string,
): Promise<PreparedChange> {
  const dry = { ...target, reason, dryRun: true } as const;
  switch (change.kind) {
    case 'config.set': {
      const set = stringRecord(change.set, 'set');
      const unset = stringList(change.unset, 'unset');
      const result = await setConfig({ ...dry, set, unset });
      return { payload: { set, unset }, diff: result.changes, base: revisionBase(result.previous) };
    }
    case 'config.rollback': {
      if (typeof change.to !== 'number' || !Number.isSafeInteger(change.to) || change.to < 0) {
        throw new RequestChangeError('config.rollback: to is a revision number (0 or more).');
      }
      const result = await rollbackConfig({ ...dry, to: change.to });
      return { payload: { to: change.to }, diff: result.changes, base: revisionBase(result.previous) };
    }
    case 'secret.set': {
      if (typeof change.key !== 'string' || typeof change.value !== 'string') {
        throw new RequestChangeError('secret.set: key and value are text.');
      }
      const opened = await openTarget(target);
      const { sealed, base } = await sealSecretChange(opened, change.key, change.value);
      const stored = readSecrets(opened.project.root, opened.environment.name)?.secrets.has(change.key) ?? false;
      // The diff says that the value changes, never what it is.
      return { payload: sealed, diff: [{ key: change.key, from: stored ? '(sealed)' : null, to: '(sealed)' }], base };
    }
    case 'migrate.destructive': {
      const { base, destructive } = await destructiveBase(store);
      if (destructive.length === 0) {
        throw new RequestChangeError(`${store.environment.name} has no pending destructive migration to approve.`);
      }
      const diff = destructive.map((name) => ({ key: name, from: 'pending', to: 'run (destructive)' }));
      return { payload: { migrations: destructive }, diff, base };
    }
    default:
      throw new RequestChangeError(
        `a change of kind ${JSON.stringify(String((change as { kind?: unknown }).kind).slice(0, 40))} cannot be proposed; known: ${REQUEST_KINDS.join(', ')}.`,
      );
  }
}

function policyFor(act: ActEnvironment, change: ProposedChange): number {
  const kind = (REQUEST_KINDS as readonly string[]).includes(change?.kind) ? POLICY_KIND[change.kind] : undefined;
  if (!kind) return 0;
  const required = approvalsNeeded(act.resolved.environment, kind);
  if (required === 0) {
    const name = act.resolved.environment.name;
    throw new RequestChangeError(
      `${name}'s policy does not ask for approvals of ${kind} changes: make the change directly (no request needed).`,
    );
  }
  return required;
}

/**
 * Proposes a change in an environment whose policy asks for approvals: the
 * change is validated now (EW_CONFIG_INVALID and friends: nothing written),
 * a secret's value is sealed at once, and the request waits for reviews.
 * @example
 * const request = await proposeChange({ env: 'production', change: { kind: 'config.set', set: { 'log.level': 'debug' } }, reason: 'INC-42' });
 */
export async function proposeChange(request: ProposeChangeRequest): Promise<ChangeRequest> {
  checkedActor(request.actor);
  if (typeof request.change !== 'object' || request.change === null) {
    throw new RequestChangeError('a change request needs a change: an object with a kind.');
  }
  const reason = checkedReason(request.reason, true, 'a change request');
  const { act, store } = await openForWrite(request);
  try {
    const required = policyFor(act, request.change);
    const target = { ...environmentTarget(request), project: act.resolved.project };
    const prepared = await prepare(target, store, request.change, reason);
    const environment = act.resolved.environment.name;
    const { value } = await store.audit.appendWith(async (trx) => {
      const db = requestDb({ db: trx });
      await ensureRequestTables(db);
      const last = await db
        .selectFrom(REQUEST_TABLE)
        .select((eb) => eb.fn.max('id').as('id'))
        .executeTakeFirst();
      const row: RequestRow = {
        id: Number(last?.id ?? 0) + 1,
        environment,
        kind: request.change.kind,
        payload: JSON.stringify(prepared.payload),
        diff: JSON.stringify(prepared.diff),
        base: prepared.base,
        requester: store.actor,
        reason,
        status: 'pending',
        required,
        created_at: new Date().toISOString(),
        decided_at: null,
        outcome: '',
      };
      await db.insertInto(REQUEST_TABLE).values(row).execute();
      const needs = `needs ${required} approval${required === 1 ? '' : 's'}`;
      const keys = prepared.diff.map((line) => line.key).join(', ');
      return {
        event: {
          action: 'request.create',
          target: `request #${row.id} ${row.kind}: ${keys} (${needs})`,
          reason,
          outcome: 'pending',
        },
        value: row,
      };
    });
    return toChangeRequest(value, []);
  } finally {
    await store.close();
  }
}
