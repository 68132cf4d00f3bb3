/**
 * The ledger as a new user meets it: `npm start`'s entry point in a child
 * process, on a fresh database, then real HTTP requests.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { createTestDatabase, type TestDatabase } from '../../support/postgres.ts';
import { cleanEnv } from '../../support/run-cli.ts';
import { querySqliteFile } from '../../support/sqlite-file.ts';
import { DIALECTS, makeStoreProject } from '../../support/store-project.ts';
import { type RunningServer as Running, startLedgerServer, stopLedgerServer as stop } from './ledger-server.ts';

const startServer = (variables: Record<string, string>) =>
  startLedgerServer([], cleanEnv({ NO_COLOR: '1', PORT: '0', ...variables }));

interface ReplyBody {
  readonly id: string;
  readonly gatewayReference: string;
  readonly error: { readonly code: string; readonly message: string };
}

async function post(url: string, body: unknown, headers: Record<string, string> = {}) {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });
  return { status: response.status, headers: response.headers, body: (await response.json()) as ReplyBody };
}

for (const dialect of DIALECTS) {
  describe(`the ledger server on ${dialect}`, () => {
    let dir: string;
    let database: TestDatabase | undefined;
    let running: Running;

    before(async () => {
      dir = mkdtempSync(join(tmpdir(), 'envward-ledger-server-'));
      database = dialect === 'postgres' ? await createTestDatabase('ledger_server') : undefined;
      const started = await startServer({ DATABASE_URL: database?.url ?? `sqlite:${join(dir, 'ledger.db')}` });
      assert.ok('child' in started, `the server did not start:\n${started.output}`);
      running = started;
    });
    after(async () => {
      if (running) await stop(running);
      await database?.drop();
      rmSync(dir, { recursive: true, force: true });
    });

    test('it starts in development, migrated and seeded, with the banner and lines to try', () => {
      const text = running.output();
      assert.match(text, /DEV · DEVELOPMENT/);
      assert.match(text, /^ {2}store +\S+ \((sqlite|postgres); migrated 8, seeded 1\)$/m);
      assert.match(text, /^ {2}gateway +mock$/m);
      assert.match(text, /^ {2}interest +not scheduled: runs only in staging and production$/m);
      assert.match(text, /curl -s -X POST \S+\/v1\/transfers .*"amount":"2500"/);
    });

    test('the API opens accounts, takes a deposit once, refuses a transfer above the limit, and replays a retry as 201', async () => {
      const { url } = running;
      const a = await post(`${url}/v1/accounts`, { owner: 'Ada', currency: 'EUR' });
      assert.equal(a.status, 201);
      assert.match(a.body.id, /^DEV-ACC-/);
      assert.equal(a.headers.get('x-environment'), 'development; tier=development');
      const b = await post(`${url}/v1/accounts`, { owner: 'Bob', currency: 'EUR' });
      const deposit = await post(
        `${url}/v1/accounts/${a.body.id}/deposits`,
        { amount: '90000' },
        { 'idempotency-key': 'dep-1' },
      );
      assert.equal(deposit.status, 201);
      assert.match(deposit.body.gatewayReference, /^MOCK-/);
      const again = await post(
        `${url}/v1/accounts/${a.body.id}/deposits`,
        { amount: '90000' },
        { 'idempotency-key': 'dep-1' },
      );
      assert.equal(again.status, 201);
      assert.equal(again.headers.get('idempotent-replayed'), 'true');
      assert.equal(again.body.id, deposit.body.id);

      const tooBig = await post(
        `${url}/v1/transfers`,
        { from: a.body.id, to: b.body.id, amount: '100001' },
        { 'idempotency-key': 'big' },
      );
      assert.equal(tooBig.status, 422);
      assert.equal(tooBig.body.error.code, 'LEDGER_LIMIT_EXCEEDED');
      assert.match(tooBig.body.error.message, /limit of 1,000\.00 EUR/);

      const body = { from: a.body.id, to: b.body.id, amount: '1500' };
      const first = await post(`${url}/v1/transfers`, body, { 'idempotency-key': 'once' });
      const retry = await post(`${url}/v1/transfers`, body, { 'idempotency-key': 'once' });
      assert.equal(first.status, 201);
      assert.match(first.body.id, /^DEV-TXN-/);
      assert.equal(first.headers.get('idempotent-replayed'), null);
      assert.equal(retry.status, 201);
      assert.equal(retry.headers.get('idempotent-replayed'), 'true');
      assert.equal(retry.body.id, first.body.id);
      const bob = (await (await fetch(`${url}/v1/accounts/${b.body.id}`)).json()) as { balance: string };
      assert.equal(bob.balance, '1500');
      const ada = (await (await fetch(`${url}/v1/accounts/${a.body.id}`)).json()) as { balance: string };
      assert.equal(ada.balance, '88500');
      const transfer = (await (await fetch(`${url}/v1/transfers/${first.body.id}`)).json()) as { amount: string };
      assert.equal(transfer.amount, '1500');
    });

    test('a client cannot mint money, choose its overdraft, or send an inexact amount', async () => {
      const { url } = running;
      const a = await post(`${url}/v1/accounts`, { owner: 'Cy', currency: 'EUR' });
      const own = await post(`${url}/v1/accounts`, { owner: 'Dee', currency: 'EUR', overdraftLimit: 9007199254740991 });
      assert.equal(own.status, 400);
      assert.equal(own.body.error.code, 'LEDGER_UNKNOWN_FIELD');
      await post(`${url}/v1/accounts/${a.body.id}/deposits`, { amount: '100' }, { 'idempotency-key': 'dep-cy' });
      const query = "select id from accounts where kind = 'funding' and currency = 'EUR'";
      const [row] = database
        ? await database.query<{ id: string }>(query)
        : querySqliteFile<{ id: string }>(join(dir, 'ledger.db'), query);
      const funding = row?.id as string;
      const mint = await post(
        `${url}/v1/transfers`,
        { from: funding, to: a.body.id, amount: '100000' },
        { 'idempotency-key': 'mint' },
      );
      assert.equal(mint.status, 403);
      assert.equal(mint.body.error.code, 'LEDGER_SYSTEM_ACCOUNT');
      for (const raw of ['99999.99999999999999999', '2500', '"25.00"', '"1e3"', '"-1"', 'null']) {
        const response = await fetch(`${url}/v1/transfers`, {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            'idempotency-key': `inexact-${raw.length}-${raw.charCodeAt(1)}`,
          },
          body: `{"from":"${a.body.id}","to":"${funding}","amount":${raw}}`,
        });
        assert.equal(response.status, 400, raw);
        assert.equal(((await response.json()) as ReplyBody).error.code, 'LEDGER_BAD_AMOUNT', raw);
      }
      const cy = (await (await fetch(`${url}/v1/accounts/${a.body.id}`)).json()) as { balance: string };
      assert.equal(cy.balance, '100');
    });

    test('errors are JSON with a code and the request id, and readiness and metrics are served', async () => {
      const { url } = running;
      const missing = await fetch(`${url}/v1/accounts/DEV-ACC-nope`, { headers: { 'x-request-id': 'req-123' } });
      assert.equal(missing.status, 404);
      assert.deepEqual(
        ((await missing.json()) as { error: { code: string; requestId: string } }).error.requestId,
        'req-123',
      );
      const noKey = await post(`${url}/v1/transfers`, { from: 'x', to: 'y', amount: '1' });
      assert.equal(noKey.body.error.code, 'LEDGER_IDEMPOTENCY_KEY');
      const oldRoute = await post(`${url}/transfers`, { from: 'x', to: 'y', amount: '1' });
      assert.equal(oldRoute.status, 404);
      const ready = await fetch(`${url}/health/ready`);
      assert.equal(ready.status, 200);
      assert.match(await (await fetch(`${url}/metrics`)).text(), /http_requests_total\{.*environment="development"/);
    });

    test('a NUL byte in a body, a path or a query is a 400 EW_HTTP_NUL_BYTE, never a 500 from the database', async () => {
      const { url } = running;
      const body = await post(`${url}/v1/accounts`, { owner: 'Ada\u0000', currency: 'EUR' });
      assert.equal(body.status, 400);
      assert.equal(body.body.error.code, 'EW_HTTP_NUL_BYTE');
      for (const path of ['/v1/accounts/DEV-ACC-%00', '/v1/accounts/DEV-ACC-1?x=%00']) {
        const response = await fetch(`${url}${path}`);
        assert.equal(response.status, 400, path);
        assert.equal(((await response.json()) as ReplyBody).error.code, 'EW_HTTP_NUL_BYTE', path);
      }
    });

    test('SIGTERM stops it cleanly', async () => {
      const code = await stop(running);
      assert.equal(code, 0);
      running = undefined as unknown as Running;
    });
  });
}

for (const dialect of DIALECTS) {
  test(`on ${dialect}, a development process pointed at a database stamped production is refused, naming both`, async () => {
    const project = await makeStoreProject(dialect);
    try {
      const store = await project.open('production', { stampMode: 'stamp' });
      await store.close();
      const url = dialect === 'sqlite' ? `sqlite:${join(project.dir, 'var/shared.db')}` : project.url;
      const result = await startServer({ DATABASE_URL: url });
      assert.ok(!('child' in result), 'the server started on production data');
      assert.equal(result.code, 3, result.output);
      assert.match(
        result.output,
        /error\[EW_ENV_MISMATCH\]: .*production.*development|error\[EW_ENV_MISMATCH\]: .*development.*production/,
      );
    } finally {
      await project.cleanup();
    }
  });
}
