/**
 * The ledger's API attacked: malformed, huge, binary and hostile requests
 * each get a 4xx with a code naming what is wrong, never a 500, and write
 * nothing.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { buildLedgerApp } from '../../../examples/ledger/src/app.ts';
import { type LedgerFixture, ledgerFixture } from './ledger-fixture.ts';

let fixture: LedgerFixture;
let app: FastifyInstance;
let account: string;
let other: string;
/** The test tier checks a bearer JWT on write routes: every case carries a valid one, so what is refused is the request. */
let authorization: string;

before(async () => {
  fixture = await ledgerFixture('sqlite', { seed: false });
  app = await buildLedgerApp(fixture.runtime);
  authorization = `Bearer ${(app as unknown as { jwt: { sign(payload: object): string } }).jwt.sign({ sub: 'hostile' })}`;
  account = (await fixture.runtime.ledger.openAccount({ owner: 'Ada', currency: 'EUR' })).id;
  other = (await fixture.runtime.ledger.openAccount({ owner: 'Bob', currency: 'EUR' })).id;
  await fixture.runtime.deposits.deposit(account, '1000', { client: 'setup', key: 'setup' });
});
after(async () => {
  await app?.close();
  await fixture?.cleanup();
});

const counts = async () =>
  Promise.all(
    ['accounts', 'transfers', 'deposits', 'idempotency_records'].map(
      async (table) => (await fixture.raw<{ n: number }>(`select count(*) as n from ${table}`))[0]?.n,
    ),
  );

type Case = readonly [
  what: string,
  method: 'GET' | 'POST',
  url: () => string,
  body: string | Buffer | (() => string) | undefined,
  headers: Record<string, string>,
  status: number,
  code: string,
];

const KEY = { 'idempotency-key': 'hostile' };
const PRODUCTION_ID = 'PRD-ACC-01a23217-7f31-771b-b675-5c861aaab4ca';

