import type { Kysely } from 'kysely';
import { seedFundedCustomers } from '../../src/sample-customers.js';
import type { LedgerDatabase } from '../../src/schema.js';

// Sample customers to try the API with; ids carry development's code.
export async function seed(db: Kysely<LedgerDatabase>): Promise<void> {
  await seedFundedCustomers(db, 'DEV', [
    { name: 'Ada Lovelace', currency: 'EUR', balance: 250_000n },
    { name: 'Grace Hopper', currency: 'EUR', balance: 120_000n },
    { name: 'Alan Turing', currency: 'GBP', balance: 90_000n },
  ]);
}
