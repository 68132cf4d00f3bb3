import { settingsOf } from '../config/capability-settings.js';
import type { ResolvedConfig } from '../config/index.js';
import { type BuiltInTier, defaultsTier } from '../environment/index.js';
import { http } from './settings-schema.js';

/**
 * The plugin's per-environment settings: the project's `http.*` values
 * (the `http` fragment in `use`, validated with the rest of the config, tier
 * defaults applied as a layer), shaped for Fastify. Read once per resolved config.
 */
export interface HttpSettings {
  /** Largest request body in bytes (`http.bodyLimit`); larger bodies get 413. */
  readonly bodyLimit: number;
  /** Fastify's `trustProxy` (`http.trustProxy`): needed behind a proxy, or every client shares one IP. */
  readonly trustProxy: boolean | number | string | readonly string[];
  /**
   * Keep a well-formed incoming `X-Request-Id` (`http.trustRequestId`; by
   * default in development and test, and elsewhere when `http.trustProxy`
   * is set); otherwise one is always made.
   */
  readonly trustRequestId: boolean;
  /** Allowed CORS origins (`http.cors.origins`): `true` reflects any origin, `[]` sends no CORS headers. */
  readonly corsOrigins: true | readonly string[];
  readonly rateLimit: {
    /** Requests per client per window (`http.rateLimit.max`). */
    readonly max: number;
    /** `http.rateLimit.timeWindowMs`. */
    readonly timeWindowMs: number;
    /** `http.rateLimit.redisUrl`: counters in Redis, shared by every instance; in memory when unset. */
    readonly redisUrl: string | undefined;
    /** `http.rateLimit.redisKeyPrefix`: prefix of the Redis keys; default per environment. */
    readonly redisKeyPrefix: string;
  };
  /** helmet options: envward's API defaults (HSTS per tier) with `http.helmet` merged over them. */
  readonly helmet: Readonly<Record<string, unknown>>;
}

type Validated = ReturnType<typeof settingsOf<typeof http>>;

/** Development and test keep incoming request ids without a proxy; protected tiers only behind one. */
const TRUSTS_REQUEST_IDS: Readonly<Record<BuiltInTier, boolean>> = Object.freeze({
  development: true,
  test: true,
  staging: false,
  production: false,
});

/** HSTS for 180 days, subdomains included, when the tier turns it on. */
const HSTS = Object.freeze({ maxAge: 15_552_000, includeSubDomains: true });

/**
 * Whether the service is configured to sit behind a proxy. A protected
 * environment keeps incoming request ids only then (the proxy sets or vets
 * them); a client reaching it directly could otherwise choose the id that
 * ties its requests together in the logs.
 */
function behindProxy(proxy: HttpSettings['trustProxy']): boolean {
  if (Array.isArray(proxy)) return proxy.length > 0;
  return proxy !== false && proxy !== 0 && proxy !== '';
}

/**
 * helmet options for a JSON API, the headers of OWASP's REST Security Cheat
 * Sheet: CSP `default-src 'none'; frame-ancestors 'none'`, X-Frame-Options
 * DENY, nosniff, and HSTS where the tier wants it. The headers that matter
 * for HTML pages or retired browsers only (Referrer-Policy, COOP, CORP,
 * Origin-Agent-Cluster, X-DNS-Prefetch-Control, X-Download-Options,
 * X-Permitted-Cross-Domain-Policies, X-XSS-Protection) are left out: each is
 * bytes on every response. An application that serves HTML sets them with
 * `http.helmet` (helmet's option names).
 */
function apiHelmetDefaults(hsts: boolean): Record<string, unknown> {
  return {
    contentSecurityPolicy: { useDefaults: false, directives: { defaultSrc: ["'none'"], frameAncestors: ["'none'"] } },
    crossOriginOpenerPolicy: false,
    crossOriginResourcePolicy: false,
    originAgentCluster: false,
    referrerPolicy: false,
    strictTransportSecurity: hsts ? HSTS : false,
    xContentTypeOptions: true,
    xDnsPrefetchControl: false,
    xDownloadOptions: false,
    xFrameOptions: { action: 'deny' },
    xPermittedCrossDomainPolicies: false,
    xXssProtection: false,
  };
}

function readHttpSettings(config: ResolvedConfig<unknown>): HttpSettings {
  const settings: Validated = settingsOf(config, http);
  const proxy = settings.trustProxy;
  const origins = settings.cors.origins;
  return Object.freeze({
    bodyLimit: settings.bodyLimit,
    trustProxy: Array.isArray(proxy) ? Object.freeze([...proxy]) : proxy,
    trustRequestId:
      settings.trustRequestId ?? (TRUSTS_REQUEST_IDS[defaultsTier(config.environment.tier)] || behindProxy(proxy)),
    corsOrigins: origins.includes('*') ? true : Object.freeze([...origins]),
    rateLimit: Object.freeze({
      max: settings.rateLimit.max,
      timeWindowMs: settings.rateLimit.timeWindowMs,
      redisUrl: settings.rateLimit.redisUrl,
      redisKeyPrefix: settings.rateLimit.redisKeyPrefix ?? `envward:rate-limit:${config.environment.name}:`,
    }),
    helmet: Object.freeze({ ...apiHelmetDefaults(settings.hsts), ...settings.helmet }),
  });
}

const cache = new WeakMap<object, HttpSettings>();

/** The HTTP settings of a resolved configuration (validated by resolution; nothing to refuse here). */
export function httpSettings(config: ResolvedConfig<unknown>): HttpSettings {
  let settings = cache.get(config);
  if (!settings) {
    settings = readHttpSettings(config);
    cache.set(config, settings);
  }
  return settings;
}
