/**
 * Every money rule the ledger's code enforces, enforced again by the
 * database: statements sent straight to it (around envward and the ledger)
 * that would break one are refused, on SQLite and on PostgreSQL, and leave
 * nothing behind.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { ledgerInvariants } from '../../../examples/ledger/src/invariants.ts';
import type { Account } from '../../../examples/ledger/src/ledger.ts';
import { DIALECTS, type LedgerFixture, ledgerFixture } from './ledger-fixture.ts';

const AT = '2026-12-01T00:00:00.000Z';

for (const dialect of DIALECTS) {
  describe(`the ledger's database on ${dialect} refuses what the code refuses`, () => {
    let fixture: LedgerFixture;
    let a: Account;
    let b: Account;
    let gbp: Account;
    let funding: string;
    let posted: string;

    before(async () => {
      fixture = await ledgerFixture(dialect);
      const { ledger, deposits } = fixture.runtime;
      a = await ledger.openAccount({ owner: 'Ada', currency: 'EUR' });
      b = await ledger.openAccount({ owner: 'Bob', currency: 'EUR' });
      gbp = await ledger.openAccount({ owner: 'Cy', currency: 'GBP' });
      await deposits.deposit(a.id, '10000', { client: 't', key: 'fund-a' });
      posted = (await ledger.transfer({ from: a.id, to: b.id, amount: '100' }, { client: 't', key: 't1' })).transfer.id;
      const [row] = await fixture.raw<{ id: string }>(
        "select id from accounts where kind = 'funding' and currency = 'EUR'",
      );
      funding = row?.id ?? '';
    });
    after(async () => {
      await fixture?.cleanup();
    });

    const insertTransfer = (
      id: string,
      from: string,
      to: string,
      amount: string,
      currency = 'EUR',
      kind = 'transfer',
    ) =>
      fixture.raw(
        'insert into transfers (id, from_account, to_account, amount, currency, kind, created_at) values ($1, $2, $3, $4, $5, $6, $7)',
        [id, from, to, amount, currency, kind, AT],
      );

    const refused: [string, () => Promise<unknown>][] = [
      ['a transfer of 0', () => insertTransfer('TST-TXN-zero', a.id, b.id, '0')],
      ['a negative transfer', () => insertTransfer('TST-TXN-neg', a.id, b.id, '-5')],
      ['a transfer to the same account', () => insertTransfer('TST-TXN-self', a.id, a.id, '5')],
      ['a transfer of an unknown kind', () => insertTransfer('TST-TXN-kind', a.id, b.id, '5', 'EUR', 'gift')],
      ['a transfer between currencies', () => insertTransfer('TST-TXN-fx', a.id, gbp.id, '5')],
      ['a transfer that takes a customer below the overdraft', () => insertTransfer('TST-TXN-nsf', b.id, a.id, '101')],
      ['a transfer into a funding account', () => insertTransfer('TST-TXN-in', a.id, funding, '5')],
      ['a customer transfer out of a funding account', () => insertTransfer('TST-TXN-mint', funding, b.id, '5')],
      ['a deposit posted from a customer', () => insertTransfer('TST-TXN-dep', a.id, b.id, '5', 'EUR', 'deposit')],
      [
        'interest posted from the funding account',
        () => insertTransfer('TST-TXN-int', funding, b.id, '5', 'EUR', 'interest'),
      ],
      [
        'a third journal line for a posted transfer',
        () =>
          fixture.raw(
            "insert into journal (transfer_id, side, account_id, amount, created_at) values ($1, 'credit', $2, 100, $3)",
            [posted, gbp.id, AT],
          ),
      ],
      [
        'a journal line that is not its transfer`s debit or credit',
        () =>
          fixture.raw(
            "insert into journal (transfer_id, side, account_id, amount, created_at) values ($1, 'credit', $2, 999, $3)",
            [posted, b.id, AT],
          ),
      ],
      [
        'changing a journal line',
        () => fixture.raw('update journal set amount = amount * 2 where transfer_id = $1', [posted]),
      ],
      [
        'deleting a journal line',
        () => fixture.raw("delete from journal where transfer_id = $1 and side = 'debit'", [posted]),
      ],
      ['changing a transfer', () => fixture.raw('update transfers set amount = 1 where id = $1', [posted])],
      ['deleting a transfer', () => fixture.raw('delete from transfers where id = $1', [posted])],
      [
        'a customer balance below its overdraft',
        () => fixture.raw('update accounts set balance = -1 where id = $1', [b.id]),
      ],
      [
        'a customer email without an @',
        () => fixture.raw('update customers set email = $1 where id = $2', ['ada.example.com', a.customerId]),
      ],
      ['a negative overdraft', () => fixture.raw('update accounts set overdraft_limit = -1 where id = $1', [a.id])],
      [
        'an overdraft on a system account',
        () => fixture.raw('update accounts set overdraft_limit = 5 where id = $1', [funding]),
      ],
      ['a funding account in credit', () => fixture.raw('update accounts set balance = 5 where id = $1', [funding])],
      [
        'a second funding account for one currency',
        () =>
          fixture.raw(
            "insert into accounts (id, customer_id, owner, kind, currency, balance, overdraft_limit, created_at) values ('TST-ACC-f2', null, 'funding 2', 'funding', 'EUR', 0, 0, $1)",
            [AT],
          ),
      ],
      [
        'an account of an unknown kind',
        () =>
          fixture.raw(
            "insert into accounts (id, customer_id, owner, kind, currency, balance, overdraft_limit, created_at) values ('TST-ACC-sys', null, 'sys', 'system', 'USD', 0, 0, $1)",
            [AT],
          ),
      ],
      [
        'a customer account without a customer',
        () =>
          fixture.raw(
            "insert into accounts (id, customer_id, owner, kind, currency, balance, overdraft_limit, created_at) values ('TST-ACC-orphan', null, 'x', 'customer', 'EUR', 0, 0, $1)",
            [AT],
          ),
      ],
      [
        'a deposit marked booked without its posting',
        () =>
          fixture.raw(
            "insert into deposits (id, account_id, amount, currency, status, created_at, updated_at) values ('TST-DEP-x', $1, 5, 'EUR', 'booked', $2, $3)",
            [a.id, AT, AT],
          ),
      ],
      [
        'a deposit of 0',
        () =>
          fixture.raw(
            "insert into deposits (id, account_id, amount, currency, status, created_at, updated_at) values ('TST-DEP-0', $1, 0, 'EUR', 'pending', $2, $3)",
            [a.id, AT, AT],
          ),
      ],
      [
        'a second accrual of interest for one account and day',
        async () => {
          const row =
            "insert into interest_accruals (account_id, day, rate_bps, balance, amount, carry, transfer_id, created_at) values ($1, '2026-11-30', 150, 0, 0, 0, null, $2)";
          await fixture.raw(row, [b.id, AT]);
          await fixture.raw(row, [b.id, AT]);
        },
      ],
      [
        'an interest carry of a whole minor unit or more',
        () =>
          fixture.raw(
            "insert into interest_accruals (account_id, day, rate_bps, balance, amount, carry, transfer_id, created_at) values ($1, '2026-11-29', 150, 0, 0, 3650000, null, $2)",
            [a.id, AT],
          ),
      ],
    ];

    for (const [what, statement] of refused) {
      test(`refuses ${what}`, async () => {
        const before = await fixture.raw<{ id: string; balance: string | number }>(
          'select id, balance from accounts order by id',
        );
        await assert.rejects(statement());
        const afterwards = await fixture.raw<{ id: string; balance: string | number }>(
          'select id, balance from accounts order by id',
        );
        assert.deepEqual(
          afterwards.map((row) => [row.id, String(row.balance)]),
          before.map((row) => [row.id, String(row.balance)]),
        );
      });
    }

    test('a transfer inserted straight into the database is posted by it: two lines, both balances moved', async () => {
      await insertTransfer('TST-TXN-direct', a.id, b.id, '7');
      const lines = await fixture.raw<{ amount: string | number }>(
        'select amount from journal where transfer_id = $1',
        ['TST-TXN-direct'],
      );
      assert.deepEqual(lines.map((line) => BigInt(line.amount)).sort(), [-7n, 7n]);
      assert.equal((await fixture.runtime.ledger.account(b.id)).balance, 107n);
    });

    test('after every refusal, every invariant still holds', async () => {
      const found = await ledgerInvariants(fixture.runtime.store.db);
      assert.deepEqual(
        [found.balanceSum, found.unbalancedTransfers, found.balanceMismatches, found.belowOverdraft, found.fundingGap],
        [0n, 0, 0, 0, 0n],
      );
    });
  });
}
