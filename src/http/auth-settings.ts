import { fragmentsOf } from '../config/compose.js';
import type { ResolvedConfig } from '../config/index.js';
import { EnvwardError } from '../errors.js';
import { auth } from './auth-settings-schema.js';
import { isHsAlgorithm, type JwtAlgorithm, jwtKeyFindings } from './jwt-keys.js';

/**
 * JWT auth cannot start: enabled without the key its algorithms need, a
 * public key that does not parse, or a route that asks for auth in a
 * project that does not use `auth`. Thrown at registration; never shows a key.
 */
export class AuthConfigError extends EnvwardError {
  constructor(problem: string, hint: string, environment: string) {
    super('EW_AUTH_CONFIG', 'problem', `envward/fastify: ${problem}.`, hint, { environment });
  }
}

/** `auth.jwt` as the plugin uses it: read once at registration (restart-only, key rotation included). */
export interface JwtAuthSettings {
  readonly enabled: boolean;
  readonly algorithms: readonly JwtAlgorithm[];
  /** The HS secret, or the public key's PEM text (trimmed). */
  readonly key: string | undefined;
  readonly issuer: string | undefined;
  readonly audience: readonly string[] | undefined;
  readonly clockToleranceMs: number;
  readonly maxAgeSec: number | undefined;
  /** Claims a token must carry: `exp` always, `iss`/`aud`/`iat` when they are checked (fast-jwt skips an absent claim). */
  readonly requiredClaims: readonly string[];
}

interface JwtValues {
  readonly enabled: boolean;
  readonly algorithms: readonly JwtAlgorithm[];
  readonly issuer?: string | undefined;
  readonly audience?: string | readonly string[] | undefined;
  readonly secret?: string | undefined;
  readonly publicKey?: string | undefined;
  readonly clockToleranceSec: number;
  readonly maxAgeSec?: number | undefined;
}

/**
 * The project's `auth.jwt` settings, checked as the plugin needs them;
 * undefined when the project does not use the `auth` fragment (then no
 * route may ask for auth). Throws AuthConfigError when enabled auth has no
 * usable key (a configuration resolved with `collectIssues` gets here).
 */
export function jwtAuthSettings(config: ResolvedConfig<unknown>): JwtAuthSettings | undefined {
  const used = fragmentsOf(config.project.definition.use).some((fragment) => fragment.key === auth.key);
  if (!used) return undefined;
  const jwt = (config.values as { auth: { jwt: JwtValues } }).auth.jwt;
  const environment = config.environment.name;
  if (jwt.enabled) {
    const [finding] = jwtKeyFindings(jwt, environment);
    if (finding) {
      throw new AuthConfigError(
        finding.message,
        `Fix auth.${finding.key} (or set auth.jwt.enabled: false) and run \`envward config validate --env ${environment}\`; see docs/auth.md.`,
        environment,
      );
    }
  }
  const hs = jwt.algorithms.some(isHsAlgorithm);
  const audience = typeof jwt.audience === 'string' ? [jwt.audience] : jwt.audience;
  return Object.freeze({
    enabled: jwt.enabled,
    algorithms: Object.freeze([...jwt.algorithms]),
    key: hs ? jwt.secret : jwt.publicKey?.trim(),
    issuer: jwt.issuer,
    audience: audience ? Object.freeze([...audience]) : undefined,
    clockToleranceMs: jwt.clockToleranceSec * 1000,
    maxAgeSec: jwt.maxAgeSec,
    requiredClaims: Object.freeze([
      'exp',
      ...(jwt.issuer !== undefined ? ['iss'] : []),
      ...(audience !== undefined ? ['aud'] : []),
      ...(jwt.maxAgeSec !== undefined ? ['iat'] : []),
    ]),
  });
}
