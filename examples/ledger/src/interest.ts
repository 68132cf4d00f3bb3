/**
 * Interest on customer accounts in credit, exact in minor units.
 *
 * Day count: Actual/365 Fixed. Each calendar day (UTC) an account earns
 * balance x rate / 365, the rate in basis points a year, on its balance when
 * the day is accrued. What falls below one minor unit is not rounded away:
 * it is carried, per account, in units of 1/3,650,000 of a minor unit
 * (10,000 basis points x 365 days), into the next day's accrual. So 100.00
 * EUR at 150 bps earns 0.0041 cents a day and is paid one cent about every
 * 243 days, as a balance of 243.00 earns a cent every day.
 *
 * One accrual per account and day: the accrual row's primary key is
 * (account, day), written in the transaction that posts its interest, after
 * the account's row is locked, so a second run of the same day, on this
 * instance or another, posts nothing.
 */
import { type Kysely, sql } from 'kysely';
import type { Ledger } from './ledger.js';
import type { LedgerDatabase } from './schema.js';

/** 10,000 basis points x 365 days: the carry's unit is 1/DAY_DIVISOR of a minor unit. */
export const DAY_DIVISOR = 3_650_000n;

const DAY = /^\d{4}-\d{2}-\d{2}$/;

/** One day's interest on `balance` (minor units) at `rateBps` a year, with the carry from the day before. */
export function dailyInterest(balance: bigint, rateBps: number, carry: bigint): { amount: bigint; carry: bigint } {
  if (balance <= 0n) return { amount: 0n, carry };
  const total = balance * BigInt(rateBps) + carry;
  return { amount: total / DAY_DIVISOR, carry: total % DAY_DIVISOR };
}

export interface AccrualResult {
  readonly day: string;
  /** Accounts whose accrual was recorded by this run (with or without interest to post). */
  readonly accrued: number;
  /** Of those, accounts that were paid interest. */
  readonly posted: number;
  /** Accounts already accrued for the day (an earlier run, another instance). */
  readonly alreadyAccrued: number;
}

export interface InterestSettings {
  readonly nextId: (kind: 'txn') => string;
}

export function interest(db: Kysely<LedgerDatabase>, ledger: Ledger, settings: InterestSettings) {
  return {
    /** Accrues `day` (YYYY-MM-DD, UTC) at `rateBps` for every customer account, each in its own transaction. */
    async accrue(day: string, rateBps: number): Promise<AccrualResult> {
      if (!DAY.test(day) || Number.isNaN(Date.parse(`${day}T00:00:00Z`))) {
        throw new RangeError(`day must be a date as YYYY-MM-DD, not ${JSON.stringify(day)}`);
      }
      if (!Number.isSafeInteger(rateBps) || rateBps < 0 || rateBps > 10_000) {
        throw new RangeError('rateBps must be a whole number of basis points from 0 to 10000');
      }
      const accounts = await db
        .selectFrom('accounts')
        .select('id')
        .where('kind', '=', 'customer')
        .orderBy('id')
        .execute();
      let accrued = 0;
      let posted = 0;
      let alreadyAccrued = 0;
      for (const { id } of accounts) {
        const outcome = await db.transaction().execute(async (trx) => {
          const account = await ledger.lockAccount(trx, id);
          if (!account) return 'gone';
          const done = await trx
            .selectFrom('interest_accruals')
            .select('day')
            .where('account_id', '=', id)
            .where('day', '=', day)
            .executeTakeFirst();
          if (done) return 'already';
          const previous = await trx
            .selectFrom('interest_accruals')
            .select(sql<string>`cast(carry as text)`.as('carry'))
            .where('account_id', '=', id)
            .where('day', '<', day)
            .orderBy('day', 'desc')
            .limit(1)
            .executeTakeFirst();
          const { amount, carry } = dailyInterest(account.balance, rateBps, BigInt(previous?.carry ?? '0'));
          let transferId: string | null = null;
          if (amount > 0n) {
            const payer = await ledger.systemAccount(trx, 'interest', account.currency);
            transferId = settings.nextId('txn');
            await ledger.post(trx, {
              id: transferId,
              from: payer,
              to: id,
              amount,
              currency: account.currency,
              kind: 'interest',
              createdAt: new Date().toISOString(),
            });
          }
          // The primary key is the last word: a duplicate rolls the posting back with it.
          await trx
            .insertInto('interest_accruals')
            .values({
              account_id: id,
              day,
              rate_bps: rateBps,
              balance: account.balance,
              amount,
              carry,
              transfer_id: transferId,
              created_at: new Date().toISOString(),
            })
            .execute();
          return amount > 0n ? 'posted' : 'accrued';
        });
        if (outcome === 'already') alreadyAccrued++;
        if (outcome === 'posted' || outcome === 'accrued') accrued++;
        if (outcome === 'posted') posted++;
      }
      return { day, accrued, posted, alreadyAccrued };
    },
  };
}

export type Interest = ReturnType<typeof interest>;
