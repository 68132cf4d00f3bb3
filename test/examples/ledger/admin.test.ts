/**
 * The privileged path for an overdraft: `npm run ledger:admin`, with a
 * reason, audited; never the public API.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import type { Account } from '../../../examples/ledger/src/ledger.ts';
import { cleanEnv } from '../../support/run-cli.ts';
import { TSX_IMPORT } from '../../support/tsx.ts';
import { type LedgerFixture, ledgerFixture } from './ledger-fixture.ts';

const ADMIN = fileURLToPath(new URL('../../../examples/ledger/src/admin.ts', import.meta.url));

let fixture: LedgerFixture;
let account: Account;

before(async () => {
  fixture = await ledgerFixture('sqlite', { seed: false });
  account = await fixture.runtime.ledger.openAccount({ owner: 'Ada', currency: 'EUR' });
});
after(async () => {
  await fixture?.cleanup();
});

const admin = (...args: string[]) =>
  spawnSync(process.execPath, [...TSX_IMPORT, ADMIN, ...args, '--env', 'test'], {
    env: cleanEnv({ DATABASE_URL: fixture.url }),
    encoding: 'utf8',
  });

test('set-overdraft changes the limit with a reason and records it in the audit log', async () => {
  const done = admin('set-overdraft', account.id, '25000', '--reason', 'credit review CR-9');
  assert.equal(done.status, 0, done.stderr);
  assert.match(done.stdout, /set to 250\.00 EUR in test \(audited: ledger\.overdraft\)/);
  assert.equal((await fixture.runtime.ledger.account(account.id)).overdraftLimit, 25_000n);
  const [event] = await fixture.runtime.store.audit.list({ action: 'ledger.overdraft' });
  assert.equal(event?.reason, 'credit review CR-9');
  assert.equal(event?.target, `${account.id} -> 25000`);
});

test('without a reason, or with an inexact amount, nothing changes', async () => {
  const noReason = admin('set-overdraft', account.id, '1');
  assert.equal(noReason.status, 2);
  const inexact = admin('set-overdraft', account.id, '10.5', '--reason', 'x');
  assert.equal(inexact.status, 1);
  assert.match(inexact.stderr, /error\[LEDGER_BAD_AMOUNT\]/);
  assert.equal((await fixture.runtime.ledger.account(account.id)).overdraftLimit, 25_000n);
});

test('on a database that does not exist, nothing is created: EW_DB_MISSING', () => {
  const missing = join(mkdtempSync(join(tmpdir(), 'envward-ledger-admin-')), 'none.db');
  for (const args of [['invariants'], ['set-overdraft', account.id, '1', '--reason', 'x']]) {
    const result = spawnSync(process.execPath, [...TSX_IMPORT, ADMIN, ...args, '--env', 'test'], {
      env: cleanEnv({ DATABASE_URL: `sqlite:${missing}` }),
      encoding: 'utf8',
    });
    assert.equal(result.status, 1, result.stderr);
    assert.match(result.stderr, /error\[EW_DB_MISSING\]/);
    assert.equal(existsSync(missing), false);
  }
  rmSync(dirname(missing), { recursive: true, force: true });
});

test('invariants prints each one and exits 0 when all hold', () => {
  const result = admin('invariants');
  assert.equal(result.status, 0, result.stderr);
  assert.match(result.stdout, /^balanceSum +0$/m);
  assert.match(result.stdout, /^fundingGap +0$/m);
});

test('load-sample adds funded customers with emails, backed by the journal, audited; without --reason nothing', async () => {
  const refused = admin('load-sample', '--customers', '30');
  assert.equal(refused.status, 2);
  const hostile = admin('load-sample', '--customers', '1e9', '--reason', 'x');
  assert.equal(hostile.status, 2);
  const before = await fixture.raw<{ n: number }>('select count(*) as n from customers');
  const done = admin('load-sample', '--customers', '30', '--reason', 'a sample to refresh');
  assert.equal(done.status, 0, done.stderr);
  assert.match(done.stdout, /loaded 30 sample customers into test, deposited .*EUR/);
  const rows = await fixture.raw<{ name: string; email: string }>(
    "select name, email from customers where email like '%@example.com'",
  );
  assert.equal(rows.length, 30);
  assert.equal(
    Number((await fixture.raw<{ n: number }>('select count(*) as n from customers'))[0]?.n),
    Number(before[0]?.n) + 30,
  );
  // Three-part names, which faker's fullName (the refresh's fake) never makes.
  for (const row of rows) assert.equal(row.name.split(' ').length, 3, row.name);
  const check = admin('invariants');
  assert.equal(check.status, 0, check.stdout);
  const [event] = await fixture.runtime.store.audit.list({ action: 'ledger.load-sample' });
  assert.equal(event?.reason, 'a sample to refresh');
});
