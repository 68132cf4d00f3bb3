import type { ResolvedConfig } from '../config/index.js';
import { importPeer } from '../peers.js';
import type { OutboundClient, OutboundClientOptions } from './outbound-client.js';

export {
  type IntegrationClientFactory,
  type IntegrationOptions,
  integration,
} from './integration.js';
export { IntegrationConfigError } from './integration-errors.js';
export {
  type IntegrationListing,
  type IntegrationSettings,
  integrationMode,
  integrationModes,
} from './integration-settings.js';
export {
  type IntegrationDeclaration,
  type IntegrationMode,
  integrations,
} from './integration-settings-schema.js';
export type {
  BreakerState,
  OutboundClient,
  OutboundClientOptions,
  OutboundLogger,
  OutboundRequestInit,
  OutboundResponse,
} from './outbound-client.js';
export { OutboundConfigError, type OutboundFailure, OutboundUnavailableError } from './outbound-errors.js';
export type { OutboundOutcome } from './outbound-metrics.js';
export { type OutboundSettings, outboundSettings } from './outbound-settings.js';
export { outbound } from './outbound-settings-schema.js';

/**
 * An HTTP client for the outbound target `name` (`outbound.<name>.baseUrl`):
 * retries with exponential backoff and jitter (network errors, timeouts, 5xx
 * and 429; idempotent methods only unless told), a circuit breaker and a
 * timeout per attempt, each tuned per environment; metrics on `registry`.
 * undici, cockatiel and prom-client load here, on first use.
 * @example
 * const payments = await outboundClient(resolved, 'payments', { registry, logger });
 * const response = await payments.request('/v1/charges/42');
 * if (response.ok) console.log(await response.body.json());
 */
export async function outboundClient(
  resolved: Pick<ResolvedConfig<unknown>, 'values' | 'environment' | 'project'>,
  name: string,
  options: OutboundClientOptions = {},
): Promise<OutboundClient> {
  const { outboundClientNow } = await importPeer('envward/outbound', () => import('./outbound-client.js'));
  return outboundClientNow(resolved, name, options);
}
