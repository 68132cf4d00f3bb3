import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { ledgerInvariants } from '../../../examples/ledger/src/invariants.ts';
import { type Account, LedgerError } from '../../../examples/ledger/src/ledger.ts';
import { DIALECTS, type LedgerFixture, ledgerFixture } from './ledger-fixture.ts';

async function refusal(promise: Promise<unknown>): Promise<LedgerError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof LedgerError) return error;
    throw error;
  }
  assert.fail('expected a LedgerError');
}

const scope = (key: string, client = 'tests') => ({ client, key });

for (const dialect of DIALECTS) {
  describe(`the ledger on ${dialect}`, () => {
    let fixture: LedgerFixture;
    let keys = 0;
    const nextKey = () => `k-${++keys}`;

    before(async () => {
      fixture = await ledgerFixture(dialect);
    });
    after(async () => {
      await fixture?.cleanup();
    });

    const ledger = () => fixture.runtime.ledger;
    const open = (owner: string, currency = 'EUR') => ledger().openAccount({ owner, currency });
    const balance = async (account: Account) => (await ledger().account(account.id)).balance;
    const funded = async (owner: string, amount: string, currency = 'EUR') => {
      const account = await open(owner, currency);
      await fixture.runtime.deposits.deposit(account.id, amount, scope(nextKey()));
      return account;
    };
    const transfer = (from: Account, to: Account, amount: string, key = nextKey(), client = 'tests') =>
      ledger().transfer({ from: from.id, to: to.id, amount }, scope(key, client));

    test('it migrates, seeds the test fixtures, and codes every id with the environment', async () => {
      assert.deepEqual(fixture.runtime.migrated, [
        '001_create_customers',
        '002_create_accounts',
        '003_create_transfers_and_journal',
        '004_post_in_database',
        '005_create_idempotency_records',
        '006_create_deposits',
        '007_create_interest_accruals',
        '008_add_customer_email',
      ]);
      assert.deepEqual(fixture.runtime.seeded, ['test/001_fixtures']);
      const account = await open('Dana');
      assert.match(account.id, /^TST-ACC-[0-9a-f-]{36}$/);
      const { deposit } = await fixture.runtime.deposits.deposit(account.id, '500', scope(nextKey()));
      assert.match(deposit.id, /^TST-DEP-/);
      assert.match(deposit.transfer?.id ?? '', /^TST-TXN-/);
    });

    test('a transfer moves money, and the database posts a balanced pair of journal lines', async () => {
      const a = await funded('Erin', '10000');
      const b = await open('Frank');
      const { transfer: made, replayed } = await transfer(a, b, '2500');
      assert.equal(replayed, false);
      assert.equal(made.amount, 2500n);
      assert.equal(await balance(a), 7500n);
      assert.equal(await balance(b), 2500n);
      const lines = await fixture.raw<{ side: string; account_id: string; amount: string | number }>(
        'select side, account_id, amount from journal where transfer_id = $1 order by side',
        [made.id],
      );
      assert.deepEqual(
        lines.map((line) => [line.side, line.account_id, BigInt(line.amount)]),
        [
          ['credit', b.id, 2500n],
          ['debit', a.id, -2500n],
        ],
      );
    });

    test('amounts are parsed exactly: only a string of digits in minor units, never a number, a fraction or an exponent', async () => {
      const a = await funded('Gus', '1000');
      const b = await open('Hana');
      for (const amount of [
        '99999.99999999999999999',
        '10.5',
        '1e3',
        '-5',
        '0',
        '00',
        '+5',
        ' 5',
        '5 ',
        '０５',
        '9223372036854775808',
        '',
        2500,
        2500n,
        null,
        undefined,
        ['5'],
      ]) {
        const error = await refusal(ledger().transfer({ from: a.id, to: b.id, amount }, scope(nextKey())));
        assert.equal(error.code, 'LEDGER_BAD_AMOUNT', `amount ${String(amount)}`);
      }
      assert.equal(await balance(a), 1000n);
    });

    test('a transfer above the limit is refused in the currency`s own minor units, and posts nothing', async () => {
      const a = await funded('Gina', '100000');
      const b = await open('Hal');
      const error = await refusal(transfer(a, b, '100001'));
      assert.equal(error.code, 'LEDGER_LIMIT_EXCEEDED');
      assert.equal(error.status, 422);
      assert.match(error.message, /1,000\.01 EUR is above test's limit of 1,000\.00 EUR/);
      assert.equal(error.details.limit, '100000');
      assert.equal(await balance(b), 0n);
    });

    test('a system account is never a transfer`s source or target, whatever its balance', async () => {
      const a = await funded('Ines', '5000');
      const [funding] = await fixture.raw<{ id: string }>(
        "select id from accounts where kind = 'funding' and currency = 'EUR'",
      );
      assert.ok(funding);
      const system = await ledger().account(funding.id);
      for (const [from, to] of [
        [system, a],
        [a, system],
      ] as const) {
        const error = await refusal(transfer(from, to, '1'));
        assert.equal(error.code, 'LEDGER_SYSTEM_ACCOUNT');
        assert.equal(error.status, 403);
      }
      assert.equal(await balance(a), 5000n);
      assert.equal((await ledgerInvariants(fixture.runtime.store.db)).fundingGap, 0n);
    });

    test('a retried transfer with the same key posts once and returns the first transfer; concurrent first tries too', async () => {
      const a = await funded('Ivy', '10000');
      const b = await open('Jon');
      const key = nextKey();
      const results = await Promise.all(Array.from({ length: 8 }, () => transfer(a, b, '700', key)));
      assert.equal(results.filter((result) => !result.replayed).length, 1);
      assert.equal(new Set(results.map((result) => result.transfer.id)).size, 1);
      const again = await transfer(a, b, '700', key);
      assert.equal(again.replayed, true);
      assert.equal(await balance(b), 700n);
    });

    test('idempotency keys are scoped to the client: two clients using one key make two transfers', async () => {
      const a = await funded('Kim', '10000');
      const b = await open('Lee');
      const first = await transfer(a, b, '100', 'shared-key', 'client-one');
      const second = await transfer(a, b, '100', 'shared-key', 'client-two');
      assert.equal(second.replayed, false);
      assert.notEqual(first.transfer.id, second.transfer.id);
      assert.equal(await balance(b), 200n);
    });

    test('the same key for a different request is refused; an expired key starts a new transfer', async () => {
      const a = await funded('Max', '10000');
      const b = await open('Ned');
      const key = nextKey();
      const first = await transfer(a, b, '100', key);
      const error = await refusal(transfer(a, b, '200', key));
      assert.equal(error.code, 'LEDGER_IDEMPOTENCY_MISMATCH');
      await fixture.raw('update idempotency_records set expires_at = $1 where key = $2', [
        '2000-01-01T00:00:00.000Z',
        key,
      ]);
      const later = await transfer(a, b, '200', key);
      assert.equal(later.replayed, false);
      assert.notEqual(later.transfer.id, first.transfer.id);
      assert.equal(await balance(b), 300n);
      assert.equal(await ledger().keys.purge(fixture.runtime.store.db), 0);
    });

    test('a balance never goes below its overdraft, and a refused transfer keeps its key free', async () => {
      const a = await funded('Olga', '1000');
      const b = await open('Pat');
      const key = nextKey();
      const error = await refusal(transfer(a, b, '1001', key));
      assert.equal(error.code, 'LEDGER_INSUFFICIENT_FUNDS');
      assert.equal(await balance(a), 1000n);
      await fixture.runtime.deposits.deposit(a.id, '1', scope(nextKey()));
      const retried = await transfer(a, b, '1001', key);
      assert.equal(retried.replayed, false);
      assert.equal(await balance(a), 0n);
    });

    test('the overdraft is set only by the privileged path: audited with its reason, refused below the balance', async () => {
      const a = await open('Quinn');
      const b = await open('Rae');
      assert.equal(a.overdraftLimit, 0n);
      const changed = await ledger().setOverdraft(a.id, '500', 'credit review CR-7');
      assert.equal(changed.overdraftLimit, 500n);
      await transfer(a, b, '500');
      assert.equal(await balance(a), -500n);
      assert.equal((await refusal(transfer(a, b, '1'))).code, 'LEDGER_INSUFFICIENT_FUNDS');
      const inUse = await refusal(ledger().setOverdraft(a.id, '100', 'lower it'));
      assert.equal(inUse.code, 'LEDGER_OVERDRAFT_IN_USE');
      assert.equal((await ledger().account(a.id)).overdraftLimit, 500n);
      const events = await fixture.runtime.store.audit.list({ action: 'ledger.overdraft' });
      assert.deepEqual(
        events.map((event) => [event.target, event.reason, event.outcome]),
        [
          [`${a.id} -> 500`, 'credit review CR-7', 'allowed'],
          [`${a.id} -> 100`, 'lower it', 'allowed'],
          [`${a.id} -> 100`, 'lower it', 'failed'],
        ],
      );
      const [funding] = await fixture.raw<{ id: string }>("select id from accounts where kind = 'funding'");
      assert.equal((await refusal(ledger().setOverdraft(funding?.id ?? '', '1', 'why'))).code, 'LEDGER_SYSTEM_ACCOUNT');
    });

    test('accounts of different currencies cannot transfer to each other', async () => {
      const a = await funded('Sam', '1000');
      const b = await open('Tia', 'GBP');
      assert.equal((await refusal(transfer(a, b, '10'))).code, 'LEDGER_CURRENCY_MISMATCH');
    });

    test('money stays bigint end to end: a balance above 2^53 reads back exactly', async () => {
      const a = await open('Una');
      const [funding] = await fixture.raw<{ id: string }>(
        "select id from accounts where kind = 'funding' and currency = 'EUR'",
      );
      const huge = 2n ** 60n + 1n;
      // Around the ledger (its limit would refuse it): the database posts it as any transfer.
      await fixture.raw(
        "insert into transfers (id, from_account, to_account, amount, currency, kind, created_at) values ($1, $2, $3, $4, 'EUR', 'deposit', $5)",
        ['TST-TXN-huge', funding?.id, a.id, huge.toString(), new Date().toISOString()],
      );
      await fixture.raw(
        "insert into deposits (id, account_id, amount, currency, status, gateway_reference, transfer_id, created_at, updated_at) values ('TST-DEP-huge', $1, $2, 'EUR', 'booked', 'test', 'TST-TXN-huge', $3, $4)",
        [a.id, huge.toString(), new Date().toISOString(), new Date().toISOString()],
      );
      assert.equal(await balance(a), huge);
      assert.equal((await ledger().transferById('TST-TXN-huge')).amount, huge);
    });

    test('a posting the code let through and the database refuses is LEDGER_REFUSED_BY_DATABASE, naming the rule', async () => {
      const a = await open('Wes');
      const [funding] = await fixture.raw<{ id: string }>(
        "select id from accounts where kind = 'funding' and currency = 'EUR'",
      );
      // As a bug would: a customer transfer out of the funding account, past every check in the code.
      const error = await refusal(
        fixture.runtime.store.db.transaction().execute((trx) =>
          ledger().post(trx, {
            id: 'TST-TXN-bug',
            from: funding?.id ?? '',
            to: a.id,
            amount: 5n,
            currency: 'EUR',
            kind: 'transfer',
            createdAt: new Date().toISOString(),
          }),
        ),
      );
      assert.equal(error.code, 'LEDGER_REFUSED_BY_DATABASE');
      assert.equal(error.status, 409);
      assert.match(error.message, /a transfer moves money|transfer TST-TXN-bug/);
      assert.equal(await balance(a), 0n);
    });

    test('expired keys are forgotten by the purge, live ones kept', async () => {
      const a = await funded('Xia', '1000');
      const b = await open('Yan');
      await transfer(a, b, '1', 'old-key');
      await transfer(a, b, '1', 'live-key');
      await fixture.raw("update idempotency_records set expires_at = '2000-01-01T00:00:00.000Z' where key = 'old-key'");
      assert.equal(await ledger().keys.purge(fixture.runtime.store.db), 1);
      const left = await fixture.raw<{ key: string }>(
        "select key from idempotency_records where key in ('old-key', 'live-key')",
      );
      assert.deepEqual(
        left.map((row) => row.key),
        ['live-key'],
      );
    });

    test('opposite concurrent transfers neither deadlock nor lose money', async () => {
      const a = await funded('Uma', '50000');
      const b = await funded('Vic', '50000');
      await Promise.all(
        Array.from({ length: 40 }, (_, i) =>
          i % 2 === 0 ? transfer(a, b, `${100 + i}`) : transfer(b, a, `${100 + i}`),
        ),
      );
      assert.equal((await balance(a)) + (await balance(b)), 100_000n);
    });

    test('every invariant holds over the whole store', async () => {
      const found = await ledgerInvariants(fixture.runtime.store.db);
      assert.equal(found.balanceSum, 0n);
      assert.equal(found.unbalancedTransfers, 0);
      assert.equal(found.balanceMismatches, 0);
      assert.equal(found.belowOverdraft, 0);
      assert.equal(found.fundingGap, 0n);
      assert.equal(found.interestGap, 0n);
      assert.ok(found.transfers > 10);
    });
  });
}
