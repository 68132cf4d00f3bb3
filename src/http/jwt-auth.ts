import type { FastifyBaseLogger, FastifyInstance, FastifyReply, FastifyRequest, RouteOptions } from 'fastify';
import type { ResolvedConfig } from '../config/index.js';
import { importPeer } from '../peers.js';
import { AuthConfigError, type JwtAuthSettings, jwtAuthSettings } from './auth-settings.js';
import { HTTP_REPLY_CODES } from './http-errors.js';
import { isHsAlgorithm } from './jwt-keys.js';

/** What a route may ask for in `config.auth`; `'jwt'`: a verified bearer JWT, as `auth.jwt` says. */
export type RouteAuth = 'jwt';

/** Checks a request's bearer token (`app.envwardAuthenticate`): a hook for onRequest or preHandler. */
export type Authenticate = (request: FastifyRequest, reply: FastifyReply) => Promise<void>;

/** Longer tokens are refused unread: real ones are well under 2 KiB, and Node caps all headers at 16 KiB. */
const MAX_TOKEN_LENGTH = 8_192;
/** RFC 6750's b64token after the `Bearer` scheme (any case), alone in the header. */
const BEARER = /^bearer +([A-Za-z0-9\-._~+/]+=*) *$/i;
/** The one message of every 401: it never says which check failed. */
const UNAUTHORIZED_MESSAGE =
  'This route needs a valid bearer token: send Authorization: Bearer <JWT> from the issuer this environment trusts.';
/** Tokens signed by `app.jwt.sign` (HS keys only) expire after this, unless the caller says otherwise. */
const SIGNED_TOKEN_LIFETIME = '15m';

/** A 401 in the plugin's one error body, with the challenge RFC 6750 asks for. */
class UnauthorizedRequestError extends Error {
  readonly statusCode = 401;
  readonly code = HTTP_REPLY_CODES.unauthorized;
  readonly headers: Readonly<Record<string, string>>;

  constructor(tokenGiven: boolean) {
    super(UNAUTHORIZED_MESSAGE);
    this.name = new.target.name;
    this.headers = { 'www-authenticate': tokenGiven ? 'Bearer error="invalid_token"' : 'Bearer' };
  }
}

/** The token of an `Authorization: Bearer` header, `absent` without one, `invalid` when it cannot be a JWT. */
function bearerToken(header: unknown): string | 'absent' | 'invalid' {
  if (typeof header !== 'string' || !/^bearer(?: |$)/i.test(header)) return 'absent';
  if (header.length > MAX_TOKEN_LENGTH + 16) return 'invalid';
  return BEARER.exec(header)?.[1] ?? 'invalid';
}

/** A verification failure's code for the log (fast-jwt's `FAST_JWT_EXPIRED`, ...), never its message. */
function reasonOf(error: unknown): string {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && /^[A-Z_]{1,64}$/.test(code) ? code : 'FAST_JWT_INVALID';
}

interface JwtVerifier {
  verify(token: string): unknown;
}

/** Registers @fastify/jwt (loaded now, not when envward/fastify is imported) with the environment's key and checks. */
async function registerVerifier(app: FastifyInstance, settings: JwtAuthSettings, environment: string) {
  const { default: fastifyJwt } = await importPeer('envward/fastify', () => import('@fastify/jwt'), ['@fastify/jwt']);
  const [signing] = settings.algorithms.filter(isHsAlgorithm);
  const key = settings.key as string;
  try {
    await app.register(fastifyJwt, {
      // An HS secret both signs and verifies; a public key only verifies (app.jwt.sign is then unavailable).
      secret: signing ? key : { public: key },
      verify: {
        algorithms: [...settings.algorithms],
        ...(settings.issuer !== undefined ? { allowedIss: settings.issuer } : {}),
        ...(settings.audience !== undefined ? { allowedAud: [...settings.audience] } : {}),
        clockTolerance: settings.clockToleranceMs,
        // @fastify/jwt reads a number as seconds.
        ...(settings.maxAgeSec !== undefined ? { maxAge: settings.maxAgeSec } : {}),
        requiredClaims: [...settings.requiredClaims],
      },
      ...(signing
        ? {
            sign: {
              algorithm: signing,
              expiresIn: SIGNED_TOKEN_LIFETIME,
              ...(settings.issuer !== undefined ? { iss: settings.issuer } : {}),
              ...(settings.audience !== undefined ? { aud: [...settings.audience] } : {}),
            },
          }
        : {}),
    });
  } catch {
    // Its words could be about the key: the message names the setting instead.
    throw new AuthConfigError(
      `@fastify/jwt refused the auth.jwt key for ${settings.algorithms.join(', ')}`,
      'Check that auth.jwt.publicKey is the PEM public key of the algorithms listed (or auth.jwt.secret for HS*).',
      environment,
    );
  }
  return app as unknown as { jwt: JwtVerifier };
}

