import { z } from 'zod';
import { secret } from '../config/secret-marker.js';
import {
  defineSettings,
  type FragmentFinding,
  type FragmentRules,
  type SettingsFragment,
} from '../config/settings-fragment.js';
import type { Environment } from '../environment/index.js';
import { type BuiltInTier, isProtectedTier } from '../environment/tiers.js';
import { IntegrationConfigError } from './integration-errors.js';
import { assertTargetName, baseUrlSchema, targetSchema, targetTierDefaults } from './outbound-settings-schema.js';

/** How a service reaches an external integration: an in-process mock, the provider's sandbox, or the live service. */
export type IntegrationMode = 'mock' | 'sandbox' | 'live';

export const INTEGRATION_MODES: readonly IntegrationMode[] = Object.freeze(['mock', 'sandbox', 'live']);

/** Each tier's mode: development and test mock the provider, staging rehearses against its sandbox, production is live. */
export const INTEGRATION_TIER_MODES: Readonly<Record<BuiltInTier, IntegrationMode>> = Object.freeze({
  development: 'mock',
  test: 'mock',
  staging: 'sandbox',
  production: 'live',
});

/** One integration as envward.config.ts declares it: `integrations({ payments: { liveIn: ['staging'] } })`. */
export interface IntegrationDeclaration {
  /**
   * Environments (names or tiers) outside the production tier that may run
   * the integration `live`, e.g. a provider with no sandbox called from
   * staging. Production may always.
   */
  readonly liveIn?: readonly string[];
  /**
   * `false` for a service that takes no API key: no `apiKey` setting, nothing
   * sent. Otherwise `integrations.<name>.apiKey` is a secret, required (like
   * every secret) in protected environments.
   */
  readonly apiKey?: boolean;
}

const HINT =
  'Declare integrations as integrations({ payments: { liveIn: ["staging"] }, kyc: {} }); see docs/integrations.md.';
