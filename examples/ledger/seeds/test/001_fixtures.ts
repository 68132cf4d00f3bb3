import type { Kysely } from 'kysely';
import { seedFundedCustomers } from '../../src/sample-customers.js';
import type { LedgerDatabase } from '../../src/schema.js';

// Fixtures for the test environment: three funded accounts with known owners.
export async function seed(db: Kysely<LedgerDatabase>): Promise<void> {
  await seedFundedCustomers(db, 'TST', [
    { name: 'Test Alice', currency: 'EUR', balance: 250_000n },
    { name: 'Test Bob', currency: 'EUR', balance: 120_000n },
    { name: 'Test Carol', currency: 'GBP', balance: 90_000n },
  ]);
}
