/**
 * Deposits: money in from the payment gateway, collected once and booked
 * once, whatever fails in between.
 *
 * 1. In one transaction: the client's Idempotency-Key is claimed and a
 *    `pending` deposit is recorded (its id is the gateway's key).
 * 2. The gateway is asked to collect, with that key: the provider collects
 *    once per key, however often it is asked.
 * 3. In a second transaction: the deposit is booked (a transfer from the
 *    currency's funding account) and marked `booked` with the reference.
 *
 * A crash or an unavailable gateway between 1 and 3 leaves the deposit
 * `pending`: a retry with the same key, or `completePending` (the recovery
 * sweep the server runs), asks the gateway again with the same key and books
 * it. A definite refusal marks it `failed`. Booking is guarded by the row's
 * status (and `deposits.transfer_id` is unique), so two completions of one
 * deposit book it once.
 */
import { type Kysely, sql } from 'kysely';
import { type IdempotencyScope, requestFingerprint } from './idempotency.js';
import type { Ledger, Transfer } from './ledger.js';
import { LedgerError } from './ledger-error.js';
import type { PaymentGateway } from './payment-gateway.js';
import type { LedgerDatabase } from './schema.js';

export type DepositStatus = 'pending' | 'booked' | 'failed';

export interface Deposit {
  readonly id: string;
  readonly account: string;
  readonly amount: bigint;
  readonly currency: string;
  readonly status: DepositStatus;
  readonly gatewayReference: string | null;
  readonly transfer: Transfer | null;
  readonly failure: string | null;
  readonly createdAt: string;
}

export interface DepositSettings {
  readonly nextId: (kind: 'dep' | 'txn') => string;
}

interface DepositRow {
  id: string;
  account_id: string;
  amount: string;
  currency: string;
  status: string;
  gateway_reference: string | null;
  transfer_id: string | null;
  failure: string | null;
  created_at: string;
}

const DEPOSIT_COLUMNS = [
  'id',
  'account_id',
  sql<string>`cast(amount as text)`.as('amount'),
  'currency',
  'status',
  'gateway_reference',
  'transfer_id',
  'failure',
  'created_at',
] as const;

const now = () => new Date().toISOString();

