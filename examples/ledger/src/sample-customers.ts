/**
 * Customers with a funded account each, for the seeds of development and
 * test. Opening balances are deposits from the currency's funding account
 * (recorded as booked, with a SEED reference), posted by the database as
 * every transfer is, so every balance is backed by the journal.
 */
import type { Kysely } from 'kysely';
import { v7 as uuidv7 } from 'uuid';
import type { LedgerDatabase } from './schema.js';

export interface FundedCustomer {
  readonly name: string;
  readonly currency: string;
  /** Opening balance, minor units. */
  readonly balance: bigint;
}

/** Seeds run through the store without its id helper, so ids are coded here with the environment's code. */
export async function seedFundedCustomers(
  db: Kysely<LedgerDatabase>,
  code: string,
  samples: readonly FundedCustomer[],
): Promise<void> {
  const at = new Date().toISOString();
  const id = (kind: string) => `${code}-${kind}-${uuidv7()}`;
  for (const sample of samples) {
    const customer = id('CUS');
    const account = id('ACC');
    await db.insertInto('customers').values({ id: customer, name: sample.name, created_at: at }).execute();
    await db
      .insertInto('accounts')
      .values({
        id: account,
        customer_id: customer,
        owner: sample.name,
        kind: 'customer',
        currency: sample.currency,
        balance: 0n,
        overdraft_limit: 0n,
        created_at: at,
      })
      .execute();
    await db
      .insertInto('accounts')
      .values({
        id: id('ACC'),
        customer_id: null,
        owner: `external funding (${sample.currency})`,
        kind: 'funding',
        currency: sample.currency,
        balance: 0n,
        overdraft_limit: 0n,
        created_at: at,
      })
      .onConflict((conflict) => conflict.doNothing())
      .execute();
    const funding = await db
      .selectFrom('accounts')
      .select('id')
      .where('kind', '=', 'funding')
      .where('currency', '=', sample.currency)
      .executeTakeFirstOrThrow();
    const transfer = id('TXN');
    await db
      .insertInto('transfers')
      .values({
        id: transfer,
        from_account: funding.id,
        to_account: account,
        amount: sample.balance,
        currency: sample.currency,
        kind: 'deposit',
        created_at: at,
      })
      .execute();
    await db
      .insertInto('deposits')
      .values({
        id: id('DEP'),
        account_id: account,
        amount: sample.balance,
        currency: sample.currency,
        status: 'booked',
        gateway_reference: `SEED-${transfer}`,
        transfer_id: transfer,
        failure: null,
        created_at: at,
        updated_at: at,
      })
      .execute();
  }
}