const ENVIRONMENT_OR_TIER = /^[a-z0-9][a-z0-9-]{0,39}$/;
/** An HTTP header name (RFC 9110 token), short. */
const HEADER_NAME = /^[A-Za-z0-9!#$%&'*+.^_`|~-]{1,64}$/;
/** Headers the HTTP client owns: a credential in one of them would break or smuggle requests. */
const RESERVED_HEADERS = new Set([
  'host',
  'content-length',
  'transfer-encoding',
  'connection',
  'keep-alive',
  'upgrade',
  'te',
  'trailer',
  'expect',
  'proxy-connection',
]);
const SCHEME = /^[A-Za-z][A-Za-z0-9._~+-]{0,31}$/;

/** Visible ASCII, no spaces: it is sent in an HTTP header, where anything else breaks or splits the request. */
const apiKeySchema = z
  .string()
  .min(1)
  .max(4096)
  .regex(/^[\x21-\x7e]+$/, { message: 'must be visible ASCII without spaces (it is sent in an HTTP header)' });

/**
 * outbound's base URL, minus credentials (an integration's credential is its
 * `apiKey`, a secret; a URL is shown) and control characters (which the URL
 * parser would quietly percent-encode into every request's path).
 */
const hasControl = (text: string) => [...text].some((char) => char < ' ' || char === '\u007f');

const integrationBaseUrl = baseUrlSchema
  .refine((text) => !hasControl(text), { message: 'must not contain control characters' })
  .refine(
    (text) => {
      if (!URL.canParse(text)) return true; // baseUrlSchema reports it
      const url = new URL(text);
      return url.username === '' && url.password === '';
    },
    {
      message: "must not carry credentials (user:password@); set the credential as the integration's apiKey, a secret",
    },
  );

const headerName = z
  .string()
  .regex(HEADER_NAME, { message: 'must be an HTTP header name' })
  .refine((name) => !RESERVED_HEADERS.has(name.toLowerCase()), {
    message: 'must not be a header the HTTP client sets itself (host, content-length, connection, ...)',
  });

function integrationSchema(declaration: IntegrationDeclaration) {
  const common = targetSchema().extend({
    /** mock, sandbox or live; the tier's by default (restart-only: a client's kind does not change under a running process). */
    mode: z.enum(['mock', 'sandbox', 'live']),
    baseUrl: integrationBaseUrl.optional(),
  });
  if (declaration.apiKey === false) return common;
  return common.extend({
    /** The provider's API key, an envward secret (`envward secrets set integrations.<name>.apiKey`). */
    apiKey: secret(apiKeySchema).optional(),
    /** The header the key is sent in; `authorization` (the default) sends `Bearer <key>`. */
    apiKeyHeader: headerName.default('authorization'),
    /** The scheme before the key (`Bearer`, `Basic`, `Token`); default `Bearer` in `authorization`, none in another header. */
    apiKeyScheme: z.string().regex(SCHEME, { message: 'must be one word, e.g. Bearer' }).optional(),
  });
}

type IntegrationSchema = ReturnType<typeof integrationSchema>;

/** Checks the declarations of `integrations(...)`; throws EW_INTEGRATION_CONFIG naming the first wrong one. */
function checkedDeclarations(declarations: unknown): Map<string, IntegrationDeclaration> {
  if (typeof declarations !== 'object' || declarations === null || Array.isArray(declarations)) {
    throw new IntegrationConfigError('(none)', undefined, 'the declarations are not an object of names', HINT);
  }
  const checked = new Map<string, IntegrationDeclaration>();
  for (const [name, declaration] of Object.entries(declarations)) {
    assertTargetName(
      name,
      (shown) =>
        new IntegrationConfigError(
          shown.slice(1, -1),
          undefined,
          'a name is letters, digits, "-" and "_", starting with a letter (at most 64)',
          HINT,
        ),
    );
    const fail = (problem: string) => new IntegrationConfigError(name, undefined, problem, HINT);
    if (typeof declaration !== 'object' || declaration === null || Array.isArray(declaration)) {
      throw fail('its declaration is not an object ({} declares it with the defaults)');
    }
    const unknown = Object.keys(declaration).find((option) => option !== 'liveIn' && option !== 'apiKey');
    if (unknown !== undefined) {
      throw fail(`"${unknown.slice(0, 64)}" is not an option (liveIn, apiKey)`);
    }
    const { liveIn, apiKey } = declaration as IntegrationDeclaration;
    if (
      liveIn !== undefined &&
      !(Array.isArray(liveIn) && liveIn.every((entry) => typeof entry === 'string' && ENVIRONMENT_OR_TIER.test(entry)))
    ) {
      throw fail('liveIn is not a list of environment or tier names');
    }
    if (apiKey !== undefined && typeof apiKey !== 'boolean') throw fail('apiKey is true or false');
    checked.set(
      name,
      Object.freeze({
        ...(liveIn ? { liveIn: Object.freeze([...liveIn]) } : {}),
        ...(apiKey === false ? { apiKey } : {}),
      }),
    );
  }
  return checked;
}

interface ModeSettings {
  readonly mode?: unknown;
  readonly baseUrl?: unknown;
}

/** Why one integration's mode is refused in `environment`, as a finding under the fragment; none when allowed. */
function modeFindings(
  name: string,
  settings: ModeSettings,
  declaration: IntegrationDeclaration,
  environment: Pick<Environment, 'name' | 'tier' | 'protected'>,
): FragmentFinding[] {
  const { mode } = settings;
  const where = environment.name === environment.tier ? environment.name : `${environment.name} (${environment.tier})`;
  if (mode === 'mock' && (environment.protected || isProtectedTier(environment.tier))) {
    const instead = environment.tier === 'production' ? 'live' : 'sandbox';
    return [
      {
        code: 'EW_RULE_INTEGRATION_MOCK',
        key: `${name}.mode`,
        message: `mode is mock in ${where}, a protected environment: it must call the provider; set integrations.${name}.mode to ${instead}`,
      },
    ];
  }
  if (mode === 'live' && environment.tier !== 'production') {
    const allowed = declaration.liveIn ?? [];
    if (!allowed.includes(environment.name) && !allowed.includes(environment.tier)) {
      return [
        {
          code: 'EW_RULE_INTEGRATION_LIVE',
          key: `${name}.mode`,
          message: `mode is live in ${where}: live is for the production tier; set integrations.${name}.mode to sandbox, or declare integrations({ ${name}: { liveIn: ['${environment.name}'] } }) if ${environment.name} must call the live service`,
        },
      ];
    }
  }
  if ((mode === 'sandbox' || mode === 'live') && settings.baseUrl === undefined) {
    return [
      {
        code: 'EW_RULE_REQUIRED',
        key: `${name}.baseUrl`,
        message: `required in ${where}: mode ${mode} calls the provider at integrations.${name}.baseUrl, which is not set`,
      },
    ];
  }
  return [];
}

function integrationRules(declarations: ReadonlyMap<string, IntegrationDeclaration>): FragmentRules {
  return (settings, environment) => {
    if (typeof settings !== 'object' || settings === null) return [];
    const findings: FragmentFinding[] = [];
    for (const [name, declaration] of declarations) {
      const block = Object.hasOwn(settings, name) ? (settings as Record<string, unknown>)[name] : undefined;
      if (typeof block !== 'object' || block === null) continue;
      findings.push(...modeFindings(name, block as ModeSettings, declaration, environment));
    }
    return findings;
  };
}

/**
 * The external integrations' settings (`integrations.<name>.*`), owned by
 * envward/outbound: each one's mode (mock in development and test, sandbox in
 * staging, live in production by default), its base URL, API key (a secret)
 * and outbound tuning. Tier rules: `mock` is refused in protected
 * environments, `live` outside production unless the environment is in
 * `liveIn`; sandbox and live need a `baseUrl`.
 * @example defineConfig({ use: [integrations({ payments: {}, kyc: { liveIn: ['staging'] } })], schema })
 */
export function integrations<const Names extends string>(
  declarations: { readonly [N in Names]: IntegrationDeclaration },
): SettingsFragment<'integrations', z.ZodObject<{ [N in Names]: IntegrationSchema }>> {
  const checked = checkedDeclarations(declarations);
  const names = [...checked.keys()];
  const modes = Object.fromEntries(
    (Object.keys(INTEGRATION_TIER_MODES) as BuiltInTier[]).map((tier) => [
      tier,
      { mode: INTEGRATION_TIER_MODES[tier] },
    ]),
  ) as Record<BuiltInTier, { mode: IntegrationMode }>;
  return defineSettings({
    key: 'integrations',
    capability: 'envward/outbound',
    tierDefaults: targetTierDefaults(names, modes),
    rules: integrationRules(checked),
    schema: () =>
      z.object(
        Object.fromEntries([...checked].map(([name, declaration]) => [name, integrationSchema(declaration)])),
      ) as z.ZodObject<{ [N in Names]: IntegrationSchema }>,
  });
}