export function deposits(
  db: Kysely<LedgerDatabase>,
  ledger: Ledger,
  gateway: PaymentGateway,
  settings: DepositSettings,
) {
  async function read(id: string): Promise<Deposit> {
    const row = (await db.selectFrom('deposits').select(DEPOSIT_COLUMNS).where('id', '=', id).executeTakeFirst()) as
      | DepositRow
      | undefined;
    if (!row) throw new LedgerError('LEDGER_NOT_FOUND', 404, `deposit ${id} does not exist`, { deposit: id });
    const transfer = row.transfer_id ? await ledger.transferById(row.transfer_id) : null;
    return {
      id: row.id,
      account: row.account_id,
      amount: BigInt(row.amount),
      currency: row.currency,
      status: row.status as DepositStatus,
      gatewayReference: row.gateway_reference,
      transfer,
      failure: row.failure,
      createdAt: row.created_at,
    };
  }

  /** Books a collected deposit, once: only a deposit still pending is booked. */
  async function book(deposit: Deposit, reference: string): Promise<void> {
    await db.transaction().execute(async (trx) => {
      // The status check is the claim: a second completion waits here, then changes nothing.
      const claimed = await trx
        .updateTable('deposits')
        .set({ updated_at: now() })
        .where('id', '=', deposit.id)
        .where('status', '=', 'pending')
        .executeTakeFirst();
      if (Number(claimed.numUpdatedRows) === 0) return;
      const funding = await ledger.systemAccount(trx, 'funding', deposit.currency);
      const transfer = await ledger.post(trx, {
        id: settings.nextId('txn'),
        from: funding,
        to: deposit.account,
        amount: deposit.amount,
        currency: deposit.currency,
        kind: 'deposit',
        createdAt: now(),
      });
      await trx
        .updateTable('deposits')
        .set({ status: 'booked', gateway_reference: reference, transfer_id: transfer.id, updated_at: now() })
        .where('id', '=', deposit.id)
        .execute();
    });
  }

  async function fail(deposit: Deposit, failure: string): Promise<void> {
    await db
      .updateTable('deposits')
      .set({ status: 'failed', failure: failure.slice(0, 500), updated_at: now() })
      .where('id', '=', deposit.id)
      .where('status', '=', 'pending')
      .execute();
  }

  /** Asks the gateway (again) for a pending deposit and books it; a final refusal marks it failed. */
  async function complete(deposit: Deposit): Promise<Deposit> {
    if (deposit.status !== 'pending') return deposit;
    let reference: string;
    try {
      ({ reference } = await gateway.collect({
        key: deposit.id,
        account: deposit.account,
        amount: deposit.amount,
        currency: deposit.currency,
      }));
    } catch (error) {
      if (error instanceof LedgerError && error.code === 'LEDGER_GATEWAY_REFUSED') await fail(deposit, error.message);
      throw error;
    }
    await book(deposit, reference);
    return read(deposit.id);
  }

  function settled(deposit: Deposit): Deposit {
    if (deposit.status === 'failed') {
      throw new LedgerError('LEDGER_GATEWAY_REFUSED', 502, deposit.failure ?? 'the payment gateway refused it', {
        deposit: deposit.id,
      });
    }
    return deposit;
  }

  return {
    /**
     * Money in to a customer account through the gateway, idempotent per
     * client and key. Returns the deposit (booked) and whether this was a
     * replay of an earlier request with the same key.
     */
    async deposit(
      accountId: string,
      amountText: unknown,
      scope: IdempotencyScope,
    ): Promise<{ deposit: Deposit; replayed: boolean }> {
      const amount = ledger.parseAmount(amountText);
      const print = requestFingerprint(['deposit', accountId, amount.toString()]);
      const started = await db.transaction().execute(async (trx) => {
        const id = settings.nextId('dep');
        const claim = await ledger.keys.claim(trx, scope, 'deposit', print, id);
        if (!claim.claimed) return { id: claim.resultId, replayed: true };
        const account = await ledger.lockAccount(trx, accountId);
        if (!account) {
          throw new LedgerError('LEDGER_NOT_FOUND', 404, `account ${accountId} does not exist`, { account: accountId });
        }
        ledger.requireCustomer(account, 'target');
        ledger.checkLimit(amount, account.currency);
        const at = now();
        await trx
          .insertInto('deposits')
          .values({
            id,
            account_id: accountId,
            amount,
            currency: account.currency,
            status: 'pending',
            gateway_reference: null,
            transfer_id: null,
            failure: null,
            created_at: at,
            updated_at: at,
          })
          .execute();
        return { id, replayed: false };
      });
      const deposit = settled(await complete(await read(started.id)));
      return { deposit, replayed: started.replayed };
    },

    /**
     * The recovery sweep: completes deposits left pending for longer than
     * `olderThanMs` (a crash, an unavailable gateway). Returns how many it
     * booked; the ones the gateway still cannot take stay pending.
     */
    async completePending(olderThanMs: number, limit = 100): Promise<{ booked: number; pending: number }> {
      const before = new Date(Date.now() - olderThanMs).toISOString();
      const rows = await db
        .selectFrom('deposits')
        .select('id')
        .where('status', '=', 'pending')
        .where('updated_at', '<=', before)
        .orderBy('created_at')
        .limit(limit)
        .execute();
      let booked = 0;
      let pending = 0;
      for (const { id } of rows) {
        try {
          if ((await complete(await read(id))).status === 'booked') booked++;
        } catch (error) {
          if (!(error instanceof LedgerError)) throw error;
          if (error.code === 'LEDGER_GATEWAY_UNAVAILABLE') pending++;
        }
      }
      return { booked, pending };
    },

    read,
  };
}

export type Deposits = ReturnType<typeof deposits>;
