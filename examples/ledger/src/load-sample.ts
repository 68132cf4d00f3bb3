/**
 * `npm run ledger:admin -- load-sample --customers N`: N customers with an
 * email and a funded account each, to try envward's data commands on a
 * ledger of some size (`envward data refresh`, `db backup`). Deposits come
 * from the currency's funding account and are posted by the database as
 * every transfer is, so every balance is backed by the journal.
 *
 * Names have a middle name ("Ada Grace Lovelace"), which @faker-js/faker's
 * `person.fullName` (what the refresh rules fake names with) never makes
 * (its three-word names carry a title or a suffix): a sample name is never
 * mistaken for a fake one, nor a fake for a leaked name.
 */
import { base, en, Faker } from '@faker-js/faker';
import type { Kysely } from 'kysely';
import { v7 as uuidv7 } from 'uuid';
import type { LedgerDatabase } from './schema.js';

const BATCH = 500;
const CURRENCIES = ['EUR', 'USD', 'GBP'] as const;

export interface SampleLoad {
  readonly customers: number;
  /** The sum of the opening balances, minor units, by currency. */
  readonly deposited: Readonly<Record<string, bigint>>;
}

/** A sample customer, the same for the same seed and index. */
function sampleCustomer(faker: Faker, index: number) {
  const first = faker.person.firstName();
  const middle = faker.person.middleName();
  const last = faker.person.lastName();
  const local = `${first}.${last}.${index}`.toLowerCase().replace(/[^a-z0-9.]/g, '');
  return {
    name: `${first} ${middle} ${last}`,
    email: `${local}@example.com`,
    currency: CURRENCIES[index % CURRENCIES.length] as string,
    // 10.00 to 10,009.99 in minor units.
    balance: BigInt(1_000 + faker.number.int({ min: 0, max: 999_999 })),
  };
}

/** Loads `count` sample customers in batches, one transaction each; ids carry the environment's code. */
export async function loadSampleCustomers(
  db: Kysely<LedgerDatabase>,
  code: string,
  count: number,
  seed = 1,
): Promise<SampleLoad> {
  const faker = new Faker({ locale: [en, base], seed });
  const id = (kind: string) => `${code}-${kind}-${uuidv7()}`;
  const deposited: Record<string, bigint> = {};
  for (let start = 0; start < count; start += BATCH) {
    const at = new Date().toISOString();
    const rows = Array.from({ length: Math.min(BATCH, count - start) }, (_, offset) => {
      const sample = sampleCustomer(faker, start + offset);
      return { ...sample, customer: id('CUS'), account: id('ACC'), transfer: id('TXN'), deposit: id('DEP') };
    });
    await db.transaction().execute(async (trx) => {
      const funding = new Map<string, string>();
      for (const currency of new Set(rows.map((row) => row.currency))) {
        await trx
          .insertInto('accounts')
          .values({
            id: id('ACC'),
            customer_id: null,
            owner: `external funding (${currency})`,
            kind: 'funding',
            currency,
            balance: 0n,
            overdraft_limit: 0n,
            created_at: at,
          })
          .onConflict((conflict) => conflict.doNothing())
          .execute();
        const found = await trx
          .selectFrom('accounts')
          .select('id')
          .where('kind', '=', 'funding')
          .where('currency', '=', currency)
          .executeTakeFirstOrThrow();
        funding.set(currency, found.id);
      }
      await trx
        .insertInto('customers')
        .values(rows.map((row) => ({ id: row.customer, name: row.name, email: row.email, created_at: at })))
        .execute();
      await trx
        .insertInto('accounts')
        .values(
          rows.map((row) => ({
            id: row.account,
            customer_id: row.customer,
            owner: row.name,
            kind: 'customer',
            currency: row.currency,
            balance: 0n,
            overdraft_limit: 0n,
            created_at: at,
          })),
        )
        .execute();
      // The database posts each deposit's journal lines and moves the balances (migration 004).
      await trx
        .insertInto('transfers')
        .values(
          rows.map((row) => ({
            id: row.transfer,
            from_account: funding.get(row.currency) as string,
            to_account: row.account,
            amount: row.balance,
            currency: row.currency,
            kind: 'deposit',
            created_at: at,
          })),
        )
        .execute();
      await trx
        .insertInto('deposits')
        .values(
          rows.map((row) => ({
            id: row.deposit,
            account_id: row.account,
            amount: row.balance,
            currency: row.currency,
            status: 'booked',
            gateway_reference: `SAMPLE-${row.transfer}`,
            transfer_id: row.transfer,
            failure: null,
            created_at: at,
            updated_at: at,
          })),
        )
        .execute();
    });
    for (const row of rows) deposited[row.currency] = (deposited[row.currency] ?? 0n) + row.balance;
  }
  return { customers: count, deposited };
}
