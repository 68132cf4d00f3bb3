import { z } from 'zod';
import { conditionalSecret } from '../config/secret-marker.js';
import { defineSettings, type FragmentFinding } from '../config/settings-fragment.js';
import type { Environment } from '../environment/index.js';
import {
  HS_MIN_SECRET_BYTES,
  isHsAlgorithm,
  JWT_ALGORITHMS,
  type JwtAlgorithm,
  jwtKeyFindings,
  MAX_PEM_LENGTH,
  publicKeyRefusal,
} from './jwt-keys.js';

/**
 * Development runs open (a developer calls the API with curl, no issuer at
 * hand) and tolerates a minute of clock skew; test verifies tokens as
 * production does, with no tolerance, so an expiry test is exact; staging
 * and production verify with ten seconds of skew between the issuer's clock
 * and the service's.
 */
const TIER_DEFAULTS = {
  development: { 'jwt.enabled': false, 'jwt.clockToleranceSec': 60 },
  test: { 'jwt.enabled': true, 'jwt.clockToleranceSec': 0 },
  staging: { 'jwt.enabled': true, 'jwt.clockToleranceSec': 10 },
  production: { 'jwt.enabled': true, 'jwt.clockToleranceSec': 10 },
} as const;

/** A claim value: an issuer or an audience. */
const claim = z.string().min(1).max(512);

function algorithmSchema() {
  return z.enum(JWT_ALGORITHMS, {
    error: (issue) =>
      typeof issue.input === 'string' && issue.input.toLowerCase() === 'none'
        ? 'the "none" algorithm is never accepted: an unsigned token proves nothing'
        : `an algorithm is one of ${JWT_ALGORITHMS.join(', ')}`,
  });
}

function jwtSchema() {
  return z
    .object({
      /** Verify a JWT on the routes that ask for it; off, those routes are open. */
      enabled: z.boolean(),
      /** The `iss` claim a token must carry. */
      issuer: claim.optional(),
      /** The `aud` claim a token must carry (one of them, for a list). */
      audience: z.union([claim, z.array(claim).min(1).max(32)]).optional(),
      /** The algorithms accepted: HS* with `secret`, or RS*, PS*, ES*, EdDSA with `publicKey`. */
      algorithms: z.array(algorithmSchema()).min(1).max(JWT_ALGORITHMS.length).default(['HS256']),
      /** The shared secret of HS algorithms: `envward secrets set auth.jwt.secret --env E`. */
      secret: conditionalSecret(z.string().min(1).max(4096)).optional(),
      /** The token issuer's public key, PEM (`-----BEGIN PUBLIC KEY-----`), for asymmetric algorithms. */
      publicKey: z
        .string()
        .min(1)
        .max(MAX_PEM_LENGTH)
        .superRefine((text, context) => {
          const refusal = publicKeyRefusal(text);
          if (refusal) context.addIssue({ code: 'custom', message: refusal });
        })
        .optional(),
      /** Seconds of clock skew allowed on `exp` and `nbf`. */
      clockToleranceSec: z.number().int().min(0).max(300),
      /** The oldest token accepted, in seconds since its `iat`; tokens must then carry `iat`. */
      maxAgeSec: z
        .number()
        .int()
        .positive()
        .max(366 * 24 * 3600)
        .optional(),
    })
    .superRefine((jwt, context) => {
      const hs = jwt.algorithms.some(isHsAlgorithm);
      if (hs && jwt.algorithms.some((algorithm) => !isHsAlgorithm(algorithm))) {
        // One key verifies a token: a list mixing both would let an HS token be checked against the public key's text.
        context.addIssue({
          code: 'custom',
          path: ['algorithms'],
          message:
            'lists HS and asymmetric algorithms together; list HS* (with secret) or RS*/PS*/ES*/EdDSA (with publicKey)',
        });
      }
    });
}

interface JwtValues {
  readonly enabled: boolean;
  readonly algorithms: readonly JwtAlgorithm[];
  readonly secret?: string | undefined;
  readonly publicKey?: string | undefined;
}

/**
 * The tier rules of `auth.jwt`: the key its algorithms need when it is
 * enabled (any tier: the plugin would refuse to start without it), and in
 * protected environments an HS secret at least as long as its hash
 * (32 bytes for HS256, 48 for HS384, 64 for HS512).
 */
function authRules(settings: unknown, environment: Environment): FragmentFinding[] {
  const jwt = (settings as { jwt: JwtValues }).jwt;
  const findings: FragmentFinding[] = jwt.enabled ? jwtKeyFindings(jwt, environment.name) : [];
  if (environment.protected && typeof jwt.secret === 'string' && jwt.secret !== '') {
    const needed = Math.max(
      0,
      ...jwt.algorithms.filter(isHsAlgorithm).map((algorithm) => HS_MIN_SECRET_BYTES[algorithm]),
    );
    const bytes = Buffer.byteLength(jwt.secret, 'utf8');
    if (bytes < needed) {
      findings.push({
        code: 'EW_RULE_JWT_WEAK_SECRET',
        key: 'jwt.secret',
        message: `auth.jwt.secret is ${bytes} bytes; ${jwt.algorithms.filter(isHsAlgorithm).join(', ')} in the ${environment.tier} tier needs at least ${needed} random bytes (openssl rand -base64 48 | envward secrets set auth.jwt.secret --env ${environment.name})`,
      });
    }
  }
  return findings;
}

/**
 * API authentication settings (`auth.jwt.*`), owned by envward/fastify: the
 * plugin verifies a bearer JWT on the routes that ask for it
 * (`config: { auth: 'jwt' }`), on by default outside development.
 * @example defineConfig({ use: [http, auth], schema }) // envward secrets set auth.jwt.secret --env production
 */
export const auth = defineSettings({
  key: 'auth',
  capability: 'envward/fastify',
  tierDefaults: TIER_DEFAULTS,
  rules: authRules,
  schema: () => z.object({ jwt: jwtSchema() }),
});