const CASES: readonly Case[] = [
  [
    'an owner of 201 characters',
    'POST',
    () => '/v1/accounts',
    JSON.stringify({ owner: 'x'.repeat(201), currency: 'EUR' }),
    {},
    400,
    'LEDGER_BAD_OWNER',
  ],
  [
    'a blank owner',
    'POST',
    () => '/v1/accounts',
    JSON.stringify({ owner: '   ', currency: 'EUR' }),
    {},
    400,
    'LEDGER_BAD_OWNER',
  ],
  [
    'an owner with a control character',
    'POST',
    () => '/v1/accounts',
    JSON.stringify({ owner: 'Bell\u0007', currency: 'EUR' }),
    {},
    400,
    'LEDGER_BAD_OWNER',
  ],
  [
    'an email without an @',
    'POST',
    () => '/v1/accounts',
    JSON.stringify({ owner: 'A', currency: 'EUR', email: 'ada.example.com' }),
    {},
    400,
    'LEDGER_BAD_EMAIL',
  ],
  [
    'an email of 255 characters',
    'POST',
    () => '/v1/accounts',
    JSON.stringify({ owner: 'A', currency: 'EUR', email: `${'a'.repeat(243)}@example.com` }),
    {},
    400,
    'LEDGER_BAD_EMAIL',
  ],
  [
    'a currency in lower case',
    'POST',
    () => '/v1/accounts',
    JSON.stringify({ owner: 'A', currency: 'eur' }),
    {},
    400,
    'LEDGER_BAD_CURRENCY',
  ],
  [
    'a currency not offered',
    'POST',
    () => '/v1/accounts',
    JSON.stringify({ owner: 'A', currency: 'JPY' }),
    {},
    400,
    'LEDGER_BAD_CURRENCY',
  ],
  [
    'a client-chosen kind',
    'POST',
    () => '/v1/accounts',
    JSON.stringify({ owner: 'A', currency: 'EUR', kind: 'funding' }),
    {},
    400,
    'LEDGER_UNKNOWN_FIELD',
  ],
  [
    'a client-chosen overdraft',
    'POST',
    () => '/v1/accounts',
    JSON.stringify({ owner: 'A', currency: 'EUR', overdraftLimit: 9007199254740991 }),
    {},
    400,
    'LEDGER_UNKNOWN_FIELD',
  ],
  ['a body that is null', 'POST', () => '/v1/accounts', () => 'null', {}, 400, 'LEDGER_BAD_REQUEST'],
  ['a body that is a list', 'POST', () => '/v1/accounts', () => '[]', {}, 400, 'LEDGER_BAD_REQUEST'],
  [
    'binary bytes as JSON',
    'POST',
    () => '/v1/accounts',
    Buffer.from('89504e470d0a1a0aff7b22d8', 'hex'),
    {},
    400,
    'EW_HTTP_BAD_JSON',
  ],
  [
    'a body past the size limit',
    'POST',
    () => '/v1/accounts',
    JSON.stringify({ owner: 'x'.repeat(11 * 1024 * 1024), currency: 'EUR' }),
    {},
    413,
    'EW_HTTP_BODY_TOO_LARGE',
  ],
  [
    'a __proto__ key',
    'POST',
    () => `/v1/accounts/${account}/deposits`,
    '{"amount":"10","__proto__":{"x":1}}',
    KEY,
    400,
    'EW_HTTP_FORBIDDEN_KEY',
  ],
  [
    'an amount of 5,000 digits',
    'POST',
    () => '/v1/transfers',
    () => JSON.stringify({ from: account, to: other, amount: '1'.repeat(5000) }),
    KEY,
    400,
    'LEDGER_BAD_AMOUNT',
  ],
  [
    'an amount as a JSON number',
    'POST',
    () => '/v1/transfers',
    () => `{"from":"${account}","to":"${other}","amount":99999.99999999999999999}`,
    KEY,
    400,
    'LEDGER_BAD_AMOUNT',
  ],
  [
    'a transfer to itself',
    'POST',
    () => '/v1/transfers',
    () => JSON.stringify({ from: account, to: account, amount: '1' }),
    KEY,
    400,
    'LEDGER_BAD_REQUEST',
  ],
  [
    'a production account id in test',
    'POST',
    () => '/v1/transfers',
    () => JSON.stringify({ from: account, to: PRODUCTION_ID, amount: '1' }),
    KEY,
    422,
    'EW_CROSS_ENV_ID',
  ],
  [
    'an Idempotency-Key of 201 characters',
    'POST',
    () => '/v1/transfers',
    () => JSON.stringify({ from: account, to: other, amount: '1' }),
    { 'idempotency-key': 'k'.repeat(201) },
    400,
    'LEDGER_IDEMPOTENCY_KEY',
  ],
  [
    'two Idempotency-Keys',
    'POST',
    () => '/v1/transfers',
    () => JSON.stringify({ from: account, to: other, amount: '1' }),
    { 'idempotency-key': 'a, b' },
    400,
    'LEDGER_IDEMPOTENCY_KEY',
  ],
  [
    'a Client-Id with a space',
    'POST',
    () => '/v1/transfers',
    () => JSON.stringify({ from: account, to: other, amount: '1' }),
    { ...KEY, 'client-id': 'a b' },
    400,
    'LEDGER_BAD_CLIENT',
  ],
  [
    'a deposit with an extra field',
    'POST',
    () => `/v1/accounts/${account}/deposits`,
    () => JSON.stringify({ amount: '10', to: other }),
    KEY,
    400,
    'LEDGER_UNKNOWN_FIELD',
  ],
  [
    'an id with a path in it',
    'GET',
    () => '/v1/accounts/..%2F..%2Fetc%2Fpasswd',
    undefined,
    {},
    400,
    'LEDGER_BAD_REQUEST',
  ],
  ['an id of 65 characters', 'GET', () => `/v1/accounts/${'x'.repeat(65)}`, undefined, {}, 400, 'LEDGER_BAD_REQUEST'],
  ['a deposit that does not exist', 'GET', () => '/v1/deposits/TST-DEP-none', undefined, {}, 404, 'LEDGER_NOT_FOUND'],
];

for (const [what, method, url, body, headers, status, code] of CASES) {
  test(`${what}: ${status} ${code}, nothing written`, async () => {
    const before = await counts();
    const response = await app.inject({
      method,
      url: url(),
      headers: { 'content-type': 'application/json', authorization, ...headers },
      ...(body !== undefined ? { payload: typeof body === 'function' ? body() : body } : {}),
    });
    assert.equal(response.statusCode, status, response.body);
    assert.equal((response.json() as { error: { code: string } }).error.code, code);
    assert.deepEqual(await counts(), before);
  });
}

test('a write without a bearer token: 401 EW_HTTP_UNAUTHORIZED, nothing written', async () => {
  const before = await counts();
  const response = await app.inject({
    method: 'POST',
    url: '/v1/transfers',
    headers: { 'content-type': 'application/json', ...KEY },
    payload: JSON.stringify({ from: account, to: other, amount: '1' }),
  });
  assert.equal(response.statusCode, 401, response.body);
  assert.equal((response.json() as { error: { code: string } }).error.code, 'EW_HTTP_UNAUTHORIZED');
  assert.deepEqual(await counts(), before);
});
