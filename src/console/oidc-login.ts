/**
 * Login through an OpenID Connect provider (`console.oidc.*`): the
 * authorization code flow with PKCE, state and nonce, by openid-client
 * (loaded when the first such login starts). The provider proves who the
 * person is; the console decides what they may do: the id token's
 * `preferred_username` (from userinfo when the id token lacks it; else
 * `sub`) must name an existing console user,
 * whose roles are the console's own. Anyone else is refused and audited.
 *
 * The state, nonce and verifier travel in a signed HttpOnly cookie that
 * lives ten minutes and is SameSite=Lax: the provider's redirect back is a
 * cross-site navigation, which a Strict cookie would not come with. For the
 * same reason the callback answers with a page that moves on to the console
 * (a same-site navigation, so the Strict session cookie is sent).
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { importPeer } from '../peers.js';
import { USER_NAME } from './console-tables.js';
import { html } from './html.js';
import { page } from './layout.js';
import { beginSession, loginPage } from './login-routes.js';
import { sendPage } from './reply-helpers.js';
import { type ConsoleSite, type OidcSettings, url } from './site.js';
import { findUser } from './user-records.js';

const FLOW_COOKIE = 'envward_oidc';
const FLOW_MINUTES = 10;

type OpenIdClient = typeof import('openid-client');
type Configuration = import('openid-client').Configuration;

interface Flow {
  readonly state: string;
  readonly nonce: string;
  readonly verifier: string;
}

function isFlow(value: unknown): value is Flow {
  const flow = value as Partial<Flow> | null;
  return typeof flow?.state === 'string' && typeof flow.nonce === 'string' && typeof flow.verifier === 'string';
}

/** openid-client and the provider's metadata, read once (again after a failure, so a provider down at start is retried). */
function providerConfiguration(oidc: OidcSettings): () => Promise<{ client: OpenIdClient; config: Configuration }> {
  let pending: Promise<{ client: OpenIdClient; config: Configuration }> | undefined;
  return () => {
    pending ??= (async () => {
      const client = await importPeer('envward/console', () => import('openid-client'), ['openid-client']);
      const issuer = new URL(oidc.issuer);
      // http is allowed by the settings only on 127.0.0.1 and localhost (a provider on the same machine).
      const options = issuer.protocol === 'http:' ? { execute: [client.allowInsecureRequests] } : undefined;
      const config = oidc.clientSecret
        ? await client.discovery(issuer, oidc.clientId, oidc.clientSecret, undefined, options)
        : await client.discovery(issuer, oidc.clientId, undefined, client.None(), options);
      return { client, config };
    })();
    pending.catch(() => {
      pending = undefined;
    });
    return pending;
  };
}

/** What a refused OIDC login is told and audited as: an error code, never the provider's words (they may echo input). */
function failureCode(error: unknown): string {
  const code = (error as { code?: unknown; error?: unknown }).error ?? (error as { code?: unknown }).code;
  return typeof code === 'string' && /^[A-Za-z0-9_.-]{1,64}$/.test(code) ? code : 'failed';
}

export function registerOidcRoutes(app: FastifyInstance, site: ConsoleSite, oidc: OidcSettings): void {
  const provider = providerConfiguration(oidc);
  const path = site.prefix || '/';
  const limit = { config: { rateLimit: { max: site.settings.loginPerMinute, timeWindow: 60_000 } } };

  async function refuse(reply: FastifyReply, target: string, status: number, text: string) {
    await site.store
      .auditAs('console:oidc')
      .append({ action: 'console.login', target: `${target} (oidc)`, outcome: 'refused' });
    return sendPage(reply, loginPage(site, reply, text), status);
  }

  app.get('/login/oidc', limit, async (_request, reply) => {
    let loaded: Awaited<ReturnType<typeof provider>>;
    try {
      loaded = await provider();
    } catch (error) {
      return refuse(reply, failureCode(error), 502, 'The identity provider cannot be reached; try again later.');
    }
    const { client, config } = loaded;
    const flow: Flow = {
      state: client.randomState(),
      nonce: client.randomNonce(),
      verifier: client.randomPKCECodeVerifier(),
    };
    const target = client.buildAuthorizationUrl(config, {
      redirect_uri: oidc.redirectUrl,
      scope: 'openid profile',
      state: flow.state,
      nonce: flow.nonce,
      code_challenge: await client.calculatePKCECodeChallenge(flow.verifier),
      code_challenge_method: 'S256',
    });
    reply.setCookie(FLOW_COOKIE, JSON.stringify(flow), {
      path,
      httpOnly: true,
      sameSite: 'lax',
      secure: 'auto',
      signed: true,
      maxAge: FLOW_MINUTES * 60,
    });
    return reply.redirect(target.href, 303);
  });

  app.get('/login/oidc/callback', limit, async (request: FastifyRequest, reply) => {
    const signed = request.cookies[FLOW_COOKIE];
    reply.clearCookie(FLOW_COOKIE, { path });
    const unsigned = signed ? request.unsignCookie(signed) : undefined;
    let flow: unknown;
    try {
      flow = unsigned?.valid && unsigned.value ? JSON.parse(unsigned.value) : undefined;
    } catch {}
    if (!isFlow(flow)) {
      return refuse(reply, 'no-flow', 400, 'This sign-in did not start here, or it expired: start again.');
    }
    // The URL the provider sent the browser to, rebuilt from the configured one (the Host header is not trusted).
    const current = new URL(oidc.redirectUrl);
    current.search = new URL(request.url, 'http://console.invalid').search;
    let claimed: string;
    try {
      const { client, config } = await provider();
      const tokens = await client.authorizationCodeGrant(config, current, {
        pkceCodeVerifier: flow.verifier,
        expectedState: flow.state,
        expectedNonce: flow.nonce,
        idTokenExpected: true,
      });
      const claims = tokens.claims();
      let name = claims?.preferred_username;
      // Providers that keep profile claims out of the id token (OpenID Connect's default) give them from userinfo.
      if (name === undefined && claims && tokens.access_token) {
        name = (await client.fetchUserInfo(config, tokens.access_token, claims.sub)).preferred_username;
      }
      name ??= claims?.sub;
      claimed = typeof name === 'string' ? name : '';
    } catch (error) {
      return refuse(reply, failureCode(error), 401, 'The identity provider did not sign you in.');
    }
    const user = USER_NAME.test(claimed) ? await findUser(site.db, claimed) : undefined;
    if (!user) {
      const shown = claimed.replace(/[^\w.@-]/g, '?').slice(0, 64) || 'unnamed';
      return refuse(
        reply,
        shown,
        403,
        'You signed in with the identity provider, but you are not a user of this console.',
      );
    }
    await beginSession(site, request, reply, user.name, 'oidc');
    const home = url(site, '/');
    return sendPage(
      reply,
      page({
        site,
        title: 'Signed in',
        refresh: home,
        body: html`<p>Signed in as ${user.name}. <a href="${home}">Continue to the console</a></p>`,
      }),
    );
  });
}
