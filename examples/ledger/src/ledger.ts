/**
 * The ledger's rules, independent of HTTP: customer accounts, double-entry
 * transfers that are atomic and idempotent per client, balances that never
 * go below the account's overdraft, and the environment's transfer limit.
 * Money is bigint in minor units throughout (money.ts); the database holds
 * every rule here as a constraint too (migrations/), so a bug or a hand-run
 * statement cannot break one either.
 */
import { type Kysely, sql, type Transaction } from 'kysely';
import { type IdempotencyScope, idempotency, requestFingerprint } from './idempotency.js';
import { LedgerError, refusedByDatabase } from './ledger-error.js';
import { formatMinor, majorToMinor, parseMinor } from './money.js';
import type { LedgerDatabase } from './schema.js';

export { LedgerError } from './ledger-error.js';

export type AccountKind = 'customer' | 'funding' | 'interest';

export interface Account {
  readonly id: string;
  readonly owner: string;
  readonly customerId: string | null;
  readonly kind: AccountKind;
  readonly currency: string;
  /** Minor units. */
  readonly balance: bigint;
  /** How far below zero the balance may go, minor units; set only by `setOverdraft` or the environment's default. */
  readonly overdraftLimit: bigint;
  readonly createdAt: string;
}

export interface Transfer {
  readonly id: string;
  readonly from: string;
  readonly to: string;
  /** Minor units, > 0. */
  readonly amount: bigint;
  readonly currency: string;
  readonly kind: 'transfer' | 'deposit' | 'interest';
  readonly createdAt: string;
}

export interface TransferRequest {
  readonly from: unknown;
  readonly to: unknown;
  /** Minor units as a string of digits ("2500" is 25.00 EUR). */
  readonly amount: unknown;
}

export interface LedgerSettings {
  /**
   * The environment's largest transfer or deposit, in whole units of the
   * currency (1000 is 1,000.00 EUR or 1,000 JPY), read at each transfer: a
   * runtime revision of `ledger.transferLimit` applies to the next one.
   */
  readonly transferLimit: () => number;
  /** The overdraft a new customer account gets, in whole units of its currency (0: none). */
  readonly defaultOverdraft: number;
  readonly currencies: readonly string[];
  /** How long an Idempotency-Key is remembered, milliseconds. */
  readonly idempotencyTtlMs: number;
  /** The environment's name, for messages. */
  readonly environment: string;
  readonly dialect: 'sqlite' | 'postgres';
  /** Makes an environment-coded id (`DEV-TXN-...`). */
  readonly nextId: (kind: 'txn' | 'acc' | 'cus' | 'dep') => string;
  /** Records a privileged act (envward's audit log); the overdraft is one. */
  readonly audit: (event: { action: string; target: string; reason?: string; outcome: string }) => Promise<unknown>;
}

type Db = Kysely<LedgerDatabase>;
type Trx = Transaction<LedgerDatabase>;

const now = () => new Date().toISOString();

/** Money columns leave the database as text, so no driver turns them into a float on the way. */
const ACCOUNT_COLUMNS = [
  'id',
  'customer_id',
  'owner',
  'kind',
  'currency',
  sql<string>`cast(balance as text)`.as('balance'),
  sql<string>`cast(overdraft_limit as text)`.as('overdraft_limit'),
  'created_at',
] as const;

const TRANSFER_COLUMNS = [
  'id',
  'from_account',
  'to_account',
  sql<string>`cast(amount as text)`.as('amount'),
  'currency',
  'kind',
  'created_at',
] as const;

interface AccountRow {
  id: string;
  customer_id: string | null;
  owner: string;
  kind: string;
  currency: string;
  balance: string;
  overdraft_limit: string;
  created_at: string;
}

interface TransferRow {
  id: string;
  from_account: string;
  to_account: string;
  amount: string;
  currency: string;
  kind: string;
  created_at: string;
}

