/** What every request act shares: the environment resolved for an act, its store, the actor's checks. */
import type { Kysely } from 'kysely';
import type { EnvironmentTarget } from '../acts/environment-target.js';
import type { ApprovalKind } from '../environment/approval-policy.js';
import { isEnvwardError } from '../errors.js';
import { type ActEnvironment, openActStore, resolveForAct } from '../runtime/revision-context.js';
import type { Store } from '../store/open-store.js';
import { RequestChangeError } from './request-errors.js';
import type { RequestKind, RequestTables } from './request-table.js';

/** Longest actor name and reason kept: enough for a ticket and a sentence, not a file. */
const ACTOR_LIMIT = 200;
const REASON_LIMIT = 2000;

/** The policy kind that covers a request kind. */
export const POLICY_KIND: Readonly<Record<RequestKind, ApprovalKind>> = Object.freeze({
  'config.set': 'config',
  'config.rollback': 'config',
  'secret.set': 'secrets',
  'migrate.destructive': 'migrations',
});

/** The target without the request's own fields, as resolveForAct takes it. */
export function environmentTarget(
  request: EnvironmentTarget & { readonly env: string },
): EnvironmentTarget & { readonly env: string } {
  return {
    ...(request.cwd !== undefined ? { cwd: request.cwd } : {}),
    ...(request.project !== undefined ? { project: request.project } : {}),
    ...(request.variables !== undefined ? { variables: request.variables } : {}),
    ...(request.hostname !== undefined ? { hostname: request.hostname } : {}),
    env: request.env,
  };
}

/** The actor as given (checked), or undefined for the OS user. Never read from a variable. */
export function checkedActor(actor: string | undefined): string | undefined {
  if (actor === undefined) return undefined;
  if (typeof actor !== 'string' || actor.trim() === '' || actor.length > ACTOR_LIMIT || /\p{Cc}/u.test(actor)) {
    throw new RequestChangeError(`an actor is 1-${ACTOR_LIMIT} printable characters, e.g. 'console:ada'.`);
  }
  return actor;
}

/** A reason trimmed; `required` refuses an empty one. */
export function checkedReason(reason: unknown, required: boolean, act: string): string {
  const text = typeof reason === 'string' ? reason.trim() : '';
  if (reason !== undefined && typeof reason !== 'string') throw new RequestChangeError(`${act}: the reason is text.`);
  if (required && text === '') throw new RequestChangeError(`${act} needs a reason (a ticket, a sentence).`);
  if (text.length > REASON_LIMIT || /[\p{Cc}]/u.test(text.replace(/[\n\t]/g, ' '))) {
    throw new RequestChangeError(`${act}: a reason is at most ${REASON_LIMIT} printable characters.`);
  }
  return text;
}

/** The store's (or a transaction's) query builder seen with the request tables. */
export function requestDb(store: { readonly db: unknown }): Kysely<RequestTables> {
  return store.db as unknown as Kysely<RequestTables>;
}

/** Resolves the environment and opens its store for writing as `actor`. */
export async function openForWrite(
  request: EnvironmentTarget & { readonly env: string; readonly actor?: string },
): Promise<{ readonly act: ActEnvironment; readonly store: Store }> {
  const actor = checkedActor(request.actor);
  const act = await resolveForAct(environmentTarget(request));
  return { act, store: await openActStore(act, 'write', actor) };
}

/** Opens the store read-only; undefined when its database was never made (no requests then). */
export async function openForRead(request: EnvironmentTarget & { readonly env: string }): Promise<Store | undefined> {
  const act = await resolveForAct(environmentTarget(request), { collectIssues: true });
  try {
    return await openActStore(act, 'read');
  } catch (error) {
    if (isEnvwardError(error) && error.code === 'EW_DB_MISSING') return undefined;
    throw error;
  }
}
