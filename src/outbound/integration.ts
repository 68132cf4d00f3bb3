import type { Registry } from 'prom-client';
import type { ResolvedConfig } from '../config/index.js';
import { importPeer } from '../peers.js';
import { IntegrationConfigError } from './integration-errors.js';
import {
  type IntegrationBlock,
  type IntegrationSettings,
  integrationBlock,
  integrationSettingsOf,
  integrationsFragment,
} from './integration-settings.js';
import type { OutboundClient, OutboundLogger } from './outbound-client.js';

type Settled = Pick<ResolvedConfig<unknown>, 'values' | 'environment' | 'project'>;

/** Builds the caller's interface over the integration's HTTP client, in sandbox and live mode. */
export type IntegrationClientFactory<T> = (http: OutboundClient, settings: IntegrationSettings) => T | Promise<T>;

export interface IntegrationOptions<T> {
  /** What mock mode returns (development and test by default); EW_INTEGRATION_CONFIG in mock mode without it. */
  readonly mock?: T;
  /** The same interface as the mock, over the HTTP client; without it, sandbox and live return the client itself. */
  readonly client?: IntegrationClientFactory<T>;
  /** prom-client registry for the outbound metrics (`target` is the integration's name). */
  readonly registry?: Registry;
  /** Where retries and breaker changes are reported (never a header or a path). */
  readonly logger?: OutboundLogger;
}

const DOCS = 'see docs/integrations.md';

/**
 * Defence in depth: the fragment's own tier rules, run again for this
 * integration, so a configuration resolved with `collectIssues` (or built by
 * hand) cannot start a mock in production.
 */
function refuseForbiddenMode(resolved: Settled, name: string): void {
  const rules = integrationsFragment(resolved)?.rules;
  const values = (resolved.values as { integrations?: unknown }).integrations;
  const finding = rules?.(values, resolved.environment).find((candidate) => candidate.key.startsWith(`${name}.`));
  if (!finding) return;
  throw new IntegrationConfigError(
    name,
    resolved.environment.name,
    finding.message,
    `Fix integrations.${name}.* in ${resolved.environment.name}'s settings; \`envward config validate --env ${resolved.environment.name}\` reports it too (${DOCS}).`,
  );
}

/** The credential header of every request, from the secret `apiKey`; none without a key. */
function credentialHeaders(block: IntegrationBlock): Record<string, string> {
  if (block.apiKey === undefined) return {};
  const header = (block.apiKeyHeader ?? 'authorization').toLowerCase();
  const scheme = block.apiKeyScheme ?? (header === 'authorization' ? 'Bearer' : undefined);
  return { [header]: scheme === undefined ? block.apiKey : `${scheme} ${block.apiKey}` };
}

/**
 * The integration `name` as the environment's mode wants it: `options.mock`
 * in mock mode; in sandbox and live mode an outbound client for
 * `integrations.<name>.baseUrl` (retries, breaker and timeouts per tier)
 * that sends the API key on every request, or what `options.client` builds
 * over that client, so callers see one interface in every mode. undici and
 * cockatiel load only for sandbox and live.
 * @example
 * const payments = await integration(resolved, 'payments', {
 *   mock: mockPayments(),
 *   client: (http) => httpPayments(http),
 * });
 */
export async function integration<T>(
  resolved: Settled,
  name: string,
  options: IntegrationOptions<T> & { readonly client: IntegrationClientFactory<T> },
): Promise<T>;
export async function integration(
  resolved: Settled,
  name: string,
  options?: IntegrationOptions<OutboundClient>,
): Promise<OutboundClient>;
export async function integration<T>(
  resolved: Settled,
  name: string,
  options: IntegrationOptions<T> = {},
): Promise<T | OutboundClient> {
  const environment = resolved.environment.name;
  const block = integrationBlock(resolved, name);
  refuseForbiddenMode(resolved, name);
  const { client } = options;
  if (client !== undefined && typeof client !== 'function') {
    throw new IntegrationConfigError(
      name,
      environment,
      'options.client is not a function',
      `Pass client: (http, settings) => ... (${DOCS}).`,
    );
  }
  if (block.mode === 'mock') {
    if (options.mock === undefined) {
      throw new IntegrationConfigError(
        name,
        environment,
        'its mode is mock and integration() was given no mock',
        `Pass { mock } to integration(), or set integrations.${name}.mode to sandbox in ${environment}'s settings (${DOCS}).`,
      );
    }
    return options.mock;
  }
  const settings = integrationSettingsOf(name, block);
  if (settings.baseUrl === undefined) {
    throw new IntegrationConfigError(
      name,
      environment,
      `its mode is ${block.mode} and integrations.${name}.baseUrl is not set`,
      `Set integrations.${name}.baseUrl (http:// or https://) in ${environment}'s settings.yml or its variable (${DOCS}).`,
    );
  }
  const { outboundClientFrom } = await importPeer('envward/outbound', () => import('./outbound-client.js'));
  const http = await outboundClientFrom(
    {
      target: name,
      baseUrl: settings.baseUrl,
      retries: settings.retries,
      timeoutMs: settings.timeoutMs,
      breakerThreshold: settings.breakerThreshold,
      breakerHalfOpenAfterMs: settings.breakerHalfOpenAfterMs,
      backoffMs: settings.backoffMs,
    },
    { environment, settingsKey: `integrations.${name}`, headers: credentialHeaders(block) },
    {
      ...(options.registry ? { registry: options.registry } : {}),
      ...(options.logger ? { logger: options.logger } : {}),
    },
  );
  if (!client) return http;
  try {
    return await client(http, settings);
  } catch (error) {
    await http.close();
    throw error;
  }
}
