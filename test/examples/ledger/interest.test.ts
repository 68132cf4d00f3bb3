/**
 * Interest accrual posts once per account and day: run twice, run by two
 * instances (processes) at once. That one instance runs each night's slot
 * is envward/jobs' (test/jobs/jobs-processes.test.ts); this is what makes a
 * repeat (a slot taken over from a holder that died mid-run) harmless.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import type { AccrualResult } from '../../../examples/ledger/src/interest.ts';
import { ledgerInvariants } from '../../../examples/ledger/src/invariants.ts';
import type { Account } from '../../../examples/ledger/src/ledger.ts';
import { cleanEnv } from '../../support/run-cli.ts';
import { TSX_IMPORT } from '../../support/tsx.ts';
import { DIALECTS, type LedgerFixture, ledgerFixture } from './ledger-fixture.ts';

const CHILD = fileURLToPath(new URL('./interest-child.ts', import.meta.url));

for (const dialect of DIALECTS) {
  describe(`interest accrual on ${dialect}`, () => {
    let fixture: LedgerFixture;
    let rich: Account;
    let small: Account;
    let overdrawn: Account;

    before(async () => {
      fixture = await ledgerFixture(dialect, { seed: false });
      const { ledger, deposits } = fixture.runtime;
      const open = (owner: string) => ledger.openAccount({ owner, currency: 'EUR' });
      rich = await open('Rich');
      small = await open('Small');
      overdrawn = await open('Overdrawn');
      await deposits.deposit(rich.id, '100000', { client: 't', key: 'rich' });
      await deposits.deposit(small.id, '10000', { client: 't', key: 'small' });
      await ledger.setOverdraft(overdrawn.id, '5000', 'test');
      await ledger.transfer({ from: overdrawn.id, to: small.id, amount: '1000' }, { client: 't', key: 'od' });
    });
    after(async () => {
      await fixture?.cleanup();
    });

    /** Another instance, a process of its own (two SQLite connections in one process cannot wait on each other). */
    const instance = async (day: string): Promise<AccrualResult> => {
      const child = spawn(process.execPath, [...TSX_IMPORT, CHILD, fixture.url, day], {
        env: cleanEnv({}),
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (chunk: Buffer) => {
        stdout += chunk.toString('utf8');
      });
      child.stderr.on('data', (chunk: Buffer) => {
        stderr += chunk.toString('utf8');
      });
      const [code] = (await once(child, 'exit')) as [number | null];
      assert.equal(code, 0, stderr);
      return JSON.parse(stdout) as AccrualResult;
    };
    const balance = async (account: Account) => (await fixture.runtime.ledger.account(account.id)).balance;
    const accruals = (day: string) =>
      fixture.raw<{ account_id: string; amount: string | number; transfer_id: string | null }>(
        'select account_id, amount, transfer_id from interest_accruals where day = $1 order by account_id',
        [day],
      );

    test('a day accrued twice posts once', async () => {
      const first = await fixture.runtime.interest.accrue('2026-11-01', 150);
      const second = await fixture.runtime.interest.accrue('2026-11-01', 150);
      assert.deepEqual([first.accrued, first.posted, first.alreadyAccrued], [3, 1, 0]);
      assert.deepEqual([second.accrued, second.posted, second.alreadyAccrued], [0, 0, 3]);
      // 1,000.00 EUR at 150 bps: 4.1 cents a day, 4 paid, 0.1 carried; 110.00 EUR earns under a cent.
      assert.equal(await balance(rich), 100_004n);
      assert.equal(await balance(small), 11_000n);
      assert.equal(await balance(overdrawn), -1000n);
      assert.equal((await accruals('2026-11-01')).length, 3);
    });

    test('the remainder is carried per account: small balances earn their cents over the days', async () => {
      for (let day = 2; day <= 30; day++) {
        await fixture.runtime.interest.accrue(`2026-11-${String(day).padStart(2, '0')}`, 150);
      }
      // 110.00 EUR x 150 bps x 30 / 365 = 13.56 cents; 1,000.00 EUR earns 4.1 cents a day, compounding.
      assert.equal(await balance(small), 11_013n);
      assert.ok((await balance(rich)) - 100_000n >= 123n);
      assert.equal(await balance(overdrawn), -1000n);
    });

    test('two instances accruing one day at the same time post once per account', async () => {
      const day = '2026-12-01';
      const before = (await ledgerInvariants(fixture.runtime.store.db)).transfers;
      const results = await Promise.all([instance(day), instance(day), instance(day)]);
      assert.equal(
        results.reduce((sum, result) => sum + result.accrued, 0),
        3,
      );
      assert.equal(
        results.reduce((sum, result) => sum + result.posted, 0),
        2,
      );
      assert.equal((await accruals(day)).length, 3);
      assert.equal((await ledgerInvariants(fixture.runtime.store.db)).transfers - before, 2);
    });

    test('every invariant holds: the interest account paid exactly what was accrued', async () => {
      const found = await ledgerInvariants(fixture.runtime.store.db);
      assert.equal(found.interestGap, 0n);
      assert.equal(found.balanceSum, 0n);
      assert.equal(found.unbalancedTransfers, 0);
      assert.equal(found.belowOverdraft, 0);
    });
  });
}
