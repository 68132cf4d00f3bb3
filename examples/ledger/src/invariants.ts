/**
 * Every invariant the ledger promises, checked over a whole store: for the
 * tests and the load test, and for an operator who wants to know.
 */
import { type Kysely, sql } from 'kysely';
import type { LedgerDatabase } from './schema.js';

export interface LedgerInvariants {
  /** Sum of every balance, system accounts included: 0, since money only moves. */
  readonly balanceSum: bigint;
  /** Transfers whose journal lines do not sum to zero, or that do not have exactly two. */
  readonly unbalancedTransfers: number;
  /** Accounts whose balance is not the sum of their journal lines. */
  readonly balanceMismatches: number;
  /** Customer accounts below their overdraft. */
  readonly belowOverdraft: number;
  /** What the funding accounts paid out minus the deposits booked: 0 when money enters only through deposits. */
  readonly fundingGap: bigint;
  /** What the interest accounts paid out minus the interest accrued: 0 when interest is posted once per accrual. */
  readonly interestGap: bigint;
  readonly transfers: number;
}

const total = (value: string | null | undefined) => BigInt(value ?? '0');

export async function ledgerInvariants(db: Kysely<LedgerDatabase>): Promise<LedgerInvariants> {
  const sumOf = async (table: 'accounts' | 'deposits' | 'interest_accruals', column: string, where: string) => {
    const row = await db
      .selectFrom(table)
      .select(sql<string>`cast(coalesce(sum(${sql.ref(column)}), 0) as text)`.as('total'))
      .where(sql.raw<boolean>(where))
      .executeTakeFirstOrThrow();
    return total(row.total);
  };
  const unbalanced = await db
    .selectFrom('transfers')
    .leftJoin('journal', 'journal.transfer_id', 'transfers.id')
    .select('transfers.id')
    .groupBy('transfers.id')
    .having((eb) =>
      eb.or([eb(sql`coalesce(sum(journal.amount), 1)`, '<>', 0), eb(eb.fn.count('journal.side'), '<>', 2)]),
    )
    .execute();
  const mismatched = await db
    .selectFrom('accounts')
    .leftJoin(
      db
        .selectFrom('journal')
        .select(['account_id', sql<string>`sum(amount)`.as('posted')])
        .groupBy('account_id')
        .as('j'),
      'j.account_id',
      'accounts.id',
    )
    .select('accounts.id')
    .where(sql`accounts.balance`, '<>', sql`coalesce(j.posted, 0)`)
    .execute();
  const below = await db
    .selectFrom('accounts')
    .select(sql<string>`count(*)`.as('n'))
    .where('kind', '=', 'customer')
    .where(sql`balance`, '<', sql`-overdraft_limit`)
    .executeTakeFirstOrThrow();
  const count = await db.selectFrom('transfers').select(sql<string>`count(*)`.as('n')).executeTakeFirstOrThrow();
  const funding = await sumOf('accounts', 'balance', "kind = 'funding'");
  const interestPaid = await sumOf('accounts', 'balance', "kind = 'interest'");
  return {
    balanceSum: await sumOf('accounts', 'balance', '1 = 1'),
    unbalancedTransfers: unbalanced.length,
    balanceMismatches: mismatched.length,
    belowOverdraft: Number(below.n),
    fundingGap: -funding - (await sumOf('deposits', 'amount', "status = 'booked'")),
    interestGap: -interestPaid - (await sumOf('interest_accruals', 'amount', '1 = 1')),
    transfers: Number(count.n),
  };
}
