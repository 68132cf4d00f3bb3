/**
 * The ledger's rules, independent of HTTP: accounts, double-entry transfers
 * that are atomic and idempotent, balances that never go below the
 * account's overdraft, and the environment's transfer limit.
 */
import { createHash } from 'node:crypto';
import { type Kysely, sql, type Transaction } from 'kysely';
import type { LedgerDatabase } from './schema.js';

/** A refusal the API turns into a JSON error with this code and status. */
export class LedgerError extends Error {
  constructor(
    readonly code: string,
    readonly status: number,
    message: string,
    readonly details: Record<string, unknown> = {},
  ) {
    super(message);
    this.name = 'LedgerError';
  }
}

export interface Account {
  readonly id: string;
  readonly owner: string;
  readonly customerId: string | null;
  readonly kind: 'customer' | 'system';
  readonly currency: string;
  readonly balance: number;
  readonly overdraftLimit: number;
  readonly createdAt: string;
}

export interface Transfer {
  readonly id: string;
  readonly from: string;
  readonly to: string;
  readonly amount: number;
  readonly currency: string;
  readonly kind: 'transfer' | 'deposit' | 'interest';
  readonly createdAt: string;
}

export interface TransferRequest {
  readonly from: string;
  readonly to: string;
  readonly amount: number;
}

export interface LedgerSettings {
  /** The environment's largest transfer, minor units. */
  readonly transferLimit: number;
  readonly currencies: readonly string[];
  /** The environment's name, for messages. */
  readonly environment: string;
  readonly dialect: 'sqlite' | 'postgres';
  /** Makes an environment-coded id (`DEV-TXN-...`). */
  readonly nextId: (kind: 'txn' | 'acc' | 'cus' | 'jrn') => string;
}

type Db = Kysely<LedgerDatabase>;

const now = () => new Date().toISOString();

function toAccount(row: LedgerDatabase['accounts']): Account {
  return {
    id: row.id,
    owner: row.owner,
    customerId: row.customer_id,
    kind: row.kind as Account['kind'],
    currency: row.currency,
    // pg returns bigint as text; amounts stay far below 2^53.
    balance: Number(row.balance),
    overdraftLimit: Number(row.overdraft_limit),
    createdAt: row.created_at,
  };
}

function toTransfer(row: LedgerDatabase['transfers']): Transfer {
  return {
    id: row.id,
    from: row.from_account,
    to: row.to_account,
    amount: Number(row.amount),
    currency: row.currency,
    kind: row.kind as Transfer['kind'],
    createdAt: row.created_at,
  };
}

export function formatMinor(amount: number, currency: string): string {
  return `${(amount / 100).toLocaleString('en-GB', { minimumFractionDigits: 2, maximumFractionDigits: 2 })} ${currency}`;
}

