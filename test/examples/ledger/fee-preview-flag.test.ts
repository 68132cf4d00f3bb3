/**
 * The ledger's one feature flag, `newFeeRule`: off in the test environment,
 * turned on by a runtime revision (what `envward config set` writes) while
 * the app runs, after which a transfer's reply carries `Fee-Preview` (0.1 %
 * rounded up, in minor units) for the clients it targets. A preview only:
 * the sender is debited exactly the amount either way.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { buildLedgerApp } from '../../../examples/ledger/src/app.ts';
import { feePreview } from '../../../examples/ledger/src/fee-preview.ts';
import { LEDGER_ROOT } from '../../../examples/ledger/src/open-ledger.ts';
import { setConfig } from '../../../src/runtime/index.ts';
import { type LedgerFixture, ledgerFixture } from './ledger-fixture.ts';
import { testTierBearer } from './ledger-token.ts';

let fixture: LedgerFixture;
let app: FastifyInstance;
let from: string;
let to: string;
let transfers = 0;

before(async () => {
  fixture = await ledgerFixture('sqlite', { seed: false });
  app = await buildLedgerApp(fixture.runtime);
  from = (await fixture.runtime.ledger.openAccount({ owner: 'Ada', currency: 'EUR' })).id;
  to = (await fixture.runtime.ledger.openAccount({ owner: 'Bob', currency: 'EUR' })).id;
  await fixture.runtime.deposits.deposit(from, '100000', { client: 'setup', key: 'setup' });
});
after(async () => {
  await app?.close();
  await fixture?.cleanup();
});

async function transfer(amount: string, client: string) {
  transfers += 1;
  const before = (await fixture.runtime.ledger.account(from)).balance;
  const reply = await app.inject({
    method: 'POST',
    url: '/v1/transfers',
    headers: { 'idempotency-key': `fee-${transfers}`, 'client-id': client, authorization: await testTierBearer() },
    payload: { from, to, amount },
  });
  assert.equal(reply.statusCode, 201, reply.body);
  const after = (await fixture.runtime.ledger.account(from)).balance;
  assert.equal(before - after, BigInt(amount), 'the sender is debited exactly the amount');
  return reply.headers['fee-preview'];
}

test('the fee rounds up to whole minor units, exactly', () => {
  assert.deepEqual([1n, 999n, 1000n, 1001n, 2500n, 10n ** 18n].map(feePreview), [1n, 1n, 1n, 2n, 3n, 10n ** 15n]);
});

test('newFeeRule is off in test; a runtime revision turns it on for the clients it targets, in the running app', async () => {
  assert.equal(await transfer('2500', 'pilot-client'), undefined);
  const target = { cwd: LEDGER_ROOT, env: 'test', variables: { DATABASE_URL: fixture.url }, reason: 'fee pilot' };
  await setConfig({ ...target, set: { 'flags.newFeeRule.targeting': '[{"value":true,"users":["pilot-client"]}]' } });
  await fixture.runtime.live?.refresh();
  assert.equal(await transfer('2500', 'pilot-client'), '3');
  assert.equal(await transfer('2500', 'another-client'), undefined);
  await setConfig({ ...target, set: { 'flags.newFeeRule.value': 'true' } });
  await fixture.runtime.live?.refresh();
  assert.equal(await transfer('1001', 'another-client'), '2');
  const metrics = await app.inject({ method: 'GET', url: '/metrics' });
  assert.match(metrics.body, /envward_flag_evaluations_total\{flag="newFeeRule",variant="on",reason="TARGETING_MATCH"/);
});
