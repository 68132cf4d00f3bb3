/** The environments overview: each environment the user may see, its tier, colour, protection and their role. */
import type { FastifyInstance } from 'fastify';
import { html } from '../html.js';
import { page } from '../layout.js';
import { csrfToken, sendPage, takeFlash } from '../reply-helpers.js';
import { type ConsoleSite, url } from '../site.js';

export function registerOverview(app: FastifyInstance, site: ConsoleSite): void {
  app.get('/', async (request, reply) => {
    const user = request.consoleUser;
    if (!user) return reply.redirect(url(site, '/login'), 303);
    const cards = site.environments.map((environment) => {
      const role = user.grants.get(environment.name);
      const link = `/env/${encodeURIComponent(environment.name)}/config`;
      return html`<section class="card card-${environment.colour}" data-environment="${environment.name}">
<h2>${role ? html`<a href="${url(site, link)}">${environment.name}</a>` : environment.name} <span class="muted">(${environment.code})</span></h2>
<p>Tier ${environment.tier} · ${environment.colour} · ${environment.protected ? 'protected' : 'not protected'}</p>
<p>Your role: ${role ? html`<strong>${role}</strong>` : html`<span class="muted">none</span>`}</p></section>`;
    });
    return sendPage(
      reply,
      page({
        site,
        user,
        title: 'Environments',
        body: html`<div class="cards">${cards}</div>`,
        csrf: csrfToken(reply),
        flash: takeFlash(request, reply, site.prefix || '/'),
      }),
    );
  });
}