function toAccount(row: AccountRow): Account {
  return {
    id: row.id,
    owner: row.owner,
    customerId: row.customer_id,
    kind: row.kind as AccountKind,
    currency: row.currency,
    balance: BigInt(row.balance),
    overdraftLimit: BigInt(row.overdraft_limit),
    createdAt: row.created_at,
  };
}

export function toTransfer(row: TransferRow): Transfer {
  return {
    id: row.id,
    from: row.from_account,
    to: row.to_account,
    amount: BigInt(row.amount),
    currency: row.currency,
    kind: row.kind as Transfer['kind'],
    createdAt: row.created_at,
  };
}

/** The ledger of one store. */
export function ledger(db: Db, settings: LedgerSettings) {
  const keys = idempotency(settings.idempotencyTtlMs);

  /**
   * Reads an account for the rest of the transaction: PostgreSQL locks the
   * row; SQLite takes the database's write lock with a no-op write first, so
   * a second process waits here rather than failing when it would upgrade.
   */
  async function lockAccount(trx: Trx, id: string): Promise<Account | undefined> {
    if (settings.dialect === 'sqlite') {
      await trx.updateTable('accounts').set({ overdraft_limit: sql`overdraft_limit` }).where('id', '=', id).execute();
    }
    let query = trx.selectFrom('accounts').select(ACCOUNT_COLUMNS).where('id', '=', id);
    if (settings.dialect === 'postgres') query = query.forUpdate();
    const row = await query.executeTakeFirst();
    return row ? toAccount(row) : undefined;
  }

  async function readAccount(trx: Db | Trx, id: string): Promise<Account> {
    const row = await trx.selectFrom('accounts').select(ACCOUNT_COLUMNS).where('id', '=', id).executeTakeFirst();
    if (!row) throw new LedgerError('LEDGER_NOT_FOUND', 404, `account ${id} does not exist`, { account: id });
    return toAccount(row);
  }

  /** The amount of a request: a string of digits in minor units, > 0; LEDGER_BAD_AMOUNT otherwise. */
  function parseAmount(amount: unknown): bigint {
    const value = parseMinor(amount);
    if (value === undefined || value === 0n) {
      throw new LedgerError(
        'LEDGER_BAD_AMOUNT',
        400,
        'amount must be a positive whole number of minor units written as a string of digits, e.g. "2500" for 25.00 EUR',
      );
    }
    return value;
  }

  function checkLimit(amount: bigint, currency: string): void {
    const limit = majorToMinor(settings.transferLimit(), currency);
    if (amount > limit) {
      throw new LedgerError(
        'LEDGER_LIMIT_EXCEEDED',
        422,
        `${formatMinor(amount, currency)} is above ${settings.environment}'s limit of ${formatMinor(limit, currency)} per transfer`,
        { limit: limit.toString(), currency, environment: settings.environment },
      );
    }
  }

  function requireCustomer(account: Account, role: 'source' | 'target'): void {
    if (account.kind !== 'customer') {
      throw new LedgerError(
        'LEDGER_SYSTEM_ACCOUNT',
        403,
        `account ${account.id} is the bank's ${account.kind} account: it is never a transfer's ${role} through the API`,
        { account: account.id },
      );
    }
  }

  /** Inserts the transfer; the database posts its journal lines and moves both balances (migration 004). */
  async function post(trx: Trx, transfer: Transfer): Promise<Transfer> {
    try {
      await trx
        .insertInto('transfers')
        .values({
          id: transfer.id,
          from_account: transfer.from,
          to_account: transfer.to,
          amount: transfer.amount,
          currency: transfer.currency,
          kind: transfer.kind,
          created_at: transfer.createdAt,
        })
        .execute();
    } catch (error) {
      throw refusedByDatabase(error) ?? error;
    }
    return transfer;
  }

  /** The bank's account of `kind` for `currency`, made on first use; one per currency even when two first uses race. */
  async function systemAccount(trx: Trx, kind: 'funding' | 'interest', currency: string): Promise<string> {
    const find = () =>
      trx
        .selectFrom('accounts')
        .select('id')
        .where('kind', '=', kind)
        .where('currency', '=', currency)
        .executeTakeFirst();
    const existing = await find();
    if (existing) return existing.id;
    await trx
      .insertInto('accounts')
      .values({
        id: settings.nextId('acc'),
        customer_id: null,
        owner: kind === 'funding' ? `external funding (${currency})` : `interest paid (${currency})`,
        kind,
        currency,
        balance: 0n,
        overdraft_limit: 0n,
        created_at: now(),
      })
      // The unique index on (kind, currency) decides a race; the loser reads the winner's row.
      .onConflict((conflict) => conflict.doNothing())
      .execute();
    const made = await find();
    if (!made) throw new Error(`the ${kind} account for ${currency} was neither found nor made`);
    return made.id;
  }

  /** Moves money between two customer accounts of one currency, inside `trx`, with every check. */
  async function move(trx: Trx, from: string, to: string, amount: bigint, id: string): Promise<Transfer> {
    // Lock in id order so two opposite transfers cannot deadlock.
    const [first, second] = from < to ? [from, to] : [to, from];
    const a = await lockAccount(trx, first);
    const b = await lockAccount(trx, second);
    const source = from < to ? a : b;
    const target = from < to ? b : a;
    if (!source) throw new LedgerError('LEDGER_NOT_FOUND', 404, `account ${from} does not exist`, { account: from });
    if (!target) throw new LedgerError('LEDGER_NOT_FOUND', 404, `account ${to} does not exist`, { account: to });
    requireCustomer(source, 'source');
    requireCustomer(target, 'target');
    if (source.currency !== target.currency) {
      throw new LedgerError(
        'LEDGER_CURRENCY_MISMATCH',
        422,
        `account ${from} holds ${source.currency} and ${to} holds ${target.currency}`,
      );
    }
    checkLimit(amount, source.currency);
    if (source.balance - amount < -source.overdraftLimit) {
      throw new LedgerError(
        'LEDGER_INSUFFICIENT_FUNDS',
        422,
        `account ${from} has ${formatMinor(source.balance, source.currency)}; ${formatMinor(amount, source.currency)} would exceed its overdraft of ${formatMinor(source.overdraftLimit, source.currency)}`,
      );
    }
    return post(trx, { id, from, to, amount, currency: source.currency, kind: 'transfer', createdAt: now() });
  }

  async function transferIn(trx: Db | Trx, id: string): Promise<Transfer> {
    const row = await trx.selectFrom('transfers').select(TRANSFER_COLUMNS).where('id', '=', id).executeTakeFirst();
    if (!row) throw new LedgerError('LEDGER_NOT_FOUND', 404, `transfer ${id} does not exist`, { transfer: id });
    return toTransfer(row);
  }

  return {
    parseAmount,
    checkLimit,
    requireCustomer,
    lockAccount,
    readAccount,
    systemAccount,
    post,
    keys,

    async openAccount(input: { owner: unknown; currency: unknown; email?: unknown }): Promise<Account> {
      const owner = typeof input.owner === 'string' ? input.owner.trim() : '';
      if (owner === '' || owner.length > 200) {
        throw new LedgerError('LEDGER_BAD_OWNER', 400, 'owner must be a name of 1 to 200 characters');
      }
      const email = input.email === undefined ? null : typeof input.email === 'string' ? input.email.trim() : '';
      // The database checks the same (migration 008); here it is a 400 with the field's code, not a 500.
      if (email !== null && (email.length < 3 || email.length > 254 || !/^[^@\s]+@[^@\s]+$/.test(email))) {
        throw new LedgerError('LEDGER_BAD_EMAIL', 400, 'email must be an address of 3 to 254 characters');
      }
      const currency = input.currency;
      if (typeof currency !== 'string' || !settings.currencies.includes(currency)) {
        throw new LedgerError('LEDGER_BAD_CURRENCY', 400, `currency must be one of ${settings.currencies.join(', ')}`);
      }
      const customerId = settings.nextId('cus');
      const row: AccountRow = {
        id: settings.nextId('acc'),
        customer_id: customerId,
        owner,
        kind: 'customer',
        currency,
        balance: '0',
        overdraft_limit: majorToMinor(settings.defaultOverdraft, currency).toString(),
        created_at: now(),
      };
      await db.transaction().execute(async (trx) => {
        await trx
          .insertInto('customers')
          .values({ id: customerId, name: owner, email, created_at: row.created_at })
          .execute();
        await trx
          .insertInto('accounts')
          .values({ ...row, balance: 0n, overdraft_limit: BigInt(row.overdraft_limit) })
          .execute();
      });
      return toAccount(row);
    },

    account: (id: string): Promise<Account> => readAccount(db, id),

    transferById: (id: string): Promise<Transfer> => transferIn(db, id),

    /**
     * One atomic transfer, idempotent per client and key: the same key with
     * the same request returns the first transfer (`replayed: true`) and
     * posts nothing; the same key with another request is refused.
     */
    async transfer(
      request: TransferRequest,
      scope: IdempotencyScope,
    ): Promise<{ transfer: Transfer; replayed: boolean }> {
      const { from, to } = request;
      if (typeof from !== 'string' || typeof to !== 'string' || from === '' || to === '') {
        throw new LedgerError('LEDGER_BAD_REQUEST', 400, 'from and to must be account ids');
      }
      if (from === to) throw new LedgerError('LEDGER_BAD_REQUEST', 400, 'from and to must be different accounts');
      const amount = parseAmount(request.amount);
      const print = requestFingerprint(['transfer', from, to, amount.toString()]);
      return db.transaction().execute(async (trx) => {
        const id = settings.nextId('txn');
        // The key's row is taken first: a concurrent retry waits on it, then finds it.
        const claim = await keys.claim(trx, scope, 'transfer', print, id);
        if (!claim.claimed) return { transfer: await transferIn(trx, claim.resultId), replayed: true };
        return { transfer: await move(trx, from, to, amount, id), replayed: false };
      });
    },

    /**
     * The privileged way to change an account's overdraft (never through the
     * public API): audited with its reason before it is made, refused when
     * the balance is already below the new limit.
     */
    async setOverdraft(accountId: string, limitText: string, reason: string): Promise<Account> {
      const limit = parseMinor(limitText);
      if (limit === undefined) {
        throw new LedgerError('LEDGER_BAD_AMOUNT', 400, 'the overdraft is a whole number of minor units, e.g. "50000"');
      }
      if (reason.trim() === '') throw new LedgerError('LEDGER_BAD_REQUEST', 400, 'an overdraft change needs a reason');
      const target = `${accountId} -> ${limitText}`;
      await settings.audit({ action: 'ledger.overdraft', target, reason, outcome: 'allowed' });
      try {
        return await db.transaction().execute(async (trx) => {
          const account = await lockAccount(trx, accountId);
          if (!account) throw new LedgerError('LEDGER_NOT_FOUND', 404, `account ${accountId} does not exist`);
          requireCustomer(account, 'target');
          if (account.balance < -limit) {
            throw new LedgerError(
              'LEDGER_OVERDRAFT_IN_USE',
              422,
              `account ${accountId} is at ${formatMinor(account.balance, account.currency)}, below an overdraft of ${formatMinor(limit, account.currency)}`,
            );
          }
          await trx.updateTable('accounts').set({ overdraft_limit: limit }).where('id', '=', accountId).execute();
          return { ...account, overdraftLimit: limit };
        });
      } catch (error) {
        await settings.audit({ action: 'ledger.overdraft', target, reason, outcome: 'failed' });
        throw error;
      }
    },
  };
}

export type Ledger = ReturnType<typeof ledger>;
