/**
 * Change requests in the console. `/env/:env/requests` (viewer): the
 * environment's requests, pending first, then the newest decided ones.
 * `/env/:env/requests/:id`: one request, with approve and reject forms for a
 * user whose role allows its kind and who is not its requester (the library
 * refuses self-review anyway, and audits the attempt). `/requests`: what is
 * pending in every environment the user may read, "waiting for you" where
 * they could approve. Reviews act as `console:<name>` through the library.
 */
import type { FastifyInstance } from 'fastify';
import type { Environment } from '../../environment/index.js';
import { isEnvwardError } from '../../errors.js';
import type { ChangeRequest } from '../../requests/index.js';
import { approveRequest, listRequests, rejectRequest, showRequest } from '../../runtime/index.js';
import { checkedReason, reasonFields, requireAction } from '../guards.js';
import { type Html, html } from '../html.js';
import { csrfField, page } from '../layout.js';
import { csrfToken, sendPage, setFlash, takeFlash } from '../reply-helpers.js';
import { allows } from '../roles.js';
import { actorOf, ConsoleHttpError, type ConsoleSite, targetFor, url } from '../site.js';
import type { ConsoleUser } from '../user-records.js';
import { HEALTH_DEADLINE_MS } from './environment-health.js';
import { envParam, problemText, readOr } from './ops-support.js';
import { mayReview, requestPath, requestsTable, waitsFor } from './requests-view.js';
import { queued } from './revision-action.js';

/** Decided requests the environment page shows (the newest); `envward requests list` shows all. */
const DECIDED_SHOWN = 50;

function requestId(request: { params: unknown }): number {
  const text = (request.params as { id?: string }).id ?? '';
  if (!/^\d{1,9}$/.test(text)) throw new ConsoleHttpError(404, 'No such request.');
  return Number(text);
}

function reviewForms(site: ConsoleSite, environment: Environment, request: ChangeRequest, csrf: string): Html {
  const base = requestPath(site, environment, request.id);
  return html`<form class="act" method="post" action="${base}/approve" data-form="approve">${csrfField(csrf)}
<h2>Approve</h2><p>${request.approvals + 1 >= request.required ? 'Your approval reaches the quorum: the change is validated again and applied now.' : `${request.required - request.approvals - 1} more approval(s) needed after yours.`}</p>
${reasonFields(environment, 'approve-')}<p><button type="submit">Approve #${request.id}</button></p></form>
<form class="act" method="post" action="${base}/reject" data-form="reject">${csrfField(csrf)}
<h2>Reject</h2><p>A rejection closes the request; it never applies.</p>
${reasonFields(environment, 'reject-')}<p><button class="danger" type="submit">Reject #${request.id}</button></p></form>`;
}

/** Why the user gets no forms on a pending request (the server checks again on POST). */
function noFormsWhy(user: ConsoleUser, environment: Environment, request: ChangeRequest): string {
  const actor = actorOf(user);
  if (request.requester === actor) return 'You proposed this request: someone else reviews it.';
  if (request.reviews.some((review) => review.reviewer === actor)) return 'You have reviewed this request.';
  return `Your role in ${environment.name} does not allow reviewing ${request.kind} requests.`;
}

