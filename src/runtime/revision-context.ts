/**
 * What every revision act shares: the environment resolved as it runs
 * (secrets included when this host can open them), its store, the checks a
 * key must pass, and the one transaction that writes a revision with its
 * audit event and the notification every running instance listens for.
 */

import type { Kysely } from 'kysely';
import { sql } from 'kysely';
import { type EnvironmentTarget, openTarget } from '../acts/environment-target.js';
import type { ConfigLayer } from '../config/layer.js';
import { type ResolvedConfig, reresolve } from '../config/resolve.js';
import { ConfigInvalidError, type ConfigIssue, isEnvwardError } from '../errors.js';
import { failpoint } from '../failpoint.js';
import { resolveConfig } from '../resolution.js';
import { openStore, type Store } from '../store/index.js';
import { appliedFrom, revisionDb } from './applied-revision.js';
import { REVISION_CHANNEL } from './revision-channel.js';
import { ReasonRequiredError, RevisionNoChangeError } from './revision-errors.js';
import { revisionLayer } from './revision-layer.js';
import { diffStates, type RevisionChange, type RevisionState, stateText } from './revision-state.js';
import {
  ensureRevisionTable,
  latestRevisionRow,
  REVISION_TABLE,
  type RevisionAction,
  type RevisionTables,
} from './revision-table.js';

/** What every act that writes a revision takes besides its own arguments. */
export interface RevisionRequest extends EnvironmentTarget {
  /** Why: recorded in the revision and the audit log; required in protected environments. */
  readonly reason?: string;
  /** Who acts; default the OS user. */
  readonly actor?: string;
  /** Validate and compute the changes, write nothing. */
  readonly dryRun?: boolean;
}

/** What an act that writes a revision returns. */
export interface RevisionResult {
  readonly environment: string;
  readonly action: RevisionAction;
  /** The new revision's number (on a dry run, the number it would get). */
  readonly revision: number;
  /** The revision it follows (0: none). */
  readonly previous: number;
  readonly changes: readonly RevisionChange[];
  /** Changed keys running instances apply at once. */
  readonly live: readonly string[];
  /** Changed keys that apply at each instance's next start. */
  readonly pending: readonly string[];
  /** False on a dry run. */
  readonly written: boolean;
  /** False when this host has no private key for the environment: its secret keys were not checked. */
  readonly secretsChecked: boolean;
}

/** The environment an act works on, resolved as it runs. */
export interface ActEnvironment {
  readonly resolved: ResolvedConfig<unknown>;
  readonly secretsChecked: boolean;
}

/** A secrets layer that reads nothing: validation where this host cannot open the environment's secrets. */
const SEALED_SECRETS: ConfigLayer = { name: 'secrets', load: () => ({ entries: [], issues: [] }) };

/**
 * Resolves the target environment without the host check (an operator
 * changes production from their machine), collecting issues rather than
 * throwing (the revision may be what fixes them; `collectIssues: false` for
 * a read that should stop on them). Without the private key of a protected
 * environment, its secrets are left out and not judged.
 */
export async function resolveForAct(
  target: EnvironmentTarget,
  { collectIssues = true }: { readonly collectIssues?: boolean } = {},
): Promise<ActEnvironment> {
  const opened = await openTarget(target);
  const options = {
    project: opened.project,
    env: opened.environment.name,
    variables: opened.variables,
    hostname: opened.hostname,
    checkHost: false,
  } as const;
  try {
    return { resolved: await resolveConfig({ ...options, collectIssues }), secretsChecked: true };
  } catch (error) {
    if (!isEnvwardError(error) || error.code !== 'EW_SECRET_KEY_MISSING') throw error;
    const sealed = await resolveConfig({ ...options, collectIssues: true, layers: [SEALED_SECRETS] });
    return { resolved: sealed, secretsChecked: false };
  }
}

/** A protected environment's acts need a reason; the reason, trimmed, or undefined. */
export function requireReason(
  act: string,
  resolved: ResolvedConfig<unknown>,
  reason: string | undefined,
): string | undefined {
  const trimmed = reason?.trim();
  if (!trimmed && resolved.environment.protected) throw new ReasonRequiredError(act, resolved.environment.name);
  return trimmed || undefined;
}

/**
 * Opens the environment's store for an act: writing (stamping a new
 * development database), or reading only. When it cannot be opened and the
 * values asked for (`asked`, over no other revision) are invalid anyway,
 * that is what the user hears first: EW_CONFIG_INVALID, not the store.
 */
export async function openActStore(
  act: ActEnvironment,
  mode: 'write' | 'read',
  actor?: string,
  asked?: RevisionState,
): Promise<Store> {
  try {
    return await openStore(act.resolved, {
      ...(mode === 'read' ? { stampMode: 'read' as const } : {}),
      ...(actor !== undefined ? { actor } : {}),
    });
  } catch (error) {
    const issues = asked ? await candidateIssues(act, 1, asked) : [];
    const own = issues.filter((issue) => Object.hasOwn(asked ?? {}, issue.key));
    if (own.length > 0) throw new ConfigInvalidError(act.resolved.environment.name, own);
    throw error;
  }
}

