/**
 * Deposits collect once and book once: retried with the same key, raced,
 * refused or unavailable at the provider, and with the process killed
 * before and after the provider collected.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { type Deposits, deposits } from '../../../examples/ledger/src/deposits.ts';
import { ledgerInvariants } from '../../../examples/ledger/src/invariants.ts';
import { type Account, LedgerError } from '../../../examples/ledger/src/ledger.ts';
import type { PaymentGateway } from '../../../examples/ledger/src/payment-gateway.ts';
import { cleanEnv } from '../../support/run-cli.ts';
import { TSX_IMPORT } from '../../support/tsx.ts';
import { type FileProviderOptions, fileProvider, readProvider } from './file-provider.ts';
import { DIALECTS, type LedgerFixture, ledgerFixture } from './ledger-fixture.ts';

const CHILD = fileURLToPath(new URL('./deposit-crash-child.ts', import.meta.url));

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
  describe(`deposits on ${dialect}`, () => {
    let fixture: LedgerFixture;
    let dir: string;
    let providers = 0;

    before(async () => {
      fixture = await ledgerFixture(dialect, { seed: false });
      dir = mkdtempSync(join(tmpdir(), 'envward-ledger-provider-'));
    });
    after(async () => {
      await fixture?.cleanup();
      rmSync(dir, { recursive: true, force: true });
    });

    /** A fresh provider file and the deposits of the ledger through it. */
    const through = (
      options: FileProviderOptions = {},
    ): { file: string; deposits: Deposits; gateway: PaymentGateway } => {
      const file = join(dir, `provider-${++providers}.json`);
      const gateway = fileProvider(file, options);
      const { store, ledger } = fixture.runtime;
      return {
        file,
        gateway,
        deposits: deposits(store.db, ledger, gateway, { nextId: (kind) => store.ids.next(kind) }),
      };
    };
    const open = (owner: string): Promise<Account> => fixture.runtime.ledger.openAccount({ owner, currency: 'EUR' });
    const balance = async (account: Account) => (await fixture.runtime.ledger.account(account.id)).balance;

    test('a deposit retried with the same key collects once and answers the first deposit', async () => {
      const { file, deposits: money } = through();
      const a = await open('Ada');
      const first = await money.deposit(a.id, '5000', { client: 'c', key: 'same' });
      const again = await money.deposit(a.id, '5000', { client: 'c', key: 'same' });
      assert.equal(first.replayed, false);
      assert.equal(again.replayed, true);
      assert.equal(again.deposit.id, first.deposit.id);
      assert.equal(again.deposit.gatewayReference, first.deposit.gatewayReference);
      assert.equal(first.deposit.status, 'booked');
      assert.equal(await balance(a), 5000n);
      assert.deepEqual(Object.keys(readProvider(file).collections), [first.deposit.id]);
      const other = await refusal(money.deposit(a.id, '5001', { client: 'c', key: 'same' }));
      assert.equal(other.code, 'LEDGER_IDEMPOTENCY_MISMATCH');
    });

    test('eight concurrent first tries with one key book once, every one asking the provider with the same key', async () => {
      const { file, deposits: money } = through();
      const a = await open('Bea');
      const results = await Promise.all(
        Array.from({ length: 8 }, () => money.deposit(a.id, '700', { client: 'c', key: 'race' })),
      );
      assert.equal(new Set(results.map((result) => result.deposit.id)).size, 1);
      assert.equal(results.filter((result) => !result.replayed).length, 1);
      assert.equal(await balance(a), 700n);
      assert.equal(Object.keys(readProvider(file).collections).length, 1);
    });

    test('an unavailable provider leaves the deposit pending; the recovery sweep books it once when it is back', async () => {
      let answer: 'collect' | 'unavailable' = 'unavailable';
      const { file, deposits: money } = through({ answer: () => answer });
      const a = await open('Cid');
      const error = await refusal(money.deposit(a.id, '900', { client: 'c', key: 'later' }));
      assert.equal(error.code, 'LEDGER_GATEWAY_UNAVAILABLE');
      assert.equal(error.status, 503);
      assert.equal(await balance(a), 0n);
      assert.deepEqual(await money.completePending(0), { booked: 0, pending: 1 });
      answer = 'collect';
      assert.deepEqual(await money.completePending(0), { booked: 1, pending: 0 });
      assert.deepEqual(await money.completePending(0), { booked: 0, pending: 0 });
      assert.equal(await balance(a), 900n);
      const replay = await money.deposit(a.id, '900', { client: 'c', key: 'later' });
      assert.equal(replay.replayed, true);
      assert.equal(replay.deposit.status, 'booked');
      assert.equal(await balance(a), 900n);
      assert.equal(Object.keys(readProvider(file).collections).length, 1);
    });

    test('a refusal by the provider fails the deposit for good: the key replays the refusal, nothing is booked', async () => {
      const { deposits: money } = through({ answer: () => 'refused' });
      const a = await open('Dot');
      assert.equal(
        (await refusal(money.deposit(a.id, '900', { client: 'c', key: 'no' }))).code,
        'LEDGER_GATEWAY_REFUSED',
      );
      assert.equal(
        (await refusal(money.deposit(a.id, '900', { client: 'c', key: 'no' }))).code,
        'LEDGER_GATEWAY_REFUSED',
      );
      assert.deepEqual(await money.completePending(0), { booked: 0, pending: 0 });
      assert.equal(await balance(a), 0n);
    });

    test('a deposit into a system account, above the limit, or of an inexact amount is refused before the provider is asked', async () => {
      const { file, deposits: money } = through();
      const a = await open('Eve');
      await money.deposit(a.id, '1', { client: 'c', key: 'seed-funding' });
      const [funding] = await fixture.raw<{ id: string }>("select id from accounts where kind = 'funding'");
      const calls = readProvider(file).calls;
      for (const [account, amount, code] of [
        [funding?.id ?? '', '5', 'LEDGER_SYSTEM_ACCOUNT'],
        [a.id, '100001', 'LEDGER_LIMIT_EXCEEDED'],
        [a.id, '1.5', 'LEDGER_BAD_AMOUNT'],
        [a.id, '0', 'LEDGER_BAD_AMOUNT'],
        ['TST-ACC-missing', '5', 'LEDGER_NOT_FOUND'],
      ] as const) {
        const error = await refusal(money.deposit(account, amount, { client: 'c', key: `bad-${account}-${amount}` }));
        assert.equal(error.code, code, `${account} ${amount}`);
      }
      assert.equal(readProvider(file).calls, calls);
    });

    for (const where of ['before-collect', 'after-collect'] as const) {
      test(`killed with SIGKILL ${where.replace('-', ' the provider ')}ed, the deposit is completed once, with the same provider key`, async () => {
        const a = await open(`Kill ${where}`);
        const { file, deposits: money } = through();
        const child = spawn(
          process.execPath,
          [...TSX_IMPORT, CHILD, fixture.url, a.id, `crash-${where}`, file, where],
          {
            env: cleanEnv({}),
            stdio: ['ignore', 'ignore', 'pipe'],
          },
        );
        let stderr = '';
        child.stderr.on('data', (chunk: Buffer) => {
          stderr += chunk.toString('utf8');
        });
        const [code, signal] = (await once(child, 'exit')) as [number | null, NodeJS.Signals | null];
        assert.equal(signal, 'SIGKILL', `exit ${code}: ${stderr}`);
        const [row] = await fixture.raw<{ id: string; status: string }>(
          'select id, status from deposits where account_id = $1',
          [a.id],
        );
        assert.equal(row?.status, 'pending');
        assert.equal(await balance(a), 0n);
        assert.equal(Object.keys(readProvider(file).collections).length, where === 'after-collect' ? 1 : 0);

        assert.deepEqual(await money.completePending(0), { booked: 1, pending: 0 });
        assert.equal(await balance(a), 4200n);
        const provider = readProvider(file);
        assert.deepEqual(Object.keys(provider.collections), [row?.id]);
        // The client's retry after the crash answers the booked deposit.
        const retry = await money.deposit(a.id, '4200', { client: 'crash', key: `crash-${where}` });
        assert.equal(retry.replayed, true);
        assert.equal(retry.deposit.gatewayReference, provider.collections[row?.id ?? '']?.reference);
        assert.equal(await balance(a), 4200n);
      });
    }

    test('every invariant holds: money entered only through booked deposits', async () => {
      const found = await ledgerInvariants(fixture.runtime.store.db);
      assert.equal(found.fundingGap, 0n);
      assert.equal(found.balanceSum, 0n);
      assert.equal(found.unbalancedTransfers, 0);
    });
  });
}
