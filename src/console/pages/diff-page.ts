/**
 * `/env/:env/diff?with=<other>`: two environments side by side, every key
 * with each side's value and source, the keys that differ highlighted.
 * Compared as `envward config diff` compares (diffConfigs): secret values are
 * compared but never shown, only whether they are the same. The user needs
 * the viewer role in both environments.
 */
import type { FastifyInstance } from 'fastify';
import { diffConfigs, type KeyDifference } from '../../config/index.js';
import type { ResolvedConfig } from '../../config/resolve.js';
import type { Environment } from '../../environment/index.js';
import { requireAction } from '../guards.js';
import { type Html, html } from '../html.js';
import { page } from '../layout.js';
import { csrfToken, sendPage } from '../reply-helpers.js';
import { allows } from '../roles.js';
import { type ConsoleSite, url } from '../site.js';
import type { ConsoleUser } from '../user-records.js';
import { readEnvironment } from './environment-reading.js';
import { sourceHtml, valueText, warningsHtml } from './value-text.js';

const KIND_TEXT: Readonly<Record<KeyDifference['kind'], string>> = {
  'only-a': 'set in the left only',
  'only-b': 'set in the right only',
  changed: 'differs',
  same: 'same',
};

function sideHtml(resolved: ResolvedConfig<unknown>, key: string): Html {
  const explanation = resolved.explain(key);
  return html`<td class="value">${valueText(explanation.value)}</td><td>${sourceHtml(explanation.winner)}</td>`;
}

function comparison(left: ResolvedConfig<unknown>, right: ResolvedConfig<unknown>): Html {
  const diff = diffConfigs(left, right);
  const byKey = new Map(diff.differences.map((difference) => [difference.key, difference]));
  const differing = diff.differences.filter((difference) => difference.kind !== 'same').length;
  const rows = left.keys.map((key) => {
    const kind = byKey.get(key)?.kind ?? 'same';
    const secret = left.isSecret(key);
    return html`<tr data-key="${key}" data-kind="${kind}"${kind === 'same' ? '' : html` class="differs"`}>
<th scope="row"><code>${key}</code>${secret ? html` <span class="muted">(secret)</span>` : ''}</th>
${sideHtml(left, key)}${sideHtml(right, key)}<td>${KIND_TEXT[kind]}</td></tr>`;
  });
  const issues = [
    ...diff.issues.a.map((issue) => ({ environment: diff.a, issue })),
    ...diff.issues.b.map((issue) => ({ environment: diff.b, issue })),
  ];
  return html`<p>${differing === 0 ? `${diff.a} and ${diff.b} resolve to the same configuration.` : `${differing} key(s) differ, highlighted.`}</p>
${
  issues.length > 0
    ? html`<ul class="bad">${issues.map(({ environment, issue }) => html`<li>${environment}: <code>${issue.key}</code>: ${issue.message}</li>`)}</ul>`
    : ''
}
<table class="diff"><thead><tr><th>Key</th><th colspan="2">${diff.a}</th><th colspan="2">${diff.b}</th><th>Compared</th></tr></thead>
<tbody>${rows}</tbody></table>`;
}

function pickForm(site: ConsoleSite, environment: Environment, user: ConsoleUser, other: string | undefined): Html {
  const choices = site.environments.filter(
    (candidate) => candidate.name !== environment.name && allows(user.grants, candidate.name, 'read'),
  );
  if (choices.length === 0) return html`<p class="muted">You may read no other environment to compare with.</p>`;
  return html`<form class="act" method="get" action="${url(site, `/env/${encodeURIComponent(environment.name)}/diff`)}">
<label for="with">Compare ${environment.name} with</label>
<select id="with" name="with">${choices.map(
    (candidate) =>
      html`<option value="${candidate.name}"${candidate.name === other ? html` selected` : ''}>${candidate.name}</option>`,
  )}</select> <button type="submit">Compare</button></form>`;
}

export function registerDiffPage(app: FastifyInstance, site: ConsoleSite): void {
  app.get<{ Params: { env: string }; Querystring: { with?: unknown } }>('/env/:env/diff', async (request, reply) => {
    const { user, environment } = requireAction(site, request, request.params.env, 'read');
    const other = typeof request.query.with === 'string' && request.query.with !== '' ? request.query.with : undefined;
    let result: Html = html``;
    if (other !== undefined) {
      const right = requireAction(site, request, other, 'read').environment;
      const [a, b] = [await readEnvironment(site, environment.name), await readEnvironment(site, right.name)];
      result = html`${warningsHtml([...a.warnings, ...b.warnings])}${a.resolved && b.resolved ? comparison(a.resolved, b.resolved) : ''}`;
    }
    return sendPage(
      reply,
      page({
        site,
        user,
        environment,
        title: other ? `Diff: ${environment.name} and ${other}` : 'Diff',
        body: html`${pickForm(site, environment, user, other)}${result}`,
        csrf: csrfToken(reply),
      }),
    );
  });
}
