/**
 * The console as a Fastify plugin (encapsulated: its hooks and headers apply
 * to its own routes only). `envward console` registers it in its own server;
 * an application mounts it under a prefix with `envward/console`. Every
 * page needs a session; every POST a CSRF token; every answer carries a
 * Content-Security-Policy that allows no inline script or style, no frame
 * and no form target elsewhere.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { isEnvwardError } from '../errors.js';
import { CONSOLE_CSS, faviconSvg } from './assets.js';
import { type Html, html } from './html.js';
import { page } from './layout.js';
import { registerLoginRoutes, SESSION_COOKIE } from './login-routes.js';
import { registerPages } from './pages/index.js';
import { csrfToken, sendPage } from './reply-helpers.js';
import { sessionUser } from './sessions.js';
import { actorOf, ConsoleHttpError, type ConsoleSite, targetFor, url } from './site.js';
import type { ConsoleUser } from './user-records.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** The signed-in console user (null on the login page and assets). */
    consoleUser: ConsoleUser | null;
  }
}

/** Headers of every console answer: no script at all, styles from the console only, never framed, never cached. */
const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'content-security-policy':
    "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
  'x-frame-options': 'DENY',
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'cache-control': 'no-store',
  'cross-origin-opener-policy': 'same-origin',
  'cross-origin-resource-policy': 'same-origin',
};

const UNDERSTOOD = 'The request was not understood.';
/** What a refused request is told (never the parser's own words, which may quote the body). */
const CLIENT_ERRORS: Readonly<Record<number, string>> = {
  413: 'The form is too large.',
  415: 'The console takes forms only.',
  429: 'Too many attempts from this address: wait a minute and try again.',
};

/** Paths served without a session. */
function isPublic(path: string): boolean {
  return (
    path === '/login' || path.startsWith('/login/oidc') || path.startsWith('/assets/') || path.startsWith('/favicon/')
  );
}

export interface ConsolePluginOptions {
  readonly site: ConsoleSite;
  /** Signs the session and CSRF cookies; random per process when omitted (sessions then end at restart). */
  readonly cookieSecret: string;
}

function errorPage(
  site: ConsoleSite,
  request: FastifyRequest,
  reply: FastifyReply,
  status: number,
  text: string,
): Html {
  const user = request.consoleUser ?? undefined;
  return page({
    site,
    user,
    title: status === 403 ? 'Not allowed' : status === 404 ? 'Not found' : 'Cannot do that',
    body: html`<p class="bad">${text}</p><p><a href="${url(site, '/')}">Back to the environments</a></p>`,
    csrf: user ? csrfToken(reply) : undefined,
  });
}

/**
 * A refused act is audited in the console's own log (its security record:
 * logins and refusals, always reachable) and in the log of the environment
 * it was aimed at, when that is another one whose database exists. The
 * refusal stands whether or not either record could be written.
 */
async function auditRefusal(
  site: ConsoleSite,
  request: FastifyRequest,
  refused: { readonly environment: string; readonly action: string },
): Promise<void> {
  const user = request.consoleUser;
  if (!user) return;
  const path = (request.url.split('?')[0] ?? '').slice(0, 200);
  const event = {
    action: 'console.refused',
    target: `${refused.environment}: ${refused.action} (${request.method} ${path})`,
    outcome: 'refused',
  } as const;
  const warn = (error: unknown) =>
    request.log.warn({ code: isEnvwardError(error) ? error.code : 'internal' }, 'console refusal not audited');
  await site.store.auditAs(actorOf(user)).append(event).catch(warn);
  if (refused.environment === site.home.name) return;
  const { recordAct } = await import('../acts/record-act.js');
  await recordAct(targetFor(site, refused.environment, user), event, { unstamped: 'refuse' }).catch(warn);
}

export async function consolePlugin(app: FastifyInstance, options: ConsolePluginOptions): Promise<void> {
  const { site } = options;
  const [{ default: cookie }, { default: formbody }, { default: csrf }] = await Promise.all([
    import('@fastify/cookie'),
    import('@fastify/formbody'),
    import('@fastify/csrf-protection'),
  ]);
  const path = site.prefix || '/';
  await app.register(cookie, { secret: options.cookieSecret });
  // Forms only: no JSON or text body reaches a console route (415), whatever the host application parses.
  app.removeAllContentTypeParsers();
  await app.register(formbody, { bodyLimit: 64 * 1024 });
  await app.register(csrf, {
    sessionPlugin: '@fastify/cookie',
    cookieKey: 'envward_csrf',
    cookieOpts: { path, sameSite: 'strict', httpOnly: true, signed: true, secure: 'auto' },
    getToken: (request) => (request.body as { _csrf?: unknown } | undefined)?._csrf as string | undefined,
  });
  app.decorateRequest('consoleUser', null);

  app.addHook('onSend', async (_request, reply, payload) => {
    for (const [name, value] of Object.entries(SECURITY_HEADERS)) reply.header(name, value);
    return payload;
  });

  app.addHook('preHandler', async (request, reply) => {
    const path = request.routeOptions.url?.slice(site.prefix.length) ?? '';
    if (!isPublic(path)) {
      const signed = request.cookies[SESSION_COOKIE];
      const unsigned = signed ? request.unsignCookie(signed) : undefined;
      const user = unsigned?.valid && unsigned.value ? await sessionUser(site.db, unsigned.value) : undefined;
      if (!user) {
        if (request.method === 'GET') return reply.redirect(url(site, '/login'), 303);
        return sendPage(reply, errorPage(site, request, reply, 401, 'Your session has ended: log in again.'), 401);
      }
      request.consoleUser = user;
    }
    if (request.method === 'POST') {
      await new Promise<void>((resolve, reject) => {
        app.csrfProtection(request, reply, (error?: Error) => (error ? reject(error) : resolve()));
      });
    }
  });

  app.setErrorHandler(async (error, request, reply) => {
    if (error instanceof ConsoleHttpError) {
      if (error.refused && request.consoleUser) await auditRefusal(site, request, error.refused);
      return sendPage(reply, errorPage(site, request, reply, error.status, error.message), error.status);
    }
    const code = (error as { code?: unknown }).code;
    if (typeof code === 'string' && code.startsWith('FST_CSRF')) {
      return sendPage(
        reply,
        errorPage(
          site,
          request,
          reply,
          403,
          'This form was not issued by this console, or it expired: reload the page.',
        ),
        403,
      );
    }
    const status = (error as { statusCode?: unknown }).statusCode;
    if (typeof status === 'number' && status >= 400 && status < 500) {
      return sendPage(reply, errorPage(site, request, reply, status, CLIENT_ERRORS[status] ?? UNDERSTOOD), status);
    }
    // A library error's message names keys and files, never values; anything else is not shown at all.
    const text = isEnvwardError(error) ? `${error.code}: ${error.message}` : 'Something went wrong on the server.';
    request.log.error({ code: isEnvwardError(error) ? error.code : 'internal' }, 'console request failed');
    return sendPage(reply, errorPage(site, request, reply, 500, text), 500);
  });

  app.get('/assets/console.css', async (_request, reply) =>
    reply.type('text/css; charset=utf-8').header('cache-control', 'no-cache').send(CONSOLE_CSS),
  );
  app.get<{ Params: { file: string } }>('/favicon/:file', async (request, reply) => {
    const name = request.params.file.replace(/\.svg$/, '');
    const environment = site.environments.find((candidate) => candidate.name === name) ?? site.home;
    return reply.type('image/svg+xml').send(faviconSvg(environment.colour, environment.code));
  });

  await registerLoginRoutes(app, site);
  registerPages(app, site);
}
