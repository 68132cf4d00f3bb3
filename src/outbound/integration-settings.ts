import { fragmentsOf } from '../config/compose.js';
import type { ResolvedConfig } from '../config/index.js';
import type { SettingsFragment } from '../config/settings-fragment.js';
import { IntegrationConfigError } from './integration-errors.js';
import { INTEGRATION_MODES, type IntegrationMode } from './integration-settings-schema.js';
import { TARGET_NAME } from './outbound-settings-schema.js';

type Settled = Pick<ResolvedConfig<unknown>, 'values' | 'environment' | 'project'>;

/** How one environment reaches one integration (`integrations.<name>.*`, tier defaults applied); never its credential. */
export interface IntegrationSettings {
  readonly name: string;
  readonly mode: IntegrationMode;
  /** `integrations.<name>.baseUrl`, normalised; undefined when not set (allowed in mock mode only). */
  readonly baseUrl: string | undefined;
  readonly retries: number;
  readonly timeoutMs: number;
  readonly breakerThreshold: number;
  readonly breakerHalfOpenAfterMs: number;
  readonly backoffMs: number;
  /** The header the API key is sent in, when a key is set (`authorization`); the key itself is never here. */
  readonly apiKeyHeader: string | undefined;
}

/** One integration's validated block, API key included: for this module and integration.ts only. */
export interface IntegrationBlock {
  readonly mode: IntegrationMode;
  readonly baseUrl?: string;
  readonly apiKey?: string;
  readonly apiKeyHeader?: string;
  readonly apiKeyScheme?: string;
  readonly retries: number;
  readonly timeoutMs: number;
  readonly breakerThreshold: number;
  readonly breakerHalfOpenAfterMs: number;
  readonly backoffMs: number;
}

/** The project's `integrations(...)` fragment, when `use` lists it. */
export function integrationsFragment(resolved: Settled): SettingsFragment | undefined {
  return fragmentsOf(resolved.project.definition.use).find((fragment) => fragment.key === 'integrations');
}

/** The integrations the project declares, in declaration order. */
function declaredNames(fragment: SettingsFragment | undefined): string[] {
  return fragment ? Object.keys((fragment.schema as unknown as { shape: Record<string, unknown> }).shape) : [];
}

/** The validated block of integration `name`; EW_INTEGRATION_CONFIG when it is not declared. */
export function integrationBlock(resolved: Settled, name: string): IntegrationBlock {
  const environment = resolved.environment.name;
  if (typeof name !== 'string' || !TARGET_NAME.test(name)) {
    throw new IntegrationConfigError(
      JSON.stringify(String(name).slice(0, 64)).slice(1, -1),
      environment,
      'a name is letters, digits, "-" and "_", starting with a letter',
      'Pass the name as declared in integrations({ ... }) of envward.config.ts.',
    );
  }
  const fragment = integrationsFragment(resolved);
  const names = declaredNames(fragment);
  const all = (resolved.values as { integrations?: Record<string, unknown> }).integrations;
  const block = names.includes(name) && all && Object.hasOwn(all, name) ? all[name] : undefined;
  if (typeof block !== 'object' || block === null) {
    const declared = names.length > 0 ? ` (declared: ${names.join(', ')})` : '';
    throw new IntegrationConfigError(
      name,
      environment,
      `envward.config.ts does not declare it${declared}`,
      `Add it to \`use\`: integrations({ ${name}: {} }) (import { integrations } from 'envward/outbound'); see docs/integrations.md.`,
    );
  }
  return block as IntegrationBlock;
}

/** What `client(http, settings)` and listings see of one integration: its block without the key. */
export function integrationSettingsOf(name: string, block: IntegrationBlock): IntegrationSettings {
  return Object.freeze({
    name,
    mode: block.mode,
    baseUrl: block.baseUrl === undefined ? undefined : new URL(block.baseUrl).href,
    retries: block.retries,
    timeoutMs: block.timeoutMs,
    breakerThreshold: block.breakerThreshold,
    breakerHalfOpenAfterMs: block.breakerHalfOpenAfterMs,
    backoffMs: block.backoffMs,
    apiKeyHeader: block.apiKey === undefined ? undefined : (block.apiKeyHeader ?? 'authorization'),
  });
}

/**
 * The mode of integration `name` in the resolved environment: mock, sandbox
 * or live. Synchronous and loads nothing. Throws EW_INTEGRATION_CONFIG when
 * the project does not declare it.
 * @example if (integrationMode(resolved, 'payments') === 'mock') seedMockPayments();
 */
export function integrationMode(resolved: Settled, name: string): IntegrationMode {
  return integrationBlock(resolved, name).mode;
}

/** One integration as listings show it: never a credential, a path or a query. */
export interface IntegrationListing {
  readonly name: string;
  readonly mode: IntegrationMode;
  /** The host (and port) of `baseUrl` in sandbox and live mode; null in mock mode or when unset. */
  readonly host: string | null;
}

function hostOf(text: unknown): string | null {
  if (typeof text !== 'string' || !URL.canParse(text)) return null;
  return new URL(text).host || null;
}

/**
 * Every declared integration with its mode in the resolved environment, in
 * declaration order (empty when the project declares none). Safe on a
 * configuration resolved with issues: a block whose mode is not valid is left out.
 * @example integrationModes(resolved) // [{ name: 'payments', mode: 'sandbox', host: 'sandbox.pay.example' }]
 */
export function integrationModes(resolved: Settled): readonly IntegrationListing[] {
  const all = (resolved.values as { integrations?: unknown }).integrations;
  if (typeof all !== 'object' || all === null) return Object.freeze([]);
  const listings: IntegrationListing[] = [];
  for (const name of declaredNames(integrationsFragment(resolved))) {
    const block = Object.hasOwn(all, name) ? (all as Record<string, unknown>)[name] : undefined;
    const mode = (block as { mode?: unknown } | undefined)?.mode;
    if (typeof mode !== 'string' || !INTEGRATION_MODES.includes(mode as IntegrationMode)) continue;
    const host = mode === 'mock' ? null : hostOf((block as { baseUrl?: unknown }).baseUrl);
    listings.push(Object.freeze({ name, mode: mode as IntegrationMode, host }));
  }
  return Object.freeze(listings);
}