function withFirst<T>(first: T, hooks: T | readonly T[] | undefined): T[] {
  if (hooks === undefined) return [first];
  return [first, ...(Array.isArray(hooks) ? hooks : [hooks as T])];
}

/**
 * API authentication of the Fastify plugin: with the `auth` fragment in
 * `use` and `auth.jwt.enabled`, @fastify/jwt verifies the bearer token of
 * every route registered after the plugin with `config: { auth: 'jwt' }`
 * (an onRequest hook, so a refused request is never parsed) and sets
 * `request.user` to its payload; a missing or refused token is a 401
 * `EW_HTTP_UNAUTHORIZED`. With auth off (development), those routes are
 * open. Returns the check, decorated as `app.envwardAuthenticate`.
 */
export async function registerJwtAuth(
  app: FastifyInstance,
  config: ResolvedConfig<unknown>,
  log: FastifyBaseLogger,
): Promise<Authenticate> {
  const settings = jwtAuthSettings(config);
  const environment = config.environment;
  let authenticate: Authenticate;
  if (!settings) {
    authenticate = async () => {
      throw new AuthConfigError(
        'app.envwardAuthenticate was called but envward.config.ts does not use the `auth` settings',
        "Add `auth` to `use` (import { auth } from 'envward/fastify') and configure auth.jwt; see docs/auth.md.",
        environment.name,
      );
    };
  } else if (!settings.enabled) {
    const level = environment.protected ? 'warn' : 'info';
    log[level](`envward: auth.jwt.enabled is false in ${environment.name}: routes that ask for a JWT are open`);
    authenticate = async () => {};
  } else {
    const { jwt } = await registerVerifier(app, settings, environment.name);
    authenticate = async (request) => {
      const token = bearerToken(request.headers.authorization);
      if (token === 'absent') throw new UnauthorizedRequestError(false);
      if (token === 'invalid' || token.length > MAX_TOKEN_LENGTH) {
        request.log.info({ reason: 'FAST_JWT_MALFORMED' }, 'envward: bearer token refused');
        throw new UnauthorizedRequestError(true);
      }
      let payload: unknown;
      try {
        payload = jwt.verify(token);
      } catch (error) {
        request.log.info({ reason: reasonOf(error) }, 'envward: bearer token refused');
        throw new UnauthorizedRequestError(true);
      }
      (request as { user?: unknown }).user = payload;
    };
  }
  app.addHook('onRoute', (route: RouteOptions) => {
    const wanted = (route.config as { auth?: unknown } | undefined)?.auth;
    if (wanted === undefined) return;
    const where = `route ${String(route.method)} ${route.url}`;
    if (wanted !== 'jwt') {
      throw new AuthConfigError(
        `${where} has config.auth ${JSON.stringify(String(wanted).slice(0, 32))}, which envward does not know`,
        "The one value is config: { auth: 'jwt' }; see docs/auth.md.",
        environment.name,
      );
    }
    if (!settings) {
      throw new AuthConfigError(
        `${where} asks for a JWT (config.auth 'jwt') but envward.config.ts does not use the \`auth\` settings`,
        "Add `auth` to `use` (import { auth } from 'envward/fastify') and configure auth.jwt; see docs/auth.md.",
        environment.name,
      );
    }
    if (settings.enabled)
      route.onRequest = withFirst(authenticate, route.onRequest as Authenticate | Authenticate[] | undefined);
  });
  return authenticate;
}
