/**
 * The ledger started as staging and as production, the way an operator does:
 * a fresh PostgreSQL database stamped with `envward db stamp`, the payments
 * API key set, `server.ts --env <env> --root <copy>` in a child process
 * (migrating at start, after a backup), the payment provider a local sandbox
 * (test/support/payment-sandbox.ts); then money moved over HTTP, and the
 * start-ups that must fail doing so in one clear line.
 *
 * Each run works on a copy of the ledger project in a temporary directory, so
 * the keys, sealed secrets, backups and logs it writes stay out of the repo.
 * The smallest copy that works: `config/` copied (secrets are written there),
 * and `envward.config.ts`, `migrations/`, `seeds/`, `src/` symlinked to the
 * repo's (their imports resolve through the symlinks' real paths, hence from
 * the repo's node_modules). No `git init`: keygen works outside a repository.
 * The server and the CLI run with the repo as working directory, so
 * `--import tsx` resolves.
 *
 * The API key: production's comes from `envward secrets keygen` then
 * `secrets set integrations.payments.apiKey` (sealed in the copy's config/); staging's
 * from the process environment (PAYMENTS_API_KEY), the other supply a
 * protected tier accepts. Staging needs one too: envward requires every
 * secret() key to be set in a protected tier. Both are canaries that must
 * never show anywhere but the sandbox's Authorization header.
 */
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { assertNoCanary, makeCanary } from '../../support/canary.ts';
import { type PaymentSandbox, startPaymentSandbox } from '../../support/payment-sandbox.ts';
import { createTestDatabase, type TestDatabase } from '../../support/postgres.ts';
import { cleanCliEnv, cliExpect } from '../../support/secrets-project.ts';
import {
  type ExitedServer as Exited,
  type RunningServer as Running,
  startLedgerServer,
  stopLedgerServer as stop,
} from './ledger-server.ts';
import { bearer } from './ledger-token.ts';

const REPO = fileURLToPath(new URL('../../../', import.meta.url));
const LEDGER = join(REPO, 'examples', 'ledger');

type Variables = Readonly<Record<string, string | undefined>>;

/** A copy of the ledger project (see the header); removed by the caller. */
function copyLedger(): string {
  const dir = mkdtempSync(join(tmpdir(), 'envward-ledger-start-'));
  cpSync(join(LEDGER, 'config'), join(dir, 'config'), { recursive: true });
  for (const entry of ['envward.config.ts', 'migrations', 'seeds', 'src']) {
    symlinkSync(join(LEDGER, entry), join(dir, entry));
  }
  return dir;
}

/** Starts the server as `env` from the project copy in `dir`; the repository is the working directory, for tsx. */
const startServer = (dir: string, env: string, variables: Variables) =>
  startLedgerServer(['--env', env, '--root', dir], cleanCliEnv({ PORT: '0', ...variables }), REPO);

interface Reply {
  readonly status: number;
  readonly headers: Headers;
  readonly text: string;
  // biome-ignore lint/suspicious/noExplicitAny: the API's JSON, checked by the assertions that read it
  readonly body: any;
}

/** fetch, keeping every answer (status line, headers, body) for the secret canary; POSTs carry `authorization`. */
function recordingClient(authorization: string) {
  const answers: string[] = [];
  const request = async (url: string, init?: RequestInit): Promise<Reply> => {
    const response = await fetch(url, init);
    const text = await response.text();
    const headers = [...response.headers].map(([name, value]) => `${name}: ${value}`).join('\n');
    answers.push(`${response.status} ${url}\n${headers}\n\n${text}`);
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      body = undefined;
    }
    return { status: response.status, headers: response.headers, text, body };
  };
  const post = (url: string, body: unknown, headers: Record<string, string> = {}) =>
    request(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization, ...headers },
      body: JSON.stringify(body),
    });
  return { request, post, answers };
}

const ENVIRONMENTS = [
  { name: 'staging', code: 'STG', gateway: 'sandbox', keyFrom: 'variable' },
  { name: 'production', code: 'PRD', gateway: 'live', keyFrom: 'secrets set' },
] as const;

