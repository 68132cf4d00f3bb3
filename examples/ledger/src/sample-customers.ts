/**
 * Customers with a funded account each, for the seeds of development and
 * test. Opening balances come from the currency's funding account, so every
 * balance is backed by the journal and all balances still sum to zero.
 */
import { type Kysely, sql } from 'kysely';
import { v7 as uuidv7 } from 'uuid';
import type { LedgerDatabase } from './schema.js';

export interface FundedCustomer {
  readonly name: string;
  readonly currency: string;
  /** Opening balance, minor units. */
  readonly balance: number;
}

/** Seeds run through the store without its id helper, so ids are coded here with the environment's code. */
export async function seedFundedCustomers(
  db: Kysely<LedgerDatabase>,
  code: string,
  samples: readonly FundedCustomer[],
): Promise<void> {
  const at = new Date().toISOString();
  for (const sample of samples) {
    const customer = `${code}-CUS-${uuidv7()}`;
    const account = `${code}-ACC-${uuidv7()}`;
    await db.insertInto('customers').values({ id: customer, name: sample.name, created_at: at }).execute();
    await db
      .insertInto('accounts')
      .values({
        id: account,
        customer_id: customer,
        owner: sample.name,
        kind: 'customer',
        currency: sample.currency,
        balance: 0,
        overdraft_limit: 0,
        created_at: at,
      })
      .execute();
    let funding = await db
      .selectFrom('accounts')
      .select('id')
      .where('kind', '=', 'system')
      .where('currency', '=', sample.currency)
      .executeTakeFirst();
    if (!funding) {
      funding = { id: `${code}-ACC-${uuidv7()}` };
      await db
        .insertInto('accounts')
        .values({
          id: funding.id,
          customer_id: null,
          owner: `external funding (${sample.currency})`,
          kind: 'system',
          currency: sample.currency,
          balance: 0,
          overdraft_limit: 0,
          created_at: at,
        })
        .execute();
    }
    const transfer = `${code}-TXN-${uuidv7()}`;
    await db
      .updateTable('accounts')
      .set({ balance: sql`balance - ${sample.balance}` })
      .where('id', '=', funding.id)
      .execute();
    await db.updateTable('accounts').set({ balance: sample.balance }).where('id', '=', account).execute();
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
      .insertInto('journal')
      .values([
        {
          id: `${code}-JRN-${uuidv7()}`,
          transfer_id: transfer,
          account_id: funding.id,
          amount: -sample.balance,
          created_at: at,
        },
        {
          id: `${code}-JRN-${uuidv7()}`,
          transfer_id: transfer,
          account_id: account,
          amount: sample.balance,
          created_at: at,
        },
      ])
      .execute();
  }
}