/** The next state an act computes from the latest one, and the audit event's wording. */
export interface RevisionPlan {
  readonly state: RevisionState;
  /** Words after `revision N` in the audit target, e.g. `from staging`. */
  readonly detail?: string;
}

/** Validates the environment with `state` as revision `number`; the issues (secret keys' left out when unchecked). */
async function candidateIssues(act: ActEnvironment, number: number, state: RevisionState): Promise<ConfigIssue[]> {
  const next = await reresolve(act.resolved, [revisionLayer({ number, state })], { collectIssues: true });
  return next.issues.filter((issue) => act.secretsChecked || !act.resolved.isSecret(issue.key));
}

function keysText(changes: readonly RevisionChange[]): string {
  const keys = changes.map((change) => change.key);
  return keys.length > 8 ? `${keys.slice(0, 8).join(', ')} (+${keys.length - 8} more)` : keys.join(', ');
}

/**
 * Internal (never a public option): how an approved change request applies
 * itself. Runs first in the revision's transaction with the latest revision
 * number, and throws to write nothing (the request was decided meanwhile, or
 * the state moved from its base); it marks the request applied otherwise.
 */
export type RequestApplication = (db: Kysely<RevisionTables>, latest: number) => Promise<void>;

/**
 * Writes the revision `plan` makes from the latest one, after validating
 * the configuration it leaves (EW_CONFIG_INVALID, nothing written): the
 * row, its audit event and the notification in one transaction under the
 * audit log's write lock, so concurrent acts take numbers one after the
 * other and each validates against the state it really follows.
 */
export async function writeRevision(
  act: ActEnvironment,
  store: Store,
  request: {
    readonly action: RevisionAction;
    readonly reason: string | undefined;
    readonly dryRun?: boolean;
    readonly application?: RequestApplication | undefined;
  },
  plan: (latest: RevisionState) => RevisionPlan | Promise<RevisionPlan>,
): Promise<RevisionResult> {
  const environment = act.resolved.environment.name;
  const compute = async (db: Kysely<RevisionTables>) => {
    const latest = appliedFrom(await latestRevisionRow(db, environment));
    const planned = await plan(latest.state);
    const changes = diffStates(latest.state, planned.state);
    if (changes.length === 0) throw new RevisionNoChangeError(environment, latest.number);
    const number = latest.number + 1;
    const issues = await candidateIssues(act, number, planned.state);
    if (issues.length > 0) throw new ConfigInvalidError(environment, issues);
    const leaves = act.resolved.project.schema.leaves;
    const live = changes.filter((change) => leaves.get(change.key)?.reload === 'live').map((change) => change.key);
    const pending = changes.filter((change) => leaves.get(change.key)?.reload !== 'live').map((change) => change.key);
    return { latest, planned, changes, number, live, pending };
  };
  const result = (computed: Awaited<ReturnType<typeof compute>>, written: boolean): RevisionResult => ({
    environment,
    action: request.action,
    revision: computed.number,
    previous: computed.latest.number,
    changes: computed.changes,
    live: computed.live,
    pending: computed.pending,
    written,
    secretsChecked: act.secretsChecked,
  });
  if (request.dryRun) return result(await compute(revisionDb(store)), false);
  const { value } = await store.audit.appendWith(async (trx) => {
    const db = trx as unknown as Kysely<RevisionTables>;
    await ensureRevisionTable(db);
    if (request.application) await request.application(db, (await latestRevisionRow(db, environment))?.number ?? 0);
    const computed = await compute(db);
    await db
      .insertInto(REVISION_TABLE)
      .values({
        environment,
        number: computed.number,
        at: new Date().toISOString(),
        actor: store.actor,
        host: store.host,
        action: request.action,
        reason: request.reason ?? '',
        state: stateText(computed.planned.state),
        changes: JSON.stringify(computed.changes),
      })
      .execute();
    failpoint('revision-before-audit');
    if (store.dialect === 'postgres') {
      // Delivered to every listening instance when this transaction commits, never before.
      const payload = JSON.stringify({ environment, revision: computed.number });
      await sql`select pg_notify(${REVISION_CHANNEL}, ${payload})`.execute(db);
    }
    const detail = computed.planned.detail ? ` ${computed.planned.detail}` : '';
    return {
      event: {
        action: `config.${request.action}`,
        target: `revision ${computed.number}${detail}: ${keysText(computed.changes)}`,
        ...(request.reason !== undefined ? { reason: request.reason } : {}),
        outcome: 'done',
      },
      value: computed,
    };
  });
  return result(value, true);
}
