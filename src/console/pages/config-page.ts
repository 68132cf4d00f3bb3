/**
 * `/env/:env/config`: every key of an environment as its services run with
 * it now, masked as `envward config show` prints it, with the source that
 * set it (layer and file:line, variable or revision, as `config explain`
 * says) and the values it shadowed below it, struck through with theirs.
 */
import type { FastifyInstance } from 'fastify';
import type { ResolvedConfig } from '../../config/resolve.js';
import { requireAction } from '../guards.js';
import { type Html, html } from '../html.js';
import { page } from '../layout.js';
import { csrfToken, sendPage, takeFlash } from '../reply-helpers.js';
import { type ConsoleSite, url } from '../site.js';
import { readEnvironment } from './environment-reading.js';
import { sourceHtml, valueText, warningsHtml } from './value-text.js';

function keyRows(resolved: ResolvedConfig<unknown>): Html[] {
  return resolved.keys.map((key) => {
    const explanation = resolved.explain(key);
    const shadowed = [...explanation.overridden].reverse();
    return html`<tr data-key="${key}"><th scope="row"><code>${key}</code>${explanation.secret ? html` <span class="muted">(secret)</span>` : ''}</th>
<td class="value">${valueText(explanation.value)}</td>
<td>${sourceHtml(explanation.winner)}</td>
<td>${
      shadowed.length === 0
        ? html`<span class="muted">none</span>`
        : html`<ul class="plain">${shadowed.map(
            (entry) =>
              html`<li><span class="shadowed value">${valueText(entry.value)}</span> <span class="muted">from</span> ${sourceHtml(entry)}</li>`,
          )}</ul>`
    }</td></tr>`;
  });
}

function issuesHtml(resolved: ResolvedConfig<unknown>): Html {
  if (resolved.issues.length === 0) return html``;
  return html`<h2 class="bad">Problems (${resolved.issues.length})</h2><ul>${resolved.issues.map(
    (issue) => html`<li><code>${issue.key}</code>: ${issue.message}</li>`,
  )}</ul>`;
}

export function registerConfigPage(app: FastifyInstance, site: ConsoleSite): void {
  app.get<{ Params: { env: string } }>('/env/:env/config', async (request, reply) => {
    const { user, environment } = requireAction(site, request, request.params.env, 'read');
    const reading = await readEnvironment(site, environment.name);
    const { resolved } = reading;
    const at =
      reading.revision > 0
        ? html`runtime revision <a href="${url(site, `/env/${encodeURIComponent(environment.name)}/revisions`)}">${reading.revision}</a> applied`
        : 'no runtime revision applied';
    const body = html`${warningsHtml(reading.warnings)}
<p class="muted">${environment.name} (${environment.code}, ${environment.tier}) · ${at} · secrets masked · the highest layer wins; values it shadowed are struck through.</p>
${
  resolved
    ? html`${issuesHtml(resolved)}<table class="config"><thead><tr><th>Key</th><th>Value</th><th>Set by</th><th>Shadowed below it</th></tr></thead>
<tbody>${keyRows(resolved)}</tbody></table>`
    : ''
}`;
    const path = url(site, `/env/${encodeURIComponent(environment.name)}/config`);
    return sendPage(
      reply,
      page({
        site,
        user,
        environment,
        title: 'Configuration',
        body,
        csrf: csrfToken(reply),
        flash: takeFlash(request, reply, path),
      }),
    );
  });
}
