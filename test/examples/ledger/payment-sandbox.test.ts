/**
 * The test payment provider (test/support/payment-sandbox.ts) behaves as the
 * ledger's gateway expects a provider to: the tests that start the ledger
 * against it are only as good as it is.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { type PaymentSandbox, startPaymentSandbox } from '../../support/payment-sandbox.ts';

const API_KEY = 'sk_sandbox_test_key';
let sandbox: PaymentSandbox;

before(async () => {
  sandbox = await startPaymentSandbox({ apiKey: API_KEY });
});
after(() => sandbox.close());

function collect(key: string | undefined, body: unknown, authorization: string | null = `Bearer ${API_KEY}`) {
  return fetch(`${sandbox.url}/v1/collections`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      ...(key !== undefined ? { 'idempotency-key': key } : {}),
      ...(authorization !== null ? { authorization } : {}),
    },
    body: JSON.stringify(body),
  });
}

const BODY = { account: 'STG-ACC-1', amount: '2500', currency: 'EUR' };

test('it collects once per key, answers the same reference again, and refuses the key with another body', async () => {
  const first = await collect('dep-1', BODY);
  assert.equal(first.status, 201);
  const { reference } = (await first.json()) as { reference: string };
  assert.match(reference, /^SBX-[0-9a-f]{16}$/);
  const again = await collect('dep-1', BODY);
  assert.equal(again.status, 201);
  assert.deepEqual(await again.json(), { reference });
  const other = await collect('dep-1', { ...BODY, amount: '2501' });
  assert.equal(other.status, 422);
  assert.equal(sandbox.collections.size, 1);
  assert.equal(sandbox.collections.get('dep-1')?.reference, reference);
});

test('it wants the bearer key, an Idempotency-Key and a well-formed body', async () => {
  assert.equal((await collect('dep-2', BODY, null)).status, 401);
  assert.equal((await collect('dep-2', BODY, 'Bearer wrong')).status, 401);
  assert.equal((await collect(undefined, BODY)).status, 400);
  assert.equal((await collect('dep-2', { ...BODY, amount: 2500 })).status, 400);
  assert.equal(sandbox.collections.has('dep-2'), false);
  const unauthorized = sandbox.calls.filter((call) => call.outcome === 401);
  assert.deepEqual(
    unauthorized.map((call) => call.authorized),
    [false, true],
  );
});

test('injected failures come first, for as many requests as asked, and collect nothing', async () => {
  sandbox.failNext(2, 503);
  assert.equal((await collect('dep-3', BODY)).status, 503);
  assert.equal((await collect('dep-3', BODY)).status, 503);
  sandbox.refuseNext(1);
  assert.equal((await collect('dep-3', BODY)).status, 402);
  assert.equal(sandbox.collections.has('dep-3'), false);
  assert.equal((await collect('dep-3', BODY)).status, 201);
});

test('a dropped request gets no answer; with afterCollect the money is taken all the same', async () => {
  sandbox.dropNext(1);
  await assert.rejects(collect('dep-4', BODY));
  assert.equal(sandbox.collections.has('dep-4'), false);
  sandbox.dropNext(1, { afterCollect: true });
  await assert.rejects(collect('dep-5', BODY));
  const taken = sandbox.collections.get('dep-5')?.reference;
  assert.ok(taken);
  const retry = await collect('dep-5', BODY);
  assert.deepEqual(await retry.json(), { reference: taken });
  assert.equal(sandbox.calls.at(-2)?.outcome, 'dropped');
});