for (const environment of ENVIRONMENTS) {
  const { name, code } = environment;

  describe(`the ledger started as ${name} on PostgreSQL, through the sandbox gateway`, () => {
    const apiKey = makeCanary(`${name}apikey`);
    // The JWT secret of the write routes: as the API key, from the process environment or sealed.
    const jwtSecret = `${makeCanary(`${name}jwt`)}${makeCanary('pad')}`;
    const http = recordingClient(bearer(jwtSecret));
    const outputs: string[] = [];
    let dir: string;
    let database: TestDatabase;
    let sandbox: PaymentSandbox;
    let running: Running | undefined;
    let exitCode: number | null | undefined;

    before(async () => {
      dir = copyLedger();
      [database, sandbox] = await Promise.all([createTestDatabase(`ledger_${name}`), startPaymentSandbox({ apiKey })]);
      const variables: Variables = {
        DATABASE_URL: database.url,
        PAYMENTS_BASE_URL: sandbox.url,
        PAYMENTS_API_KEY: environment.keyFrom === 'variable' ? apiKey : undefined,
        AUTH_JWT_SECRET: environment.keyFrom === 'variable' ? jwtSecret : undefined,
      };
      const run = async (args: string[], input?: string) => {
        const result = await cliExpect(dir, args, 0, { env: variables, ...(input !== undefined ? { input } : {}) });
        outputs.push(result.stdout, result.stderr);
      };
      if (environment.keyFrom === 'secrets set') {
        await run(['secrets', 'keygen', '--env', name]);
        await run(['secrets', 'set', 'integrations.payments.apiKey', '--env', name], apiKey);
        await run(['secrets', 'set', 'auth.jwt.secret', '--env', name], jwtSecret);
      }
      await run(['db', 'stamp', '--env', name]);
      const started = await startServer(dir, name, variables);
      assert.ok('child' in started, `the ${name} server did not start:\n${started.output}`);
      running = started;
    });
    after(async () => {
      if (running) await stop(running);
      await Promise.all([database?.drop(), sandbox?.close()]);
      if (dir) rmSync(dir, { recursive: true, force: true });
    });

    test('it starts stamped, backed up then migrated, the provider gateway wired and interest scheduled', () => {
      const text = running?.output() ?? '';
      assert.match(text, new RegExp(`${code} · ${name.toUpperCase()}`));
      assert.match(text, new RegExp(`^ {2}tier +${name} · protected$`, 'm'));
      assert.match(text, /^ {2}store +postgres:\/\/\S+ \(postgres; migrated 8, seeded 0\)$/m);
      assert.match(text, new RegExp(`^ {2}gateway +${environment.gateway}$`, 'm'));
      assert.match(text, /^ {2}interest +scheduled \(0 2 \* \* \* UTC\), next \d{4}-\d\d-\d\dT02:00:00\.000Z$/m);
      const backups = readdirSync(join(dir, 'var', name, 'backups'));
      assert.equal(backups.filter((file) => file.endsWith('-before-migrate.dump')).length, 1, backups.join(', '));
    });

    test('money moves over HTTP: two accounts, a deposit collected once through the sandbox, a transfer', async () => {
      const url = running?.url as string;
      const anonymous = await http.post(`${url}/v1/accounts`, { owner: 'Eve', currency: 'EUR' }, { authorization: '' });
      assert.equal(anonymous.status, 401, anonymous.text);
      assert.equal(anonymous.body.error.code, 'EW_HTTP_UNAUTHORIZED');
      const a = await http.post(`${url}/v1/accounts`, { owner: 'Ada', currency: 'EUR' });
      assert.equal(a.status, 201, a.text);
      assert.match(a.body.id, new RegExp(`^${code}-ACC-`));
      assert.equal(a.headers.get('x-environment'), `${name}; tier=${name}`);
      const b = await http.post(`${url}/v1/accounts`, { owner: 'Bob', currency: 'EUR' });
      assert.equal(b.status, 201, b.text);

      // The provider takes the money and its answer is lost: the gateway's retry carries the same key.
      sandbox.dropNext(1, { afterCollect: true });
      const depositPath = `${url}/v1/accounts/${a.body.id}/deposits`;
      const key = { 'idempotency-key': `deposit-${name}`, 'client-id': 'start-test' };
      const deposit = await http.post(depositPath, { amount: '500000' }, key);
      assert.equal(deposit.status, 201, deposit.text);
      assert.equal(deposit.body.status, 'booked');
      assert.equal(deposit.body.amount, '500000');
      assert.match(deposit.body.gatewayReference, /^SBX-[0-9a-f]{16}$/);
      // The client retries too: answered from the ledger's idempotency record, the provider not asked again.
      const retried = await http.post(depositPath, { amount: '500000' }, key);
      assert.equal(retried.status, 201, retried.text);
      assert.equal(retried.headers.get('idempotent-replayed'), 'true');
      assert.equal(retried.body.id, deposit.body.id);

      assert.deepEqual(
        sandbox.calls.map((call) => call.outcome),
        ['dropped', 201],
      );
      for (const call of sandbox.calls) {
        assert.equal(call.key, deposit.body.id, 'the deposit id is the provider idempotency key');
        assert.equal(call.headers.authorization, `Bearer ${apiKey}`);
        assert.deepEqual(JSON.parse(call.body), { account: a.body.id, amount: '500000', currency: 'EUR' });
      }
      assert.equal(sandbox.collections.size, 1);
      assert.equal(sandbox.collections.get(deposit.body.id)?.reference, deposit.body.gatewayReference);

      const transfer = await http.post(
        `${url}/v1/transfers`,
        { from: a.body.id, to: b.body.id, amount: '2500' },
        { 'idempotency-key': `transfer-${name}` },
      );
      assert.equal(transfer.status, 201, transfer.text);
      assert.match(transfer.body.id, new RegExp(`^${code}-TXN-`));
      assert.equal(transfer.body.amount, '2500');
      assert.equal((await http.request(`${url}/v1/accounts/${a.body.id}`)).body.balance, '497500');
      assert.equal((await http.request(`${url}/v1/accounts/${b.body.id}`)).body.balance, '2500');
      const read = await http.request(`${url}/v1/transfers/${transfer.body.id}`);
      assert.equal(read.body.amount, '2500');
      assert.equal(read.headers.get('x-environment'), `${name}; tier=${name}`);
    });

    test('readiness answers 200; /environment and /metrics are asked for the canary', async () => {
      const url = running?.url as string;
      const ready = await http.request(`${url}/health/ready`);
      assert.equal(ready.status, 200, ready.text);
      const metrics = await http.request(`${url}/metrics`);
      assert.equal(metrics.status, 200);
      assert.match(metrics.text, new RegExp(`environment="${name}"`));
      // Whatever /environment answers in a protected tier (it may be hidden), its answer is checked below.
      await http.request(`${url}/environment`);
      await http.request(`${url}/v1/accounts/${code}-ACC-missing`);
    });

    test('SIGTERM stops it with exit code 0', async () => {
      const stopped = running as Running;
      running = undefined;
      exitCode = await stop(stopped);
      outputs.push(stopped.output());
      assert.equal(exitCode, 0, stopped.output());
    });

    test(`the API key (${environment.keyFrom}) shows nowhere but the Authorization header it is sent in`, () => {
      assert.ok(exitCode !== undefined, 'the server was not stopped first');
      assertNoCanary(outputs.join('\n'), [apiKey, jwtSecret], `${name}: the CLI's and the server's stdout and stderr`);
      assertNoCanary(http.answers.join('\n'), [apiKey, jwtSecret], `${name}: an HTTP answer (status, headers, body)`);
      const sent = sandbox.calls.map(({ headers: { authorization: _sent, ...headers }, ...call }) => ({
        ...call,
        headers,
      }));
      assertNoCanary(JSON.stringify(sent), [apiKey], `${name}: a request to the provider outside its Authorization`);
      const logs = join(dir, 'var', name, 'logs');
      for (const file of readdirSync(logs)) {
        assertNoCanary(readFileSync(join(logs, file), 'utf8'), [apiKey, jwtSecret], `${name}: log file ${file}`);
      }
    });
  });
}

