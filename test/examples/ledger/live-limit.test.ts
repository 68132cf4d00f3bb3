/**
 * `ledger.transferLimit` is live: three ledger servers (`npm start`'s entry
 * point, each its own process) on one PostgreSQL database, one
 * `envward config set ledger.transferLimit=10` (the built CLI: run
 * `npm run build` first), and every instance refuses a transfer above it
 * without a restart; `envward config rollback --to 0`, and every instance
 * takes the files' limit again. Each instance is polled until it answers as expected (a
 * generous timeout, no timing asserted: bench:reload measures the speed).
 *
 * The probe moves no money: a transfer from an empty account is refused
 * either way, LEDGER_INSUFFICIENT_FUNDS under the limit (the funds are
 * checked after the limit) and LEDGER_LIMIT_EXCEEDED above it, so the code
 * says which limit the instance applied.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { LEDGER_ROOT } from '../../../examples/ledger/src/open-ledger.ts';
import { waitFor } from '../../support/http-project.ts';
import { createTestDatabase, type TestDatabase } from '../../support/postgres.ts';
import { cleanEnv, runCli } from '../../support/run-cli.ts';
import { type RunningServer, startLedgerServer, stopLedgerServer } from './ledger-server.ts';
import { testTierBearer } from './ledger-token.ts';

const INSTANCES = 3;
/** How long an instance may take to show a revision before the test fails: far above the 250 ms goal. */
const APPLY_TIMEOUT_MS = 20_000;

interface Reply {
  readonly status: number;
  // biome-ignore lint/suspicious/noExplicitAny: the API's JSON, checked by the assertions that read it
  readonly body: any;
}

// biome-ignore lint/suspicious/noExplicitAny: the API's JSON, checked by the assertions that read it
const getJson = async (url: string): Promise<any> => (await fetch(url)).json();

async function post(url: string, body: unknown, key: string): Promise<Reply> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'idempotency-key': key, authorization: await testTierBearer() },
    body: JSON.stringify(body),
  });
  return { status: response.status, body: await response.json() };
}

describe('three ledger instances on one PostgreSQL database follow one config revision', () => {
  let database: TestDatabase;
  const servers: RunningServer[] = [];
  let probes = 0;
  const accounts = { funded: '', empty: '', target: '' };

  const start = async () => {
    const started = await startLedgerServer(
      ['--env', 'test'],
      cleanEnv({ NO_COLOR: '1', PORT: '0', DATABASE_URL: database.url }),
    );
    assert.ok('child' in started, `a ledger instance did not start:\n${started.output}`);
    servers.push(started);
  };

  /** The code instance `url` answers a 20.00 EUR transfer from the empty account with. */
  const refusal = async (url: string): Promise<string> => {
    probes += 1;
    const reply = await post(
      `${url}/v1/transfers`,
      { from: accounts.empty, to: accounts.target, amount: '2000' },
      `probe-${probes}`,
    );
    assert.equal(reply.status, 422, JSON.stringify(reply.body));
    return reply.body.error.code;
  };

  /** Waits until every instance refuses the probe with `code`. */
  const everyInstanceRefusesWith = (code: string) =>
    Promise.all(
      servers.map((server, index) =>
        waitFor(
          `instance ${index + 1} to answer ${code}`,
          async () => (await refusal(server.url)) === code,
          APPLY_TIMEOUT_MS,
        ),
      ),
    );

  /** `envward config ...` as an operator runs it, with the built CLI (`npm run build` first), in the ledger project. */
  const config = async (...args: string[]): Promise<{ revision: number; live: string[]; pending: string[] }> => {
    const result = await runCli(['config', ...args, '--env', 'test', '--cwd', LEDGER_ROOT, '--json'], {
      env: { DATABASE_URL: database.url },
    });
    assert.equal(result.code, 0, `envward config ${args.join(' ')}:\n${result.stderr}`);
    return JSON.parse(result.stdout);
  };

  before(async () => {
    database = await createTestDatabase('ledger_live_limit');
    // The first one migrates and seeds; the others find the database ready.
    await start();
    await Promise.all(Array.from({ length: INSTANCES - 1 }, start));
  });
  after(async () => {
    await Promise.all(servers.map((server) => stopLedgerServer(server)));
    await database?.drop();
  });

  test('each instance starts at revision 0, following revisions over PostgreSQL LISTEN', () => {
    assert.equal(servers.length, INSTANCES);
    for (const server of servers) {
      assert.match(server.output(), /^ {2}config +revision 0, following later revisions \(PostgreSQL LISTEN\)$/m);
      assert.match(server.output(), /^ {2}limit +1000 per transfer/m);
    }
  });

  test('one config set lowers the limit in every instance; a rollback to 0 restores it in every instance', async () => {
    const [first] = servers as [RunningServer];
    const open = async (owner: string) =>
      (await post(`${first.url}/v1/accounts`, { owner, currency: 'EUR' }, owner)).body.id;
    accounts.funded = await open('Ada');
    accounts.empty = await open('Bob');
    accounts.target = await open('Cy');
    const deposit = await post(
      `${first.url}/v1/accounts/${accounts.funded}/deposits`,
      { amount: '100000' },
      'fund-ada',
    );
    assert.equal(deposit.status, 201, JSON.stringify(deposit.body));
    await everyInstanceRefusesWith('LEDGER_INSUFFICIENT_FUNDS');

    const lowered = await config('set', 'ledger.transferLimit=10', '--reason', 'INC-14 limit lowered');
    assert.deepEqual(lowered.live, ['ledger.transferLimit']);
    assert.deepEqual(lowered.pending, []);
    await everyInstanceRefusesWith('LEDGER_LIMIT_EXCEEDED');
    for (const [index, server] of servers.entries()) {
      const refused = await post(
        `${server.url}/v1/transfers`,
        { from: accounts.funded, to: accounts.target, amount: '2000' },
        `over-${index}`,
      );
      assert.equal(refused.status, 422);
      assert.match(refused.body.error.message, /limit of 10\.00 EUR/);
      const environment = await getJson(`${server.url}/environment`);
      assert.equal(environment.config['ledger.transferLimit'], 10);
      assert.equal(environment.revision.applied, lowered.revision);
      const metrics = await (await fetch(`${server.url}/metrics`)).text();
      assert.match(metrics, new RegExp(`^envward_config_revision\\{environment="test"\\} ${lowered.revision}$`, 'm'));
    }

    const restored = await config('rollback', '--to', '0', '--reason', 'INC-14 resolved');
    assert.equal(restored.revision, lowered.revision + 1);
    await everyInstanceRefusesWith('LEDGER_INSUFFICIENT_FUNDS');
    for (const [index, server] of servers.entries()) {
      const moved = await post(
        `${server.url}/v1/transfers`,
        { from: accounts.funded, to: accounts.target, amount: '2000' },
        `after-rollback-${index}`,
      );
      assert.equal(moved.status, 201, JSON.stringify(moved.body));
      const ready = await getJson(`${server.url}/health/ready`);
      assert.equal(ready.revision.applied, restored.revision);
      assert.equal(ready.revision.failure, null);
    }
  });
});
