import type { ResolvedConfig } from '../config/index.js';
import { readPath } from '../config/value-path.js';
import type { Tier } from '../environment/index.js';
import { HttpOptionsError } from './http-errors.js';

/**
 * The plugin's per-environment settings, read from the project's optional
 * `http.*` keys (declare them in the schema to set them per environment),
 * each falling back to its tier's default. Read once per resolved config.
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

const MIB = 1024 * 1024;

interface TierHttpDefaults {
  readonly bodyLimit: number;
  readonly rateLimitMax: number;
  readonly corsOrigins: true | readonly string[];
  readonly hsts: boolean;
  /** Keep incoming request ids without a proxy configured (protected tiers do only behind one). */
  readonly trustRequestId: boolean;
}

/**
 * Development and test are permissive (any CORS origin, large bodies, high
 * limits, no HSTS on plain-HTTP localhost); staging mirrors production: no
 * CORS origin unless configured, HSTS, Fastify's 1 MiB body limit, lower rate.
 */
export const HTTP_TIER_DEFAULTS: Readonly<Record<Tier, TierHttpDefaults>> = Object.freeze({
  development: { bodyLimit: 10 * MIB, rateLimitMax: 10_000, corsOrigins: true, hsts: false, trustRequestId: true },
  test: { bodyLimit: 10 * MIB, rateLimitMax: 10_000, corsOrigins: true, hsts: false, trustRequestId: true },
  staging: { bodyLimit: MIB, rateLimitMax: 600, corsOrigins: [], hsts: true, trustRequestId: false },
  production: { bodyLimit: MIB, rateLimitMax: 600, corsOrigins: [], hsts: true, trustRequestId: false },
});

export const DEFAULT_RATE_WINDOW_MS = 60_000;
/** HSTS for 180 days, subdomains included, when the tier turns it on. */
const HSTS = Object.freeze({ maxAge: 15_552_000, includeSubDomains: true });

type Values = Record<string, unknown>;

function setting(values: Values, key: string): unknown {
  return readPath(values, key.split('.'));
}

function positiveInteger(values: Values, key: string, fallback: number, environment: string): number {
  const value = setting(values, key);
  if (value === undefined || value === null) return fallback;
  if (typeof value === 'number' && Number.isSafeInteger(value) && value > 0) return value;
  throw new HttpOptionsError(
    key,
    `must be a positive whole number, not ${JSON.stringify(value)}`,
    `Set ${key} to a positive integer in this environment's settings.yml, or remove it to use the tier's default.`,
    environment,
  );
}

function optionalBoolean(values: Values, key: string, fallback: boolean, environment: string): boolean {
  const value = setting(values, key);
  if (value === undefined || value === null) return fallback;
  if (typeof value === 'boolean') return value;
  throw new HttpOptionsError(
    key,
    `must be true or false, not ${JSON.stringify(value)}`,
    `Declare ${key} as z.boolean() in the schema.`,
    environment,
  );
}

function optionalText(values: Values, key: string, environment: string): string | undefined {
  const value = setting(values, key);
  if (value === undefined || value === null || value === '') return undefined;
  if (typeof value === 'string') return value;
  // The value may be a secret (a Redis URL with a password): never quoted.
  throw new HttpOptionsError(key, 'must be text', `Declare ${key} as z.string() in the schema.`, environment);
}

function corsOrigins(
  values: Values,
  fallback: true | readonly string[],
  environment: string,
): true | readonly string[] {
  const key = 'http.cors.origins';
  const value = setting(values, key);
  if (value === undefined || value === null) return fallback;
  if (Array.isArray(value) && value.every((origin) => typeof origin === 'string' && origin !== '')) {
    return value.includes('*') ? true : Object.freeze([...value]);
  }
  throw new HttpOptionsError(
    key,
    `must be a list of origins such as ["https://app.example.com"], not ${JSON.stringify(value)}`,
    'List exact origins (scheme, host, port); "*" allows any origin.',
    environment,
  );
}

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

function trustProxy(values: Values, environment: string): HttpSettings['trustProxy'] {
  const key = 'http.trustProxy';
  const value = setting(values, key);
  if (value === undefined || value === null) return false;
  if (typeof value === 'boolean' || typeof value === 'string') return value;
  if (typeof value === 'number' && Number.isSafeInteger(value) && value >= 0) return value;
  if (Array.isArray(value) && value.every((entry) => typeof entry === 'string')) return Object.freeze([...value]);
  throw new HttpOptionsError(
    key,
    `must be true, a hop count, or addresses/CIDRs of the proxies, not ${JSON.stringify(value)}`,
    "See Fastify's trustProxy option; name the proxies' addresses rather than trusting everyone.",
    environment,
  );
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

function helmetOptions(values: Values, hsts: boolean, environment: string): Readonly<Record<string, unknown>> {
  const key = 'http.helmet';
  const value = setting(values, key);
  const defaults = apiHelmetDefaults(hsts);
  if (value === undefined || value === null) return Object.freeze(defaults);
  if (typeof value === 'object' && !Array.isArray(value)) return Object.freeze({ ...defaults, ...value });
  throw new HttpOptionsError(
    key,
    'must be an object of helmet options',
    "For example `http: { helmet: { xFrameOptions: { action: 'sameorigin' } } }`, with helmet's option names.",
    environment,
  );
}

function readHttpSettings(config: ResolvedConfig<unknown>): HttpSettings {
  const values = (config.values ?? {}) as Values;
  const { name, tier } = config.environment;
  const defaults = HTTP_TIER_DEFAULTS[tier];
  const proxy = trustProxy(values, name);
  return Object.freeze({
    bodyLimit: positiveInteger(values, 'http.bodyLimit', defaults.bodyLimit, name),
    trustProxy: proxy,
    trustRequestId: optionalBoolean(values, 'http.trustRequestId', defaults.trustRequestId || behindProxy(proxy), name),
    corsOrigins: corsOrigins(values, defaults.corsOrigins, name),
    rateLimit: Object.freeze({
      max: positiveInteger(values, 'http.rateLimit.max', defaults.rateLimitMax, name),
      timeWindowMs: positiveInteger(values, 'http.rateLimit.timeWindowMs', DEFAULT_RATE_WINDOW_MS, name),
      redisUrl: optionalText(values, 'http.rateLimit.redisUrl', name),
      redisKeyPrefix: optionalText(values, 'http.rateLimit.redisKeyPrefix', name) ?? `envward:rate-limit:${name}:`,
    }),
    helmet: helmetOptions(values, defaults.hsts, name),
  });
}

const cache = new WeakMap<object, HttpSettings>();

/** The HTTP settings of a resolved configuration; throws EW_HTTP_OPTIONS naming a malformed key. */
export function httpSettings(config: ResolvedConfig<unknown>): HttpSettings {
  let settings = cache.get(config);
  if (!settings) {
    settings = readHttpSettings(config);
    cache.set(config, settings);
  }
  return settings;
}
