import { z } from 'zod';
import { live } from '../config/reload-marker.js';
import { defineSettings } from '../config/settings-fragment.js';
import { helmetRefusal } from './helmet-headers.js';

const MIB = 1024 * 1024;

/**
 * Development and test are permissive (any CORS origin, large bodies, high
 * limits, no HSTS on plain-HTTP localhost); staging mirrors production: no
 * CORS origin unless configured, HSTS, Fastify's 1 MiB body limit, lower rate.
 */
const permissive = { bodyLimit: 10 * MIB, 'rateLimit.max': 10_000, 'cors.origins': ['*'], hsts: false } as const;
const strict = { bodyLimit: MIB, 'rateLimit.max': 600, 'cors.origins': [], hsts: true } as const;

const origin = z
  .string()
  .min(1)
  .refine((text) => text === '*' || /^[a-z][a-z0-9+.-]*:\/\/[^/\s]+$/i.test(text), {
    message: 'an origin is scheme://host[:port] with no path, such as https://app.example.com, or "*"',
  });

const HELMET_OPTIONS = [
  'contentSecurityPolicy',
  'crossOriginEmbedderPolicy',
  'crossOriginOpenerPolicy',
  'crossOriginResourcePolicy',
  'originAgentCluster',
  'referrerPolicy',
  'strictTransportSecurity',
  'xContentTypeOptions',
  'xDnsPrefetchControl',
  'xDownloadOptions',
  'xPermittedCrossDomainPolicies',
  'xPoweredBy',
  'xXssProtection',
] as const;

/**
 * helmet's option names, each false/true or an object of that header's
 * options; X-Frame-Options' action is checked here too, as it is the one
 * most often set; then helmet itself is asked, so validation refuses
 * exactly what the plugin would refuse at start.
 */
function helmetOptions() {
  const known = new Set<string>([...HELMET_OPTIONS, 'xFrameOptions']);
  const frameOptions = z.union([
    z.boolean(),
    z.strictObject({ action: z.enum(['deny', 'sameorigin', 'DENY', 'SAMEORIGIN']) }),
  ]);
  const option = z.union([z.boolean(), z.record(z.string(), z.unknown())]);
  // One key (a record), so `config show` lists http.helmet once; each option is checked here.
  return z.record(z.string(), z.unknown()).superRefine((options, context) => {
    let shaped = true;
    const refuse = (name: string, message: string) => {
      shaped = false;
      context.addIssue({ code: 'custom', path: [name], message });
    };
    for (const [name, value] of Object.entries(options)) {
      if (!known.has(name)) refuse(name, `${name} is not a helmet option`);
      else if (name === 'xFrameOptions' && !frameOptions.safeParse(value).success) {
        refuse(name, 'xFrameOptions is false or { action: deny | sameorigin }');
      } else if (name !== 'xFrameOptions' && !option.safeParse(value).success) {
        refuse(name, `${name} is true, false or an object of its options`);
      }
    }
    // helmet is asked only about options of the right shape, so its message is about values.
    if (shaped) {
      const refusal = helmetRefusal(options);
      if (refusal) context.addIssue({ code: 'custom', message: `helmet refuses these options: ${refusal}` });
    }
  });
}

/**
 * The Fastify plugin's settings (`http.*`), owned by envward/fastify: body
 * limit, proxy trust, request ids, CORS, rate limits and helmet options.
 * @example defineConfig({ use: [http], schema }) // config/environments/production/settings.yml: http: { bodyLimit: 2097152 }
 */
export const http = defineSettings({
  key: 'http',
  capability: 'envward/fastify',
  tierDefaults: { development: permissive, test: permissive, staging: strict, production: strict },
  schema: () =>
    z.object({
      /** Largest request body in bytes; larger bodies get 413. */
      bodyLimit: z.number().int().positive().max(Number.MAX_SAFE_INTEGER),
      /** Fastify's `trustProxy`: true, a hop count, or the proxies' addresses/CIDRs. */
      trustProxy: z
        .union([z.boolean(), z.number().int().min(0), z.string(), z.array(z.string().min(1))])
        .default(false),
      /** Keep a well-formed incoming X-Request-Id; by default in development and test, elsewhere behind a proxy. */
      trustRequestId: z.boolean().optional(),
      /** Send HSTS (Strict-Transport-Security); on in staging and production. */
      hsts: z.boolean(),
      cors: z.object({
        /** Allowed CORS origins; `["*"]` reflects any origin, `[]` sends no CORS headers. */
        origins: z.array(origin),
      }),
      rateLimit: z.object({
        /** Requests per client per window. */
        max: live(z.number().int().positive()),
        timeWindowMs: live(z.number().int().positive().default(60_000)),
        /** Counters in Redis, shared by every instance; in memory when unset. */
        redisUrl: z.string().min(1).optional(),
        /** Prefix of the Redis keys; default `envward:rate-limit:<env>:`. */
        redisKeyPrefix: z.string().min(1).optional(),
      }),
      /** helmet options merged over envward's API defaults, with helmet's option names. */
      helmet: helmetOptions().optional(),
    }),
});