describe('a staging or production that cannot run says why in one line, never a stack trace', () => {
  // Never created: a start-up that got as far as the database would fail there, not touch a real one.
  const ABSENT_DATABASE = 'postgres://postgres@127.0.0.1:5432/envward_test_never_created';

  async function refusedStart(env: string, variables: Variables, prepare: (dir: string) => void): Promise<Exited> {
    const dir = copyLedger();
    try {
      prepare(dir);
      const result = await startServer(dir, env, { DATABASE_URL: ABSENT_DATABASE, ...variables });
      if ('child' in result) {
        await stop(result);
        assert.fail(`${env} started:\n${result.output()}`);
      }
      assert.ok(result.code !== 0 && result.code !== null, `exit ${result.code}:\n${result.output}`);
      assert.doesNotMatch(result.output, /^\s+at /m, 'a stack trace');
      return result;
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }

  const settings = (dir: string, env: string) => join(dir, 'config', 'environments', env, 'settings.yml');

  test('staging with no payment provider URL (none in its settings, PAYMENTS_BASE_URL unset)', async () => {
    const apiKey = makeCanary('stagingapikey');
    const result = await refusedStart('staging', { PAYMENTS_BASE_URL: undefined, PAYMENTS_API_KEY: apiKey }, (dir) => {
      const file = settings(dir, 'staging');
      const text = readFileSync(file, 'utf8');
      const without = text.replace(/^ {4}baseUrl: .*\n/m, '');
      assert.notEqual(without, text, 'the staging settings had no integrations.payments.baseUrl to remove');
      writeFileSync(file, without);
    });
    assert.match(result.output, /^error\[EW_CONFIG_[A-Z_]+\]: /m);
    assert.match(result.output, /integrations\.payments\.baseUrl/);
    assertNoCanary(result.output, [apiKey], 'staging refused');
  });

  test('production with the payment gateway as a mock', async () => {
    const apiKey = makeCanary('productionapikey');
    const result = await refusedStart(
      'production',
      { PAYMENTS_BASE_URL: 'http://127.0.0.1:9', PAYMENTS_API_KEY: apiKey },
      (dir) => {
        const file = settings(dir, 'production');
        writeFileSync(file, readFileSync(file, 'utf8').replace('mode: live', 'mode: mock'));
      },
    );
    assert.match(result.output, /^error\[EW_CONFIG_[A-Z_]+\]: /m);
    assert.match(result.output, /integrations\.payments\.mode.*EW_RULE_INTEGRATION_MOCK/);
    assertNoCanary(result.output, [apiKey], 'production refused');
  });

  test('production without the integrations.payments.apiKey secret', async () => {
    const result = await refusedStart(
      'production',
      { PAYMENTS_BASE_URL: 'http://127.0.0.1:9', PAYMENTS_API_KEY: undefined },
      () => {},
    );
    assert.match(result.output, /^error\[EW_CONFIG_[A-Z_]+\]: /m);
    assert.match(result.output, /integrations\.payments\.apiKey/);
  });
});
