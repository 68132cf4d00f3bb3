/**
 * The console's settings fragment (`use: [consoleSettings]`): where it
 * listens, how long a session lasts, the login's lockout and rate limit,
 * the cookie secret shared by several instances, and the optional OpenID
 * Connect provider. Loads zod only; the console loads when it starts.
 */
import { z } from 'zod';
import { conditionalSecret } from '../config/secret-marker.js';
import { defineSettings, type FragmentFinding } from '../config/settings-fragment.js';
import type { Environment } from '../environment/index.js';

/**
 * Production sessions last an hour (a stolen laptop's session ends soon);
 * every other tier a working day.
 */
const TIER_DEFAULTS = {
  development: { sessionMinutes: 480 },
  test: { sessionMinutes: 480 },
  staging: { sessionMinutes: 480 },
  production: { sessionMinutes: 60 },
} as const;

const httpsOrLocal = z
  .string()
  .max(2048)
  .refine((text) => {
    try {
      const parsed = new URL(text);
      return (
        parsed.protocol === 'https:' ||
        (parsed.protocol === 'http:' && ['127.0.0.1', 'localhost', '[::1]'].includes(parsed.hostname))
      );
    } catch {
      return false;
    }
  }, 'must be an https URL (http only on 127.0.0.1 or localhost)');

function oidcSchema() {
  return z
    .object({
      /** The identity provider's issuer URL (its /.well-known/openid-configuration is read from there). */
      issuer: httpsOrLocal.optional(),
      /** The console's client id at the provider. */
      clientId: z.string().min(1).max(256).optional(),
      /** The client's secret at the provider: `envward secrets set console.oidc.clientSecret --env E`. */
      clientSecret: conditionalSecret(z.string().min(1).max(4096)).optional(),
      /** Where the provider sends the browser back: the console's URL + /login/oidc/callback. */
      redirectUrl: httpsOrLocal.optional(),
    })
    .default({});
}

function consoleSchema() {
  return z.object({
    /** Address `envward console` listens on (`--host` overrides). */
    host: z.string().min(1).max(255).default('127.0.0.1'),
    /** Port `envward console` listens on (`--port` overrides; 0 picks a free one). */
    port: z.number().int().min(0).max(65535).default(4510),
    /** Absolute lifetime of a session, in minutes. */
    sessionMinutes: z
      .number()
      .int()
      .min(1)
      .max(7 * 24 * 60),
    lockout: z
      .object({
        /** Failed logins in a row that lock an account. */
        attempts: z.number().int().min(1).max(100).default(5),
        /** How long the lock lasts. */
        minutes: z
          .number()
          .int()
          .min(1)
          .max(24 * 60)
          .default(15),
      })
      .default({ attempts: 5, minutes: 15 }),
    /** Login attempts per minute from one address. */
    loginPerMinute: z.number().int().min(1).max(10_000).default(20),
    /** Signs the session cookies; set it when several instances share sessions (else random per start). */
    cookieSecret: conditionalSecret(z.string().min(32).max(4096)).optional(),
    oidc: oidcSchema(),
  });
}

interface OidcValues {
  readonly issuer?: string;
  readonly clientId?: string;
  readonly clientSecret?: string;
  readonly redirectUrl?: string;
}

/** OpenID Connect needs its client id and redirect URL once an issuer is set, and its secret in protected tiers. */
function consoleRules(settings: unknown, environment: Environment): FragmentFinding[] {
  const oidc = (settings as { oidc?: OidcValues }).oidc ?? {};
  if (oidc.issuer === undefined) return [];
  const findings: FragmentFinding[] = [];
  for (const key of ['clientId', 'redirectUrl'] as const) {
    if (oidc[key] === undefined) {
      findings.push({
        code: 'EW_RULE_REQUIRED',
        key: `oidc.${key}`,
        message: `console.oidc.issuer is set, so console.oidc.${key} is needed too`,
      });
    }
  }
  if (environment.protected && oidc.clientSecret === undefined) {
    findings.push({
      code: 'EW_RULE_SECRET_UNSET',
      key: 'oidc.clientSecret',
      message: `console.oidc.issuer is set in ${environment.name}; set the client's secret with \`envward secrets set console.oidc.clientSecret --env ${environment.name}\``,
    });
  }
  return findings;
}

/**
 * The console's settings under `console.`: host, port, session lifetime
 * (production: 60 minutes), lockout, login rate, cookie secret, OpenID Connect.
 * @example
 * defineConfig({ use: [database, consoleSettings], schema })
 */
export const consoleSettings = defineSettings({
  key: 'console',
  capability: 'envward/console',
  tierDefaults: TIER_DEFAULTS,
  rules: consoleRules,
  schema: consoleSchema,
});
