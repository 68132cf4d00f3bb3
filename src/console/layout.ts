/**
 * The frame of every console page: the environment banner (colour, name,
 * tier and code in text; it has no close button and stays on top while
 * scrolling), the page title and favicon with the environment's code, the
 * navigation the user's roles allow, and flash messages.
 */
import type { Environment } from '../environment/index.js';
import { Html, type HtmlValue, html } from './html.js';
import { allows } from './roles.js';
import { type ConsoleSite, url } from './site.js';
import type { ConsoleUser } from './user-records.js';

export interface PageOptions {
  readonly site: ConsoleSite;
  readonly user?: ConsoleUser | undefined;
  /** The environment the page is about; the console's own environment when omitted. */
  readonly environment?: Environment | undefined;
  readonly title: string;
  readonly body: HtmlValue;
  /** The CSRF token for the logout form (and any form on the page). */
  readonly csrf?: string | undefined;
  readonly flash?: { readonly kind: 'ok' | 'error'; readonly text: string } | undefined;
  /** A same-site URL the browser goes on to at once (meta refresh: no script, so the CSP allows it). */
  readonly refresh?: string | undefined;
}

/** The banner: colour and, always, the words. */
export function banner(environment: Environment): Html {
  const kind = environment.tier === 'production' ? 'PRODUCTION' : environment.tier.toUpperCase();
  return html`<div class="banner banner-${environment.colour}" role="banner" data-environment="${environment.name}" data-tier="${environment.tier}">
<span class="code">${environment.code}</span><span>${kind}: ${environment.name}</span><span class="tier">${environment.protected ? 'protected' : 'not protected'} · ${environment.colour}</span></div>`;
}

/** The hidden CSRF field every form carries. */
export function csrfField(token: string | undefined): Html {
  return html`<input type="hidden" name="_csrf" value="${token ?? ''}">`;
}

/** Links to an environment's pages (those the user's role there allows). */
function environmentNav(site: ConsoleSite, environment: Environment, user: ConsoleUser | undefined): Html {
  if (!user || !allows(user.grants, environment.name, 'read')) return html``;
  const base = `/env/${encodeURIComponent(environment.name)}`;
  const links: [string, string][] = [
    ['config', 'Config'],
    ['diff', 'Diff'],
    ['secrets', 'Secrets'],
    ['revisions', 'Revisions'],
    ['flags', 'Flags'],
    ['jobs', 'Jobs'],
    ['migrations', 'Migrations'],
    ['audit', 'Audit'],
    ['requests', 'Requests'],
  ];
  return html`<nav class="env" aria-label="${environment.name}">${links.map(
    ([path, label]) => html`<a href="${url(site, `${base}/${path}`)}">${label}</a>`,
  )}</nav>`;
}

export function page(options: PageOptions): Html {
  const { site, user } = options;
  const environment = options.environment ?? site.home;
  const title = `[${environment.code}] ${options.title} · ${environment.name} · envward`;
  const flash = options.flash
    ? html`<div class="flash flash-${options.flash.kind}" role="status">${options.flash.text}</div>`
    : '';
  const who = user
    ? html`<div class="who"><span>${user.name}</span><form class="inline" method="post" action="${url(site, '/logout')}">${csrfField(options.csrf)}<button class="link" type="submit">Log out</button></form></div>`
    : '';
  const nav = user
    ? html`<nav><a href="${url(site, '/')}">Environments</a><a href="${url(site, '/requests')}">Requests</a>${
        user.grants.get(site.home.name) === 'admin' ? html`<a href="${url(site, '/users')}">Users</a>` : ''
      }</nav>`
    : '';
  return html`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>${title}</title>
${options.refresh ? html`<meta http-equiv="refresh" content="0;url=${options.refresh}">` : ''}
<link rel="icon" type="image/svg+xml" href="${url(site, `/favicon/${encodeURIComponent(environment.name)}.svg`)}">
<link rel="stylesheet" href="${url(site, '/assets/console.css')}">
</head><body>
${banner(environment)}
<header class="top"><span class="brand">envward · ${site.project.definition.project}</span>${nav}${who}</header>
${options.environment ? environmentNav(site, environment, user) : ''}
<main>${flash}<h1>${options.title}</h1>
${options.body}
</main></body></html>`;
}

export { Html };
