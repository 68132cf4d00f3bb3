/**
 * The audit page: the environment's newest events, a page at a time
 * (`?before=<seq>` pages back), and "Verify chain", which checks the hash
 * chain and the stamp's anchor as `envward audit verify` does. Verifying
 * only reads, so a viewer may; it is a POST because every form carries the
 * CSRF token, and its result comes back as a flash.
 */
import type { FastifyInstance } from 'fastify';
import { requireAction } from '../guards.js';
import { html } from '../html.js';
import { csrfField, page } from '../layout.js';
import { csrfToken, sendPage, takeFlash } from '../reply-helpers.js';
import type { ConsoleSite } from '../site.js';
import { actThenRedirect, envParam, pagePath, readOr, withStore } from './ops-support.js';

const PAGE_SIZE = 50;

/** `?before=` as an event number, or undefined for the newest page (anything else is ignored). */
function beforeParam(query: unknown): number | undefined {
  const text = (query as { before?: unknown } | undefined)?.before;
  if (typeof text !== 'string' || !/^\d{1,12}$/.test(text)) return undefined;
  const seq = Number(text);
  return seq >= 1 ? seq : undefined;
}

export function registerAuditPages(app: FastifyInstance, site: ConsoleSite): void {
  app.get('/env/:env/audit', async (request, reply) => {
    const { user, environment } = requireAction(site, request, envParam(request), 'read');
    const path = pagePath(site, environment, 'audit');
    const before = beforeParam(request.query);
    const read = await readOr(() =>
      withStore(site, environment, user, 'read', (store) =>
        store.audit.list({ limit: PAGE_SIZE, ...(before !== undefined ? { before } : {}) }),
      ),
    );
    const csrf = csrfToken(reply);
    const verify = html`<form class="inline" method="post" action="${path}/verify" data-form="verify">${csrfField(csrf)}<button type="submit">Verify chain</button></form>`;
    let events = html``;
    if ('problem' in read) events = read.problem;
    else {
      const rows = [...read.value].reverse();
      const oldest = rows.at(-1)?.seq;
      events = html`<table><thead><tr><th>#</th><th>At</th><th>Actor</th><th>Host</th><th>Action</th><th>Target</th><th>Reason</th><th>Outcome</th></tr></thead><tbody>${rows.map(
        (row) =>
          html`<tr data-seq="${row.seq}"><td>${row.seq}</td><td>${row.at}</td><td>${row.actor}</td><td>${row.host}</td><td><code>${row.action}</code></td><td class="value">${row.target}</td><td>${row.reason ?? ''}</td><td>${row.outcome}</td></tr>`,
      )}</tbody></table>
${rows.length === 0 ? html`<p class="muted">No events${before !== undefined ? ' before this one' : ''}.</p>` : ''}
<p>${before !== undefined ? html`<a href="${path}">Newest</a> ` : ''}${
        rows.length === PAGE_SIZE && oldest !== undefined && oldest > 1
          ? html`<a href="${path}?before=${oldest}" rel="next">Older</a>`
          : ''
      }</p>`;
    }
    return sendPage(
      reply,
      page({
        site,
        user,
        environment,
        title: 'Audit log',
        body: html`<p>${verify}</p>${events}`,
        csrf,
        flash: takeFlash(request, reply, path),
      }),
    );
  });

  app.post('/env/:env/audit/verify', async (request, reply) => {
    const { user, environment } = requireAction(site, request, envParam(request), 'read');
    const path = pagePath(site, environment, 'audit');
    return actThenRedirect(reply, path, async () => {
      const result = await withStore(site, environment, user, 'read', (store) => store.audit.verify());
      if (result.ok) {
        const anchor = result.anchor ? "ends at the stamp's anchor" : 'no anchor recorded';
        return {
          kind: 'ok',
          text: `Chain intact: ${result.rows} event(s), ${anchor}; head ${result.head.slice(0, 16)}.`,
        };
      }
      const broken = result.broken;
      return {
        kind: 'error',
        text: `Chain broken${broken ? ` at seq ${broken.seq} (${broken.reason}): ${broken.message}` : ''}.`,
      };
    });
  });
}