/** The ledger of one store. */
export function ledger(db: Db, settings: LedgerSettings) {
  async function lockAccount(trx: Transaction<LedgerDatabase>, id: string): Promise<Account | undefined> {
    let query = trx.selectFrom('accounts').selectAll().where('id', '=', id);
    // SQLite serialises write transactions already; PostgreSQL needs row locks.
    if (settings.dialect === 'postgres') query = query.forUpdate();
    const row = await query.executeTakeFirst();
    return row ? toAccount(row) : undefined;
  }

  async function post(trx: Transaction<LedgerDatabase>, transfer: Transfer): Promise<void> {
    const at = transfer.createdAt;
    await trx
      .updateTable('accounts')
      .set({ balance: sql`balance - ${transfer.amount}` })
      .where('id', '=', transfer.from)
      .execute();
    await trx
      .updateTable('accounts')
      .set({ balance: sql`balance + ${transfer.amount}` })
      .where('id', '=', transfer.to)
      .execute();
    await trx
      .insertInto('transfers')
      .values({
        id: transfer.id,
        from_account: transfer.from,
        to_account: transfer.to,
        amount: transfer.amount,
        currency: transfer.currency,
        kind: transfer.kind,
        created_at: at,
      })
      .execute();
    await trx
      .insertInto('journal')
      .values([
        {
          id: settings.nextId('jrn'),
          transfer_id: transfer.id,
          account_id: transfer.from,
          amount: -transfer.amount,
          created_at: at,
        },
        {
          id: settings.nextId('jrn'),
          transfer_id: transfer.id,
          account_id: transfer.to,
          amount: transfer.amount,
          created_at: at,
        },
      ])
      .execute();
  }

  function checkAmount(amount: unknown): number {
    if (typeof amount !== 'number' || !Number.isSafeInteger(amount) || amount <= 0) {
      throw new LedgerError('LEDGER_BAD_AMOUNT', 400, 'amount must be a positive integer in minor units (cents)');
    }
    if (amount > settings.transferLimit) {
      throw new LedgerError(
        'LEDGER_LIMIT_EXCEEDED',
        422,
        `amount ${amount} is above ${settings.environment}'s transfer limit of ${settings.transferLimit} (minor units)`,
        { limit: settings.transferLimit, environment: settings.environment },
      );
    }
    return amount;
  }

  /** Moves money between two accounts of one currency, inside `trx`, with every check. */
  async function move(
    trx: Transaction<LedgerDatabase>,
    from: string,
    to: string,
    amount: number,
    kind: Transfer['kind'],
    id: string,
  ): Promise<Transfer> {
    // Lock in id order so two opposite transfers cannot deadlock.
    const [first, second] = from < to ? [from, to] : [to, from];
    const a = await lockAccount(trx, first);
    const b = await lockAccount(trx, second);
    const source = from < to ? a : b;
    const target = from < to ? b : a;
    if (!source) throw new LedgerError('LEDGER_NOT_FOUND', 404, `account ${from} does not exist`, { account: from });
    if (!target) throw new LedgerError('LEDGER_NOT_FOUND', 404, `account ${to} does not exist`, { account: to });
    if (source.currency !== target.currency) {
      throw new LedgerError(
        'LEDGER_CURRENCY_MISMATCH',
        422,
        `account ${from} holds ${source.currency} and ${to} holds ${target.currency}`,
      );
    }
    if (source.kind === 'customer' && source.balance - amount < -source.overdraftLimit) {
      throw new LedgerError(
        'LEDGER_INSUFFICIENT_FUNDS',
        422,
        `account ${from} has ${formatMinor(source.balance, source.currency)}; ${formatMinor(amount, source.currency)} would exceed its overdraft of ${formatMinor(source.overdraftLimit, source.currency)}`,
      );
    }
    const transfer: Transfer = { id, from, to, amount, currency: source.currency, kind, createdAt: now() };
    await post(trx, transfer);
    return transfer;
  }

  async function systemAccount(trx: Transaction<LedgerDatabase>, currency: string): Promise<string> {
    const existing = await trx
      .selectFrom('accounts')
      .select('id')
      .where('kind', '=', 'system')
      .where('currency', '=', currency)
      .executeTakeFirst();
    if (existing) return existing.id;
    const id = settings.nextId('acc');
    await trx
      .insertInto('accounts')
      .values({
        id,
        customer_id: null,
        owner: `external funding (${currency})`,
        kind: 'system',
        currency,
        balance: 0,
        overdraft_limit: 0,
        created_at: now(),
      })
      .execute();
    return id;
  }

  return {
    /** The amount as a transfer or deposit takes it; throws LEDGER_BAD_AMOUNT or LEDGER_LIMIT_EXCEEDED. */
    checkAmount,

    async openAccount(input: { owner: unknown; currency: unknown; overdraftLimit?: unknown }): Promise<Account> {
      const owner = typeof input.owner === 'string' ? input.owner.trim() : '';
      if (owner === '' || owner.length > 200) {
        throw new LedgerError('LEDGER_BAD_OWNER', 400, 'owner must be a name of 1 to 200 characters');
      }
      const currency = input.currency;
      if (typeof currency !== 'string' || !settings.currencies.includes(currency)) {
        throw new LedgerError('LEDGER_BAD_CURRENCY', 400, `currency must be one of ${settings.currencies.join(', ')}`);
      }
      const overdraft = input.overdraftLimit ?? 0;
      if (typeof overdraft !== 'number' || !Number.isSafeInteger(overdraft) || overdraft < 0) {
        throw new LedgerError('LEDGER_BAD_AMOUNT', 400, 'overdraftLimit must be a non-negative integer (minor units)');
      }
      const customerId = settings.nextId('cus');
      const account = {
        id: settings.nextId('acc'),
        customer_id: customerId,
        owner,
        kind: 'customer',
        currency,
        balance: 0,
        overdraft_limit: overdraft,
        created_at: now(),
      };
      await db.transaction().execute(async (trx) => {
        await trx
          .insertInto('customers')
          .values({ id: customerId, name: owner, created_at: account.created_at })
          .execute();
        await trx.insertInto('accounts').values(account).execute();
      });
      return toAccount(account as LedgerDatabase['accounts']);
    },

    async account(id: string): Promise<Account> {
      const row = await db.selectFrom('accounts').selectAll().where('id', '=', id).executeTakeFirst();
      if (!row) throw new LedgerError('LEDGER_NOT_FOUND', 404, `account ${id} does not exist`, { account: id });
      return toAccount(row);
    },

    async transferById(id: string): Promise<Transfer> {
      const row = await db.selectFrom('transfers').selectAll().where('id', '=', id).executeTakeFirst();
      if (!row) throw new LedgerError('LEDGER_NOT_FOUND', 404, `transfer ${id} does not exist`, { transfer: id });
      return toTransfer(row);
    },

    /**
     * One atomic, idempotent transfer. The same key with the same request
     * returns the first transfer (`replayed: true`) and posts nothing; the
     * same key with another request is refused.
     */
    async transfer(
      request: TransferRequest,
      idempotencyKey: string,
    ): Promise<{ transfer: Transfer; replayed: boolean }> {
      if (typeof request.from !== 'string' || typeof request.to !== 'string') {
        throw new LedgerError('LEDGER_BAD_REQUEST', 400, 'from and to must be account ids');
      }
      if (request.from === request.to) {
        throw new LedgerError('LEDGER_BAD_REQUEST', 400, 'from and to must be different accounts');
      }
      const amount = checkAmount(request.amount);
      const fingerprint = createHash('sha256')
        .update(JSON.stringify([request.from, request.to, amount]))
        .digest('hex');
      return db.transaction().execute(async (trx) => {
        const id = settings.nextId('txn');
        // The key's row is taken first: a concurrent retry waits on it, then finds it.
        const claimed = await trx
          .insertInto('idempotency_keys')
          .values({ key: idempotencyKey, fingerprint, transfer_id: id, created_at: now() })
          .onConflict((conflict) => conflict.column('key').doNothing())
          .executeTakeFirst();
        if (Number(claimed.numInsertedOrUpdatedRows ?? 0n) === 0) {
          const first = await trx
            .selectFrom('idempotency_keys')
            .selectAll()
            .where('key', '=', idempotencyKey)
            .executeTakeFirstOrThrow();
          if (first.fingerprint !== fingerprint) {
            throw new LedgerError(
              'LEDGER_IDEMPOTENCY_MISMATCH',
              422,
              'this Idempotency-Key was used for a different transfer; use a new key for a new transfer',
            );
          }
          const row = await trx
            .selectFrom('transfers')
            .selectAll()
            .where('id', '=', first.transfer_id)
            .executeTakeFirstOrThrow();
          return { transfer: toTransfer(row), replayed: true };
        }
        return { transfer: await move(trx, request.from, request.to, amount, 'transfer', id), replayed: false };
      });
    },

    /** Development only (the API refuses it elsewhere): money in from the external funding account. */
    async deposit(accountId: string, amount: unknown): Promise<Transfer> {
      const value = checkAmount(amount);
      return db.transaction().execute(async (trx) => {
        const target = await trx
          .selectFrom('accounts')
          .select('currency')
          .where('id', '=', accountId)
          .executeTakeFirst();
        if (!target) throw new LedgerError('LEDGER_NOT_FOUND', 404, `account ${accountId} does not exist`);
        const funding = await systemAccount(trx, target.currency);
        return move(trx, funding, accountId, value, 'deposit', settings.nextId('txn'));
      });
    },

    /** Posts one day of interest at `rateBps` a year to every customer account in credit; returns how many. */
    async accrueInterest(rateBps: number): Promise<number> {
      const accounts = await db
        .selectFrom('accounts')
        .select(['id', 'balance', 'currency'])
        .where('kind', '=', 'customer')
        .execute();
      let posted = 0;
      for (const account of accounts) {
        const daily = Math.floor((Number(account.balance) * rateBps) / 10_000 / 365);
        if (daily <= 0) continue;
        await db.transaction().execute(async (trx) => {
          const funding = await systemAccount(trx, account.currency);
          await move(trx, funding, account.id, daily, 'interest', settings.nextId('txn'));
        });
        posted++;
      }
      return posted;
    },

    /** Every invariant the ledger promises, checked over the whole store. */
    async audit(): Promise<{
      balanceSum: number;
      unbalancedTransfers: number;
      balanceMismatches: number;
      transfers: number;
    }> {
      const sum = await db
        .selectFrom('accounts')
        .select(sql<string>`coalesce(sum(balance), 0)`.as('total'))
        .executeTakeFirstOrThrow();
      const unbalanced = await db
        .selectFrom('journal')
        .select('transfer_id')
        .groupBy('transfer_id')
        .having(sql`sum(amount)`, '<>', 0)
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
      const count = await db.selectFrom('transfers').select(sql<string>`count(*)`.as('n')).executeTakeFirstOrThrow();
      return {
        balanceSum: Number(sum.total),
        unbalancedTransfers: unbalanced.length,
        balanceMismatches: mismatched.length,
        transfers: Number(count.n),
      };
    },
  };
}

export type Ledger = ReturnType<typeof ledger>;
