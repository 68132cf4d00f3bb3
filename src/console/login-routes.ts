/**
 * Login and logout. A login is rate-limited per address, counts failures per
 * user (locked for a while after too many), answers the same for an unknown
 * name, a wrong password and a locked account, always makes a new session
 * (never reusing a cookie sent before login) and drops the old CSRF secret.
 * Each outcome is audited in the console's environment as `console:<name>`.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { USER_NAME } from './console-tables.js';
import { html } from './html.js';
import { csrfField, page } from './layout.js';
import { verifyPassword } from './password.js';
import { csrfToken, sendPage } from './reply-helpers.js';
import { createSession, endSession } from './sessions.js';
import { actorOf, type ConsoleSite, url } from './site.js';
import { clearFailures, recordFailure, userRow } from './user-records.js';

export const SESSION_COOKIE = 'envward_session';

const REFUSED = 'Wrong name or password, or the account is locked for a while.';

export function loginPage(site: ConsoleSite, reply: FastifyReply, message?: string, name = '') {
  return page({
    site,
    title: 'Log in',
    body: html`<form class="login" method="post" action="${url(site, '/login')}">
${message ? html`<p class="flash flash-error" role="alert">${message}</p>` : ''}
${csrfField(csrfToken(reply))}
<label for="name">Name</label><input id="name" name="name" type="text" autocomplete="username" value="${name}" required>
<label for="password">Password</label><input id="password" name="password" type="password" autocomplete="current-password" required>
<p><button type="submit">Log in</button></p>
${site.settings.oidc ? html`<p class="oidc"><a class="button" href="${url(site, '/login/oidc')}">Log in with ${issuerName(site.settings.oidc.issuer)}</a></p>` : ''}</form>`,
  });
}

/** The identity provider as the login button names it: its host. */
function issuerName(issuer: string): string {
  return new URL(issuer).host;
}

function cookieOptions(site: ConsoleSite) {
  return {
    path: site.prefix || '/',
    httpOnly: true,
    sameSite: 'strict' as const,
    secure: 'auto' as const,
    signed: true,
    maxAge: site.settings.sessionMinutes * 60,
  };
}

/**
 * Signs `name` in: a new session (the one a cookie sent before named is
 * ended, never promoted), a fresh CSRF secret, audited as `console.login`.
 */
export async function beginSession(
  site: ConsoleSite,
  request: FastifyRequest,
  reply: FastifyReply,
  name: string,
  via?: string,
): Promise<void> {
  const previous = request.cookies[SESSION_COOKIE];
  const unsigned = previous ? request.unsignCookie(previous) : undefined;
  if (unsigned?.valid && unsigned.value) await endSession(site.db, unsigned.value);
  const token = await createSession(site.db, name, site.settings.sessionMinutes);
  await site.store
    .auditAs(actorOf({ name }))
    .append({ action: 'console.login', target: via ? `${name} (${via})` : name, outcome: 'done' });
  reply.clearCookie('envward_csrf', { path: site.prefix || '/' });
  reply.setCookie(SESSION_COOKIE, token, cookieOptions(site));
}

export async function registerLoginRoutes(app: FastifyInstance, site: ConsoleSite): Promise<void> {
  const { default: rateLimit } = await import('@fastify/rate-limit');
  await app.register(rateLimit, { global: false });

  app.get('/login', async (_request, reply) => sendPage(reply, loginPage(site, reply)));

  app.post<{ Body: { name?: unknown; password?: unknown } }>(
    '/login',
    { config: { rateLimit: { max: site.settings.loginPerMinute, timeWindow: 60_000 } } },
    async (request, reply) => {
      const name = typeof request.body?.name === 'string' ? request.body.name.trim().toLowerCase() : '';
      const password = typeof request.body?.password === 'string' ? request.body.password : '';
      const known = USER_NAME.test(name) ? await userRow(site.db, name) : undefined;
      const locked = known?.locked_until != null && known.locked_until > new Date().toISOString();
      // The hash is checked even for an unknown or locked name: the time taken tells nothing.
      const matches = await verifyPassword(known?.password_hash ?? null, password);
      if (!known || locked || !matches) {
        if (known && !locked) {
          const lockUntil = new Date(Date.now() + site.settings.lockoutMinutes * 60_000);
          const nowLocked = await recordFailure(site.db, known.name, site.settings.lockoutAttempts, lockUntil);
          await site.store.auditAs(actorOf(known)).append({
            action: nowLocked ? 'console.lockout' : 'console.login',
            target: known.name,
            outcome: 'refused',
          });
        }
        return sendPage(reply, loginPage(site, reply, REFUSED, USER_NAME.test(name) ? name : ''), 401);
      }
      await clearFailures(site.db, known.name);
      await beginSession(site, request, reply, known.name);
      return reply.redirect(url(site, '/'), 303);
    },
  );

  if (site.settings.oidc) {
    const { registerOidcRoutes } = await import('./oidc-login.js');
    registerOidcRoutes(app, site, site.settings.oidc);
  }

  app.post('/logout', async (request: FastifyRequest, reply: FastifyReply) => {
    const signed = request.cookies[SESSION_COOKIE];
    const unsigned = signed ? request.unsignCookie(signed) : undefined;
    if (unsigned?.valid && unsigned.value) await endSession(site.db, unsigned.value);
    if (request.consoleUser) {
      await site.store
        .auditAs(actorOf(request.consoleUser))
        .append({ action: 'console.logout', target: request.consoleUser.name, outcome: 'done' });
    }
    reply.clearCookie(SESSION_COOKIE, { path: site.prefix || '/' });
    reply.clearCookie('envward_csrf', { path: site.prefix || '/' });
    return reply.redirect(url(site, '/login'), 303);
  });
}
