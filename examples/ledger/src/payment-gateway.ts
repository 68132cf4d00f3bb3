/**
 * The payment gateway integration, by environment: an in-process mock in
 * development and test, the provider's sandbox in staging, live in
 * production. Production refuses the mock at start-up (also a config rule in
 * envward.config.ts, so `envward preflight production` catches it first).
 */
import { randomUUID } from 'node:crypto';
import { LedgerError } from './ledger.js';

export type GatewayMode = 'mock' | 'sandbox' | 'live';

export interface PaymentGateway {
  readonly mode: GatewayMode;
  /** Collects `amount` (minor units) from the customer's card or bank; returns the gateway's reference. */
  collect(input: { account: string; amount: number; currency: string }): Promise<{ reference: string }>;
}

export interface GatewaySettings {
  readonly mode: GatewayMode;
  readonly tier: string;
  readonly environment: string;
  readonly baseUrl?: string | undefined;
  /** Sends a request to the gateway (envward's outbound client: retry, breaker, timeout). */
  readonly send?: (path: string, body: unknown) => Promise<{ status: number; json(): Promise<unknown> }>;
}

export function paymentGateway(settings: GatewaySettings): PaymentGateway {
  if (settings.mode === 'mock') {
    if (settings.tier === 'production' || settings.tier === 'staging') {
      throw new Error(
        `the payment gateway is a mock in ${settings.environment} (${settings.tier}): only development and test may mock it; set payments.mode to ${settings.tier === 'production' ? 'live' : 'sandbox'}`,
      );
    }
    return {
      mode: 'mock',
      async collect() {
        return { reference: `MOCK-${randomUUID()}` };
      },
    };
  }
  const { send, baseUrl } = settings;
  if (!send || !baseUrl) {
    throw new Error(`payments.mode is ${settings.mode} in ${settings.environment} but payments.baseUrl is not set`);
  }
  return {
    mode: settings.mode,
    async collect(input) {
      const response = await send('/v1/collections', input);
      if (response.status >= 300) {
        throw new LedgerError(
          'LEDGER_GATEWAY_REFUSED',
          502,
          `the payment gateway refused the collection (${response.status})`,
        );
      }
      const body = (await response.json()) as { reference?: unknown };
      if (typeof body.reference !== 'string') {
        throw new LedgerError('LEDGER_GATEWAY_REFUSED', 502, 'the payment gateway answered without a reference');
      }
      return { reference: body.reference };
    },
  };
}