export function registerRequestsPages(app: FastifyInstance, site: ConsoleSite): void {
  app.get('/env/:env/requests', async (request, reply) => {
    const { user, environment } = requireAction(site, request, envParam(request), 'read');
    const path = requestPath(site, environment);
    const read = await readOr(() => listRequests(targetFor(site, environment.name, user)));
    let body: Html;
    if ('problem' in read) body = read.problem;
    else {
      const pending = read.value.filter((one) => one.status === 'pending');
      const decided = read.value
        .filter((one) => one.status !== 'pending')
        .reverse()
        .slice(0, DECIDED_SHOWN);
      const mark = (one: ChangeRequest) => waitsFor(user, environment.name, one);
      body = html`<h2>Pending</h2>${
        pending.length > 0
          ? requestsTable(site, environment.name, pending, mark)
          : html`<p class="muted">Nothing pending.</p>`
      }
<h2>Decided</h2>${
        decided.length > 0
          ? requestsTable(site, environment.name, decided)
          : html`<p class="muted">None decided yet.</p>`
      }`;
    }
    const csrf = csrfToken(reply);
    const flash = takeFlash(request, reply, path);
    return sendPage(reply, page({ site, user, environment, title: 'Change requests', body, csrf, flash }));
  });

  app.get('/env/:env/requests/:id', async (request, reply) => {
    const { user, environment } = requireAction(site, request, envParam(request), 'read');
    const id = requestId(request);
    const path = requestPath(site, environment, id);
    const read = await readOr(() => showRequest({ ...targetFor(site, environment.name, user), id }));
    const csrf = csrfToken(reply);
    let body: Html;
    if ('problem' in read) body = read.problem;
    else {
      const one = read.value;
      const forms =
        one.status !== 'pending'
          ? ''
          : waitsFor(user, environment.name, one)
            ? reviewForms(site, environment, one, csrf)
            : html`<p class="muted" data-no-review>${noFormsWhy(user, environment, one)}</p>`;
      body = html`${requestsTable(site, environment.name, [one])}${forms}
<p><a href="${requestPath(site, environment)}">All requests in ${environment.name}</a></p>`;
    }
    const flash = takeFlash(request, reply, path);
    return sendPage(reply, page({ site, user, environment, title: `Change request #${id}`, body, csrf, flash }));
  });

  for (const decision of ['approve', 'reject'] as const) {
    app.post(`/env/:env/requests/:id/${decision}`, async (request, reply) => {
      const { user, environment } = requireAction(site, request, envParam(request), 'read');
      const id = requestId(request);
      const target = targetFor(site, environment.name, user);
      let kind: string;
      try {
        kind = (await showRequest({ ...target, id })).kind;
      } catch {
        throw new ConsoleHttpError(404, 'No such request.');
      }
      // The role for the request's kind, checked here whatever the page showed.
      if (!mayReview(user, environment.name, kind)) {
        throw new ConsoleHttpError(
          403,
          `Your role in ${environment.name} does not allow reviewing ${kind} requests; ask an admin of ${environment.name}.`,
          { environment: environment.name, action: `request.${decision}` },
        );
      }
      const reason = checkedReason(environment, request.body);
      const path = requestPath(site, environment, id);
      try {
        const act = { ...target, id, ...(reason ? { reason } : {}) };
        const result = await queued(site, environment.name, () =>
          decision === 'approve' ? approveRequest(act) : rejectRequest({ ...act, reason: reason ?? '' }),
        );
        setFlash(reply, path, 'ok', decidedText(result, decision));
      } catch (error) {
        setFlash(reply, path, 'error', problemText(error));
      }
      return reply.redirect(path, 303);
    });
  }

  app.get('/requests', async (request, reply) => {
    const user = request.consoleUser;
    if (!user) return reply.redirect(url(site, '/login'), 303);
    const readable = site.environments.filter((environment) => allows(user.grants, environment.name, 'read'));
    const sections = await Promise.all(readable.map((environment) => pendingSection(site, environment, user)));
    const body = html`<p class="muted">Pending change requests in the environments you may read, each read within ${HEALTH_DEADLINE_MS / 1000} s; "waiting for you" marks those you may approve.</p>${
      sections.length > 0 ? sections : html`<p class="muted">You have no role in any environment.</p>`
    }`;
    const flash = takeFlash(request, reply, url(site, '/requests'));
    return sendPage(reply, page({ site, user, title: 'Change requests', body, csrf: csrfToken(reply), flash }));
  });
}

function decidedText(result: ChangeRequest, decision: 'approve' | 'reject'): string {
  if (decision === 'reject') return `Request #${result.id} rejected: it will not apply.`;
  if (result.status === 'applied') {
    const outcome = result.outcome.startsWith('revision ') ? `as ${result.outcome}` : `(${result.outcome})`;
    return `Request #${result.id} approved and applied ${outcome}.`;
  }
  return `Request #${result.id} approved: ${result.approvals} of ${result.required} approvals.`;
}

/** An environment's pending requests within the deadline; a failure or a timeout is a line, never a crash. */
async function pendingSection(site: ConsoleSite, environment: Environment, user: ConsoleUser): Promise<Html> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<'timedOut'>((resolve) => {
    timer = setTimeout(() => resolve('timedOut'), HEALTH_DEADLINE_MS);
  });
  const reading = listRequests({ ...targetFor(site, environment.name, user), status: 'pending' }).then(
    (value) => ({ value }),
    (error: unknown) => ({
      problem: html`<p class="bad" data-problem>${isEnvwardError(error) ? problemText(error) : 'Could not be read (see the server log).'}</p>`,
    }),
  );
  const read = await Promise.race([reading, deadline]).finally(() => clearTimeout(timer));
  const heading = html`<h2><a href="${requestPath(site, environment)}">${environment.name}</a> <span class="muted">(${environment.code})</span></h2>`;
  if (read === 'timedOut') {
    return html`<section data-environment="${environment.name}">${heading}<p class="bad" data-problem>Not read within ${HEALTH_DEADLINE_MS / 1000} s.</p></section>`;
  }
  if ('problem' in read)
    return html`<section data-environment="${environment.name}">${heading}${read.problem}</section>`;
  const pending = read.value;
  return html`<section data-environment="${environment.name}">${heading}${
    pending.length > 0
      ? requestsTable(site, environment.name, pending, (one) => waitsFor(user, environment.name, one))
      : html`<p class="muted">Nothing pending.</p>`
  }</section>`;
}
