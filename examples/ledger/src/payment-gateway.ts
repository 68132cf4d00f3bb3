/**
 * The payment gateway integration, by environment: an in-process mock in
 * development and test, the provider's sandbox in staging, live in
 * production (`integrations.payments.mode`), both through envward's outbound
 * client (retries with backoff, circuit breaker, timeouts per tier), which
 * sends the API key (`integrations.payments.apiKey`, a secret) on every
 * request. A mock in staging or production is refused by the integration's
 * tier rules, so `envward config validate` and `preflight` catch it first, and
 * `integration()` refuses it at start-up.
 *
 * Every collection carries the deposit's id as its Idempotency-Key, so the
 * provider collects once however often the ledger asks (a retry after a
 * timeout, a second instance, the recovery of a deposit left pending).
 */
import { randomUUID } from 'node:crypto';
import type { ResolvedConfig } from 'envward';
import { type IntegrationMode, integration, type OutboundClient, OutboundUnavailableError } from 'envward/outbound';
import type { LedgerConfig } from '../envward.config.js';
import { LedgerError } from './ledger-error.js';

export type GatewayMode = IntegrationMode;

export interface Collection {
  /** The deposit's id: the provider's idempotency key. */
  readonly key: string;
  readonly account: string;
  /** Minor units. */
  readonly amount: bigint;
  readonly currency: string;
}

export interface PaymentGateway {
  readonly mode: GatewayMode;
  /**
   * Collects the amount from the customer's card or bank; returns the
   * provider's reference. Throws LEDGER_GATEWAY_REFUSED when the provider
   * says no (final), LEDGER_GATEWAY_UNAVAILABLE when it could not be asked
   * or failed (ask again later with the same key).
   */
  collect(collection: Collection): Promise<{ reference: string }>;
  close(): Promise<void>;
}

/** The mock: collects anything, once per key, as a provider with idempotency does. */
function mockGateway(): PaymentGateway {
  const references = new Map<string, string>();
  return {
    mode: 'mock',
    async collect({ key }) {
      let reference = references.get(key);
      if (!reference) {
        reference = `MOCK-${randomUUID()}`;
        references.set(key, reference);
      }
      return { reference };
    },
    close: async () => {},
  };
}

function unavailable(detail: string): LedgerError {
  return new LedgerError(
    'LEDGER_GATEWAY_UNAVAILABLE',
    503,
    `the payment gateway could not be reached or failed (${detail}); the deposit is pending: retry with the same Idempotency-Key`,
  );
}

function providerGateway(mode: GatewayMode, client: OutboundClient): PaymentGateway {
  return {
    mode,
    async collect(collection) {
      let response: Awaited<ReturnType<OutboundClient['request']>>;
      try {
        response = await client.request('/v1/collections', {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            'idempotency-key': collection.key,
          },
          body: JSON.stringify({
            account: collection.account,
            amount: collection.amount.toString(),
            currency: collection.currency,
          }),
          // The key makes a repeated POST safe, so the client may retry it.
          idempotent: true,
        });
      } catch (error) {
        if (error instanceof OutboundUnavailableError) throw unavailable(error.code);
        throw error;
      }
      if (response.status >= 500 || response.status === 429) throw unavailable(`status ${response.status}`);
      if (!response.ok) {
        throw new LedgerError(
          'LEDGER_GATEWAY_REFUSED',
          502,
          `the payment gateway refused the collection (${response.status})`,
        );
      }
      let body: { reference?: unknown };
      try {
        body = await response.body.json();
      } catch {
        throw unavailable('an answer that is not JSON');
      }
      if (typeof body.reference !== 'string' || body.reference === '' || body.reference.length > 200) {
        throw unavailable('an answer without a reference');
      }
      return { reference: body.reference };
    },
    close: () => client.close(),
  };
}

export interface GatewayOptions {
  /** Where the outbound client reports retries and breaker changes. */
  readonly logger?: { warn(object: Record<string, unknown>, message: string): void };
}

/** The gateway `integrations.payments.mode` names: the mock, or the provider at `integrations.payments.baseUrl`. */
export function openPaymentGateway(
  resolved: ResolvedConfig<LedgerConfig>,
  options: GatewayOptions = {},
): Promise<PaymentGateway> {
  return integration(resolved, 'payments', {
    mock: mockGateway(),
    client: (http, settings) => providerGateway(settings.mode, http),
    ...(options.logger ? { logger: options.logger } : {}),
  });
}
