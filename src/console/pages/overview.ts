/**
 * The environments overview (`/`): a card per environment with its tier,
 * colour, protection and the user's role; for those the user may read, its
 * health (store reachable and stamped, pending migrations, config issues),
 * the preflight's outcome and the latest config revision, all read at once,
 * each within a deadline, writing nothing. The others show no more than
 * their name, tier and colour. Also `/env/:env`, which goes to its config.
 */
import type { FastifyInstance } from 'fastify';
import type { Environment } from '../../environment/index.js';
import { envwardVersion } from '../../runtime/envward-version.js';
import { requireAction } from '../guards.js';
import { type Html, html } from '../html.js';
import { page } from '../layout.js';
import { csrfToken, sendPage, takeFlash } from '../reply-helpers.js';
import { allows } from '../roles.js';
import { type ConsoleSite, url } from '../site.js';
import type { ConsoleUser } from '../user-records.js';
import { type EnvironmentHealth, HEALTH_DEADLINE_MS, readHealth } from './environment-health.js';
import { healthHtml } from './health-view.js';
import { projectPackage } from './project-version.js';

const envPath = (site: ConsoleSite, environment: Environment, rest = '') =>
  url(site, `/env/${encodeURIComponent(environment.name)}${rest}`);

function card(
  site: ConsoleSite,
  environment: Environment,
  user: ConsoleUser,
  health: EnvironmentHealth | undefined,
): Html {
  const role = user.grants.get(environment.name);
  const readable = health !== undefined;
  return html`<section class="card card-${environment.colour}" data-environment="${environment.name}">
<h2>${readable ? html`<a href="${envPath(site, environment, '/config')}">${environment.name}</a>` : environment.name} <span class="muted">(${environment.code})</span></h2>
<p>Tier ${environment.tier} · ${environment.colour} · ${environment.protected ? 'protected' : 'not protected'}</p>
<p>Your role: ${role ? html`<strong>${role}</strong>` : html`<span class="muted">no role</span>`}</p>
${health ? healthHtml(health, environment.protected, envPath(site, environment, '/revisions')) : ''}</section>`;
}

async function versionsHtml(site: ConsoleSite): Promise<Html> {
  const own = await projectPackage(site.project.root);
  const project = own
    ? html`${own.name ?? 'the project'} <strong data-version="project">${own.version}</strong>`
    : html`<span class="muted">the project has no package.json version</span>`;
  return html`<p class="muted">envward <strong data-version="envward">${envwardVersion()}</strong> · ${project} · health read now, each environment within ${HEALTH_DEADLINE_MS / 1000} s, nothing written</p>`;
}

export function registerOverview(app: FastifyInstance, site: ConsoleSite): void {
  app.get('/', async (request, reply) => {
    const user = request.consoleUser;
    if (!user) return reply.redirect(url(site, '/login'), 303);
    // All environments at once: the slowest one (or its deadline) sets the page's time, not their sum.
    const [versions, ...healths] = await Promise.all([
      versionsHtml(site),
      ...site.environments.map((environment) =>
        allows(user.grants, environment.name, 'read') ? readHealth(site, environment) : Promise.resolve(undefined),
      ),
    ]);
    const cards = site.environments.map((environment, index) => card(site, environment, user, healths[index]));
    return sendPage(
      reply,
      page({
        site,
        user,
        title: 'Environments',
        body: html`${versions}<div class="cards">${cards}</div>`,
        csrf: csrfToken(reply),
        flash: takeFlash(request, reply, site.prefix || '/'),
      }),
    );
  });

  app.get<{ Params: { env: string } }>('/env/:env', async (request, reply) => {
    const { environment } = requireAction(site, request, request.params.env, 'read');
    return reply.redirect(envPath(site, environment, '/config'), 303);
  });
}
