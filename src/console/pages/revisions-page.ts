/**
 * `/env/:env/revisions`: the environment's runtime revisions, newest first
 * (number, action, author, reason, when, changed keys), read with
 * `configHistory`. An operator also gets a form to set a key (`setConfig`)
 * and a rollback button per revision (`rollbackConfig`); each change is
 * audited in the environment's log as `console:<name>`.
 */
import type { FastifyInstance } from 'fastify';
import { maskUrlPassword } from '../../config/index.js';
import type { Environment } from '../../environment/index.js';
import { isEnvwardError } from '../../errors.js';
import { type ConfigHistory, configHistory, rollbackConfig, setConfig } from '../../runtime/index.js';
import { checkedReason, field, reasonFields, requireAction } from '../guards.js';
import { type Html, html } from '../html.js';
import { csrfField, page } from '../layout.js';
import { csrfToken, sendPage, takeFlash } from '../reply-helpers.js';
import { allows } from '../roles.js';
import { ConsoleHttpError, type ConsoleSite, targetFor, url } from '../site.js';
import { policyNeeds, policyNote, proposeThenRedirect } from './request-policy.js';
import { reviseAndRedirect } from './revision-action.js';
import { valueText, warningsHtml } from './value-text.js';

const ROLLBACK_FORM = 'rollback-form';

/** A revision's value as shown: text, never a URL's password. */
const revised = (text: string | null) => (text === null ? '(not set by revisions)' : valueText(maskUrlPassword(text)));

function historyTable(history: ConfigHistory, operator: boolean): Html {
  if (history.revisions.length === 0) {
    return html`<p class="muted">No runtime revisions: files, secrets and variables only (revision 0).</p>`;
  }
  const rows = [...history.revisions].reverse().map(
    (entry) => html`<tr data-revision="${entry.number}"><td>${entry.number}</td><td>${entry.action}</td>
<td>${entry.actor}<br><span class="muted">on ${entry.host}</span></td><td>${entry.reason || html`<span class="muted">(none)</span>`}</td>
<td><time datetime="${entry.at}">${entry.at}</time></td>
<td><ul class="plain">${entry.changes.map(
      (change) =>
        html`<li><code>${change.key}</code>: <span class="value">${revised(change.from)}</span> → <span class="value">${revised(change.to)}</span></li>`,
    )}</ul></td>${
      operator
        ? html`<td>${
            entry.number === history.latest
              ? html`<span class="muted">current</span>`
              : html`<button type="submit" form="${ROLLBACK_FORM}" name="to" value="${entry.number}">Roll back to ${entry.number}</button>`
          }</td>`
        : ''
    }</tr>`,
  );
  return html`<table class="revisions"><thead><tr><th>#</th><th>Action</th><th>By</th><th>Reason</th><th>When</th><th>Changes</th>${
    operator ? html`<th>Rollback</th>` : ''
  }</tr></thead><tbody>${rows}</tbody></table>`;
}

function operatorForms(site: ConsoleSite, environment: Environment, csrf: string, latest: number): Html {
  const base = url(site, `/env/${encodeURIComponent(environment.name)}/revisions`);
  return html`${policyNote(environment, 'config')}<h2>Set a key</h2>
<form class="act" method="post" action="${base}/set">${csrfField(csrf)}
<label for="set-key">Key</label><input id="set-key" name="key" type="text" maxlength="300" required>
<label for="set-value">Value (as text, as <code>config set KEY=VALUE</code> takes it)</label><textarea id="set-value" name="value" rows="2"></textarea>
${reasonFields(environment, 'set-')}<p><button type="submit">Write a revision</button></p></form>
<h2>Roll back</h2>
<form class="act" id="${ROLLBACK_FORM}" method="post" action="${base}/rollback">${csrfField(csrf)}
<p class="muted">A rollback writes a new revision with an earlier revision's state; pick it with its button in the history.</p>
${reasonFields(environment, 'rollback-')}${
  latest > 0
    ? html`<p><button type="submit" class="danger" name="to" value="0">Roll back to 0 (no revisions)</button></p>`
    : ''
}</form>`;
}

export function registerRevisionsPage(app: FastifyInstance, site: ConsoleSite): void {
  const pathOf = (environment: Environment) => `/env/${encodeURIComponent(environment.name)}/revisions`;

  app.get<{ Params: { env: string } }>('/env/:env/revisions', async (request, reply) => {
    const { user, environment } = requireAction(site, request, request.params.env, 'read');
    let history: ConfigHistory = { environment: environment.name, latest: 0, revisions: [] };
    const warnings: string[] = [];
    try {
      history = await configHistory(targetFor(site, environment.name, user));
    } catch (error) {
      if (!isEnvwardError(error)) throw error;
      warnings.push(`${environment.name}'s revisions could not be read (${error.code}: ${error.message})`);
    }
    const operator = allows(user.grants, environment.name, 'revise');
    const csrf = csrfToken(reply);
    const body = html`${warningsHtml(warnings)}<p class="muted">Latest revision: ${history.latest}.</p>
${historyTable(history, operator)}${operator ? operatorForms(site, environment, csrf, history.latest) : ''}`;
    return sendPage(
      reply,
      page({
        site,
        user,
        environment,
        title: 'Runtime revisions',
        body,
        csrf,
        flash: takeFlash(request, reply, url(site, pathOf(environment))),
      }),
    );
  });

  app.post<{ Params: { env: string } }>('/env/:env/revisions/set', async (request, reply) => {
    const { user, environment } = requireAction(site, request, request.params.env, 'revise');
    const reason = checkedReason(environment, request.body);
    const key = field(request.body, 'key')?.trim() ?? '';
    if (key === '') throw new ConsoleHttpError(400, 'Name the key to set.');
    const value = field(request.body, 'value') ?? '';
    if (policyNeeds(environment, 'config') > 0) {
      const change = { kind: 'config.set', set: { [key]: value } } as const;
      return proposeThenRedirect(site, environment, user, reply, url(site, pathOf(environment)), change, reason);
    }
    return reviseAndRedirect(site, environment.name, reply, pathOf(environment), () =>
      setConfig({
        ...targetFor(site, environment.name, user),
        set: { [key]: value },
        ...(reason !== undefined ? { reason } : {}),
      }),
    );
  });

  app.post<{ Params: { env: string } }>('/env/:env/revisions/rollback', async (request, reply) => {
    const { user, environment } = requireAction(site, request, request.params.env, 'revise');
    const reason = checkedReason(environment, request.body);
    const text = field(request.body, 'to') ?? '';
    const to = /^\d{1,9}$/.test(text) ? Number(text) : Number.NaN;
    if (!Number.isSafeInteger(to)) throw new ConsoleHttpError(400, 'Pick the revision to roll back to.');
    if (policyNeeds(environment, 'config') > 0) {
      const change = { kind: 'config.rollback', to } as const;
      return proposeThenRedirect(site, environment, user, reply, url(site, pathOf(environment)), change, reason);
    }
    return reviseAndRedirect(site, environment.name, reply, pathOf(environment), () =>
      rollbackConfig({ ...targetFor(site, environment.name, user), to, ...(reason !== undefined ? { reason } : {}) }),
    );
  });
}
