/**
 * The payment gateway integration, by environment: an in-process mock in
 * development and test, the provider's sandbox in staging, live in
 * production, both through envward's outbound client (retries with backoff,
 * circuit breaker, timeouts per tier). Production refuses the mock at
 * start-up (also a config rule in envward.config.ts, so `envward preflight
 * production` catches it first).
 *
 * Every collection carries the deposit's id as its Idempotency-Key, so the
 * provider collects once however often the ledger asks (a retry after a
 * timeout, a second instance, the recovery of a deposit left pending).
 */
import { randomUUID } from 'node:crypto';
import type { ResolvedConfig } from 'envward';
import { type OutboundClient, OutboundUnavailableError, outboundClient } from 'envward/outbound';
import type { LedgerConfig } from '../envward.config.js';
import { LedgerError } from './ledger-error.js';

export type GatewayMode = 'mock' | 'sandbox' | 'live';

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

/** Refuses a mock where money is real or rehearsed: LEDGER_GATEWAY_MOCK_REFUSED, a start-up failure. */
function refuseMock(environment: { name: string; tier: string }): void {
  if (environment.tier === 'production' || environment.tier === 'staging') {
    throw new LedgerError(
      'LEDGER_GATEWAY_MOCK_REFUSED',
      500,
      `the payment gateway is a mock in ${environment.name} (${environment.tier}): only development and test may mock it; set payments.mode to ${environment.tier === 'production' ? 'live' : 'sandbox'}`,
    );
  }
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

function providerGateway(mode: 'sandbox' | 'live', client: OutboundClient, apiKey: string | undefined): PaymentGateway {
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
            ...(apiKey ? { authorization: `Bearer ${apiKey}` } : {}),
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

/** The gateway the environment's `payments.mode` names, its HTTP client built from `outbound.payments.*`. */
export async function openPaymentGateway(
  resolved: ResolvedConfig<LedgerConfig>,
  options: GatewayOptions = {},
): Promise<PaymentGateway> {
  const { mode, apiKey } = resolved.values.payments;
  if (mode === 'mock') {
    refuseMock(resolved.environment);
    return mockGateway();
  }
  const client = await outboundClient(resolved, 'payments', options.logger ? { logger: options.logger } : {});
  return providerGateway(mode, client, apiKey);
}
