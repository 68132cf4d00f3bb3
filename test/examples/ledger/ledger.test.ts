import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { LedgerError } from '../../../examples/ledger/src/ledger.ts';
import { type LedgerRuntime, openLedger } from '../../../examples/ledger/src/open-ledger.ts';
import { createTestDatabase, type TestDatabase } from '../../support/postgres.ts';
import '../../support/temp-project.ts';

const DIALECTS = ['sqlite', 'postgres'] as const;

async function refusal(promise: Promise<unknown>): Promise<LedgerError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof LedgerError) return error;
    throw error;
  }
  assert.fail('expected a LedgerError');
}

for (const dialect of DIALECTS) {
  describe(`the ledger on ${dialect}`, () => {
    let runtime: LedgerRuntime;
    let database: TestDatabase | undefined;
    let dir: string;
    let url: string;

    before(async () => {
      dir = mkdtempSync(join(tmpdir(), 'envward-ledger-'));
      if (dialect === 'postgres') {
        database = await createTestDatabase('ledger');
        url = database.url;
      } else {
        url = `sqlite:${join(dir, 'ledger.db')}`;
      }
      runtime = await openLedger({ env: 'test', variables: { DATABASE_URL: url } });
    });
    after(async () => {
      await runtime?.close();
      await database?.drop();
      rmSync(dir, { recursive: true, force: true });
    });

    const open = (owner: string, currency = 'EUR') => runtime.ledger.openAccount({ owner, currency });
    const funded = async (owner: string, amount: number) => {
      const account = await open(owner);
      await runtime.ledger.deposit(account.id, amount);
      return account;
    };

    test('it migrates, seeds the test fixtures, and codes every id with the environment', async () => {
      assert.deepEqual(runtime.migrated, [
        '001_create_customers',
        '002_create_accounts',
        '003_create_transfers_and_journal',
        '004_create_idempotency_keys',
      ]);
      assert.deepEqual(runtime.seeded, ['test/001_fixtures']);
      const account = await open('Dana');
      assert.match(account.id, /^TST-ACC-[0-9a-f-]{36}$/);
      const deposit = await runtime.ledger.deposit(account.id, 500);
      assert.match(deposit.id, /^TST-TXN-/);
    });

    test('a transfer moves money and posts a balanced pair of journal lines', async () => {
      const a = await funded('Erin', 10_000);
      const b = await open('Frank');
      const { transfer, replayed } = await runtime.ledger.transfer(
        { from: a.id, to: b.id, amount: 2_500 },
        `k-${a.id}`,
      );
      assert.equal(replayed, false);
      assert.equal(transfer.amount, 2_500);
      assert.equal((await runtime.ledger.account(a.id)).balance, 7_500);
      assert.equal((await runtime.ledger.account(b.id)).balance, 2_500);
      const lines = await runtime.store.db
        .selectFrom('journal')
        .select('amount')
        .where('transfer_id', '=', transfer.id)
        .execute();
      assert.deepEqual(
        lines.map((line) => Number(line.amount)).sort((x, y) => x - y),
        [-2_500, 2_500],
      );
    });

    test('a transfer above the environment limit is refused with 422 naming the limit, and posts nothing', async () => {
      const a = await funded('Gina', 100_000);
      const b = await open('Hal');
      const error = await refusal(runtime.ledger.transfer({ from: a.id, to: b.id, amount: 100_001 }, `limit-${a.id}`));
      assert.equal(error.code, 'LEDGER_LIMIT_EXCEEDED');
      assert.equal(error.status, 422);
      assert.match(error.message, /transfer limit of 100000/);
      assert.equal((await runtime.ledger.account(b.id)).balance, 0);
    });

    test('a retried transfer with the same Idempotency-Key posts once and returns the first transfer', async () => {
      const a = await funded('Ivy', 10_000);
      const b = await open('Jon');
      const key = `retry-${a.id}`;
      const first = await runtime.ledger.transfer({ from: a.id, to: b.id, amount: 1_000 }, key);
      const again = await Promise.all(
        Array.from({ length: 5 }, () => runtime.ledger.transfer({ from: a.id, to: b.id, amount: 1_000 }, key)),
      );
      for (const retry of again) {
        assert.equal(retry.replayed, true);
        assert.equal(retry.transfer.id, first.transfer.id);
      }
      assert.equal((await runtime.ledger.account(b.id)).balance, 1_000);
    });

    test('concurrent first attempts with one key post exactly once', async () => {
      const a = await funded('Kim', 10_000);
      const b = await open('Lee');
      const key = `race-${a.id}`;
      const results = await Promise.all(
        Array.from({ length: 8 }, () => runtime.ledger.transfer({ from: a.id, to: b.id, amount: 700 }, key)),
      );
      assert.equal(results.filter((result) => !result.replayed).length, 1);
      assert.equal(new Set(results.map((result) => result.transfer.id)).size, 1);
      assert.equal((await runtime.ledger.account(b.id)).balance, 700);
    });

    test('the same key for a different transfer is refused', async () => {
      const a = await funded('Max', 10_000);
      const b = await open('Ned');
      await runtime.ledger.transfer({ from: a.id, to: b.id, amount: 100 }, `reuse-${a.id}`);
      const error = await refusal(runtime.ledger.transfer({ from: a.id, to: b.id, amount: 200 }, `reuse-${a.id}`));
      assert.equal(error.code, 'LEDGER_IDEMPOTENCY_MISMATCH');
    });

    test('a balance never goes below zero without an overdraft, and a failed transfer keeps its key free', async () => {
      const a = await funded('Olga', 1_000);
      const b = await open('Pat');
      const error = await refusal(runtime.ledger.transfer({ from: a.id, to: b.id, amount: 1_001 }, `nsf-${a.id}`));
      assert.equal(error.code, 'LEDGER_INSUFFICIENT_FUNDS');
      assert.equal((await runtime.ledger.account(a.id)).balance, 1_000);
      await runtime.ledger.deposit(a.id, 1);
      const retried = await runtime.ledger.transfer({ from: a.id, to: b.id, amount: 1_001 }, `nsf-${a.id}`);
      assert.equal(retried.replayed, false);
      assert.equal((await runtime.ledger.account(a.id)).balance, 0);
    });

    test('an account with an overdraft may go below zero down to its limit', async () => {
      const a = await runtime.ledger.openAccount({ owner: 'Quinn', currency: 'EUR', overdraftLimit: 500 });
      const b = await open('Rae');
      await runtime.ledger.transfer({ from: a.id, to: b.id, amount: 500 }, `od-${a.id}`);
      assert.equal((await runtime.ledger.account(a.id)).balance, -500);
      const error = await refusal(runtime.ledger.transfer({ from: a.id, to: b.id, amount: 1 }, `od2-${a.id}`));
      assert.equal(error.code, 'LEDGER_INSUFFICIENT_FUNDS');
    });

    test('accounts of different currencies cannot transfer to each other', async () => {
      const a = await funded('Sam', 1_000);
      const b = await open('Tia', 'GBP');
      const error = await refusal(runtime.ledger.transfer({ from: a.id, to: b.id, amount: 10 }, `fx-${a.id}`));
      assert.equal(error.code, 'LEDGER_CURRENCY_MISMATCH');
    });

    test('opposite concurrent transfers neither deadlock nor lose money', async () => {
      const a = await funded('Uma', 50_000);
      const b = await funded('Vic', 50_000);
      await Promise.all(
        Array.from({ length: 40 }, (_, i) =>
          runtime.ledger.transfer(
            i % 2 === 0 ? { from: a.id, to: b.id, amount: 100 + i } : { from: b.id, to: a.id, amount: 100 + i },
            `opp-${a.id}-${i}`,
          ),
        ),
      );
      const total = (await runtime.ledger.account(a.id)).balance + (await runtime.ledger.account(b.id)).balance;
      assert.equal(total, 100_000);
    });

    test('every invariant holds over the whole store: balances sum to zero, entries balance, balances match the journal', async () => {
      const audit = await runtime.ledger.audit();
      assert.equal(audit.balanceSum, 0);
      assert.equal(audit.unbalancedTransfers, 0);
      assert.equal(audit.balanceMismatches, 0);
      assert.ok(audit.transfers > 10);
    });
  });
}
