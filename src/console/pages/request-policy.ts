/**
 * The console's change forms obey the environment's approval policy: where
 * it covers a change, the form proposes it as a change request (actor
 * `console:<name>`, the form's reason) instead of acting, and the page says
 * so. The policy is asked first; the library's EW_APPROVAL_REQUIRED stays the
 * backstop, never the path. docs/requests.md, docs/console.md#requests.
 */
import type { FastifyReply } from 'fastify';
import { type ApprovalKind, approvalsNeeded } from '../../environment/approval-policy.js';
import type { Environment } from '../../environment/index.js';
import type { ProposedChange } from '../../requests/index.js';
import { proposeChange } from '../../runtime/index.js';
import { type Html, html } from '../html.js';
import { setFlash } from '../reply-helpers.js';
import { ConsoleHttpError, type ConsoleSite, targetFor } from '../site.js';
import type { ConsoleUser } from '../user-records.js';
import { pagePath, problemText } from './ops-support.js';
import { queued } from './revision-action.js';

/** Approvals a change of `kind` needs in `environment` (0: none, act directly). */
export function policyNeeds(environment: Environment, kind: ApprovalKind): number {
  return approvalsNeeded(environment, kind);
}

export const approvalsText = (count: number) => `${count} approval${count === 1 ? '' : 's'}`;

/** The line a form carries where the policy covers it; nothing elsewhere. */
export function policyNote(environment: Environment, kind: ApprovalKind): Html {
  const needed = policyNeeds(environment, kind);
  if (needed === 0) return html``;
  return html`<p class="warn" data-policy="${kind}">Changes here need ${approvalsText(needed)} from someone other than you: this form creates a change request (a reason is required), applied when it is approved.</p>`;
}

/**
 * Proposes `change` in `environment` as `user` with the form's reason and
 * redirects to the new request's page, flashed "request #N created: ...";
 * a library refusal is flashed at `backTo` (the form's page) instead.
 */
export async function proposeThenRedirect(
  site: ConsoleSite,
  environment: Environment,
  user: ConsoleUser,
  reply: FastifyReply,
  backTo: string,
  change: ProposedChange,
  reason: string | undefined,
): Promise<FastifyReply> {
  if (!reason) throw new ConsoleHttpError(400, `A change request in ${environment.name} needs a reason.`);
  try {
    const request = await queued(site, environment.name, () =>
      proposeChange({ ...targetFor(site, environment.name, user), change, reason }),
    );
    const path = pagePath(site, environment, `requests/${request.id}`);
    const text = `request #${request.id} created: needs ${approvalsText(request.required)} from someone other than you.`;
    setFlash(reply, path, 'ok', text);
    return reply.redirect(path, 303);
  } catch (error) {
    setFlash(reply, backTo, 'error', problemText(error));
    return reply.redirect(backTo, 303);
  }
}
