/**
 * A payment provider for the deposit tests that outlives a killed process:
 * its collections (key -> reference) live in a JSON file, so the process
 * that completes a deposit after a crash sees what the killed one collected,
 * as a real provider with idempotency keys would answer it. `collections`
 * counts what was collected (once per key); `calls` every request.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import type { Collection, PaymentGateway } from '../../../examples/ledger/src/payment-gateway.ts';

interface ProviderState {
  collections: Record<string, { reference: string; amount: string }>;
  calls: number;
}

export function readProvider(file: string): ProviderState {
  return existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as ProviderState) : { collections: {}, calls: 0 };
}

export interface FileProviderOptions {
  /** Runs after the provider has collected and before the ledger hears back (a crash goes here). */
  readonly afterCollect?: (collection: Collection) => void;
  /** Answers instead of collecting: `unavailable` (LEDGER_GATEWAY_UNAVAILABLE) or `refused`. */
  readonly answer?: () => 'collect' | 'unavailable' | 'refused';
}

export function fileProvider(file: string, options: FileProviderOptions = {}): PaymentGateway {
  return {
    mode: 'sandbox',
    async collect(collection) {
      const { LedgerError } = await import('../../../examples/ledger/src/ledger-error.ts');
      const state = readProvider(file);
      state.calls++;
      const answer = options.answer?.() ?? 'collect';
      if (answer !== 'collect') {
        writeFileSync(file, JSON.stringify(state));
        throw answer === 'refused'
          ? new LedgerError('LEDGER_GATEWAY_REFUSED', 502, 'the payment gateway refused the collection (402)')
          : new LedgerError('LEDGER_GATEWAY_UNAVAILABLE', 503, 'the payment gateway could not be reached (test)');
      }
      const existing = state.collections[collection.key];
      const reference = existing?.reference ?? `FILE-${Object.keys(state.collections).length + 1}`;
      if (!existing) state.collections[collection.key] = { reference, amount: collection.amount.toString() };
      writeFileSync(file, JSON.stringify(state));
      options.afterCollect?.(collection);
      return { reference };
    },
    close: async () => {},
  };
}
