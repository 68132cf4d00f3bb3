/**
 * How the console shows change requests: who may review which kind, and a
 * request as rows (number, kind, status, requester, reason, approvals of
 * required, the masked diff, the reviews). The diff is the library's masked
 * one: a secret's value is `(sealed)`, a URL's password is masked again here.
 */
import { maskUrlPassword } from '../../config/index.js';
import type { Environment } from '../../environment/index.js';
import type { ChangeRequest, RequestKind } from '../../requests/index.js';
import { type Html, html } from '../html.js';
import { allows, type ConsoleAction } from '../roles.js';
import { actorOf, type ConsoleSite, url } from '../site.js';
import type { ConsoleUser } from '../user-records.js';
import { valueText } from './value-text.js';

/** The console action whose role may review a kind: config as operator, secrets and migrations as admin. */
const REVIEW_ACTION: Readonly<Record<RequestKind, ConsoleAction>> = {
  'config.set': 'revise',
  'config.rollback': 'revise',
  'secret.set': 'secrets',
  'migrate.destructive': 'migrate',
};

/** The action reviewing `kind` needs; an unknown kind needs admin. */
export function reviewAction(kind: string): ConsoleAction {
  return REVIEW_ACTION[kind as RequestKind] ?? 'users';
}

/** Whether `user`'s role in `environment` allows reviewing a request of `kind`. */
export function mayReview(user: ConsoleUser, environment: string, kind: string): boolean {
  return allows(user.grants, environment, reviewAction(kind));
}

/** Whether the request waits for `user`: pending, their role allows it, not theirs, not yet reviewed by them. */
export function waitsFor(user: ConsoleUser, environment: string, request: ChangeRequest): boolean {
  const actor = actorOf(user);
  return (
    request.status === 'pending' &&
    mayReview(user, environment, request.kind) &&
    request.requester !== actor &&
    !request.reviews.some((review) => review.reviewer === actor)
  );
}

export function requestPath(site: ConsoleSite, environment: Environment | string, id?: number): string {
  const name = typeof environment === 'string' ? environment : environment.name;
  return url(site, `/env/${encodeURIComponent(name)}/requests${id === undefined ? '' : `/${id}`}`);
}

const shown = (text: string | null) =>
  text === null ? html`<span class="muted">(not set)</span>` : valueText(maskUrlPassword(text));

function diffList(request: ChangeRequest): Html {
  return html`<ul class="plain">${request.diff.map(
    (line) =>
      html`<li><code>${line.key}</code>: <span class="value">${shown(line.from)}</span> → <span class="value">${shown(line.to)}</span></li>`,
  )}</ul>`;
}

function reviewList(request: ChangeRequest): Html {
  if (request.reviews.length === 0) return html`<span class="muted">none yet</span>`;
  return html`<ul class="plain">${request.reviews.map(
    (review) =>
      html`<li data-review="${review.decision}">${review.decision === 'approve' ? 'approved' : 'rejected'} by ${review.reviewer}${
        review.reason ? html`: ${review.reason}` : ''
      } <span class="muted"><time datetime="${review.at}">${review.at}</time></span></li>`,
  )}</ul>`;
}

function statusText(request: ChangeRequest): Html {
  const kind = request.status === 'applied' ? 'ok' : request.status === 'pending' ? 'warn' : 'bad';
  return html`<span class="${kind}">${request.status}</span>${request.outcome ? html`<br><span class="muted">${request.outcome}</span>` : ''}`;
}

/** Requests as a table; `mark` adds "waiting for you" where it returns true. */
export function requestsTable(
  site: ConsoleSite,
  environment: string,
  requests: readonly ChangeRequest[],
  mark: (request: ChangeRequest) => boolean = () => false,
): Html {
  const rows = requests.map(
    (request) => html`<tr data-request="${request.id}" data-status="${request.status}">
<td><a href="${requestPath(site, environment, request.id)}">#${request.id}</a>${
      mark(request) ? html`<br><strong class="warn" data-waiting>waiting for you</strong>` : ''
    }</td><td>${request.kind}</td><td>${statusText(request)}</td>
<td>${request.requester}<br><span class="muted"><time datetime="${request.createdAt}">${request.createdAt}</time></span></td>
<td>${request.reason}</td><td>${request.approvals} of ${request.required}</td><td>${diffList(request)}</td><td>${reviewList(request)}</td></tr>`,
  );
  return html`<table class="requests"><thead><tr><th>#</th><th>Kind</th><th>Status</th><th>Requested by</th><th>Reason</th><th>Approvals</th><th>Change</th><th>Reviews</th></tr></thead>
<tbody>${rows}</tbody></table>`;
}
