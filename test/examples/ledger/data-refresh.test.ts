/**
 * Issue 18's "done when", as an operator would do it on PostgreSQL: a
 * production ledger of 10,000 customers (`ledger:admin load-sample`),
 * refreshed into staging through the ledger's anonymisation rules. Staging
 * ends stamped as staging, with none of production's names or emails, every
 * balance equal, and the refresh in both environments' audit logs; a refresh
 * into production is refused (exit 3); a column added without a rule stops
 * the refresh, naming it, and staging is left as it was.
 *
 * The project is a copy of the ledger (config/ copied with each
 * environment's database URL; the code symlinked, as protected-start.test.ts
 * does). Both environments' secrets come from the process environment, as
 * canaries that must never show in any output.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { assertNoCanary, makeCanary } from '../../support/canary.ts';
import { createTestDatabase, type TestDatabase } from '../../support/postgres.ts';
import { cleanCliEnv, cli } from '../../support/secrets-project.ts';
import { TSX_IMPORT } from '../../support/tsx.ts';

const REPO = fileURLToPath(new URL('../../../', import.meta.url));
const LEDGER = join(REPO, 'examples', 'ledger');
const ADMIN = join(LEDGER, 'src', 'admin.ts');
const CUSTOMERS = 10_000;

function copyLedger(urls: Readonly<Record<string, string>>): string {
  const dir = mkdtempSync(join(tmpdir(), 'envward-ledger-refresh-'));
  cpSync(join(LEDGER, 'config'), join(dir, 'config'), { recursive: true });
  for (const entry of ['envward.config.ts', 'migrations', 'seeds', 'src']) {
    symlinkSync(join(LEDGER, entry), join(dir, entry));
  }
  for (const [environment, url] of Object.entries(urls)) {
    const file = join(dir, 'config', 'environments', environment, 'settings.yml');
    writeFileSync(file, readFileSync(file, 'utf8').replace(/url: postgres:\S+/, `url: ${url}`));
  }
  return dir;
}

async function query<Row>(url: string, text: string): Promise<Row[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query(text)).rows as Row[];
  } finally {
    await client.end();
  }
}

describe('data refresh of the ledger from production to staging on PostgreSQL', () => {
  const jwtSecret = `${makeCanary('jwt')}${makeCanary('pad')}`;
  const apiKey = makeCanary('apikey');
  const canaries = [jwtSecret, apiKey];
  const variables = { AUTH_JWT_SECRET: jwtSecret, PAYMENTS_API_KEY: apiKey, DATABASE_URL: undefined };
  const outputs: string[] = [];
  let production: TestDatabase;
  let staging: TestDatabase;
  let dir: string;

  const run = async (args: readonly string[]) => {
    const result = await cli(dir, args, { env: variables });
    outputs.push(result.stdout, result.stderr);
    return result;
  };

  before(async () => {
    [production, staging] = await Promise.all([createTestDatabase('ledger_prd'), createTestDatabase('ledger_stg')]);
    dir = copyLedger({ production: production.url, staging: staging.url });
    for (const environment of ['production', 'staging']) {
      for (const args of [
        ['db', 'stamp', '--env', environment],
        ['migrate', 'up', '--env', environment],
      ]) {
        const result = await run(args);
        assert.equal(result.code, 0, result.stderr);
      }
    }
    const sample = spawnSync(
      process.execPath,
      [
        ...TSX_IMPORT,
        ADMIN,
        'load-sample',
        '--customers',
        String(CUSTOMERS),
        '--reason',
        'sample for #18',
        '--env',
        'production',
        '--root',
        dir,
      ],
      { cwd: REPO, env: cleanCliEnv(variables), encoding: 'utf8' },
    );
    outputs.push(sample.stdout, sample.stderr);
    assert.equal(sample.status, 0, sample.stderr);
  });
  after(async () => {
    if (dir) rmSync(dir, { recursive: true, force: true });
    await Promise.all([production?.drop(), staging?.drop()]);
  });

  test('a refresh into production is refused with exit 3, before anything is read or written', async () => {
    const refused = await run(['data', 'refresh', '--from', 'staging', '--to', 'production', '--reason', 'r']);
    assert.equal(refused.code, 3, refused.stderr);
    assert.match(refused.stderr, /EW_REFRESH_TARGET/);
    const [row] = await query<{ n: string }>(production.url, 'select count(*) as n from customers');
    assert.equal(Number(row?.n), CUSTOMERS);
  });

  test('staging gets production’s ledger, anonymised and verified, stamped as staging, audited in both', async () => {
    const refreshed = await run(['data', 'refresh', '--from', 'production', '--to', 'staging', '--reason', 'r']);
    assert.equal(refreshed.code, 0, refreshed.stderr);
    assert.match(refreshed.stdout, /verif/i);

    const names = async (url: string) =>
      new Set((await query<{ name: string }>(url, 'select name from customers')).map((row) => row.name));
    const emails = async (url: string) =>
      new Set((await query<{ email: string }>(url, 'select email from customers')).map((row) => row.email));
    const [prdNames, stgNames, prdEmails, stgEmails] = await Promise.all([
      names(production.url),
      names(staging.url),
      emails(production.url),
      emails(staging.url),
    ]);
    assert.equal(stgNames.size > CUSTOMERS / 2, true, 'staging has the customers, under other names');
    assert.deepEqual(
      [...stgNames].filter((name) => prdNames.has(name)),
      [],
    );
    assert.deepEqual(
      [...stgEmails].filter((email) => prdEmails.has(email)),
      [],
    );
    const owners = await query<{ n: string }>(
      staging.url,
      'select count(*) as n from accounts a join customers c on c.id = a.customer_id where a.owner <> c.name',
    );
    assert.equal(Number(owners[0]?.n), 0, 'one real name gets one fake: an account’s owner is its customer’s name');

    const balances = (url: string) =>
      query<{ id: string; balance: string }>(url, 'select id, balance::text from accounts order by id');
    assert.deepEqual(await balances(staging.url), await balances(production.url));
    const journal = (url: string) =>
      query<{ n: string; sum: string }>(url, 'select count(*) as n, sum(amount)::text as sum from journal');
    assert.deepEqual(await journal(staging.url), await journal(production.url));

    const status = await run(['db', 'status', '--env', 'staging', '--json']);
    assert.equal(status.code, 0, status.stderr);
    assert.equal(JSON.parse(status.stdout).stamp.environment, 'staging');

    for (const environment of ['production', 'staging']) {
      const audit = await run(['audit', 'list', '--env', environment, '--json']);
      assert.equal(audit.code, 0, audit.stderr);
      const events = JSON.parse(audit.stdout).events as { action: string; reason: string | null }[];
      assert.ok(
        events.some((event) => event.action === 'data.refresh' && event.reason === 'r'),
        `${environment}'s audit log shows the refresh`,
      );
    }
  });

  test('a column without a rule stops the refresh, naming it; staging is left as it was', async () => {
    for (const database of [production, staging]) {
      await query(database.url, 'alter table customers add column phone varchar(40)');
    }
    await query(production.url, "update customers set phone = '+44 20 7946 0000'");
    const before = await query<{ name: string }>(staging.url, 'select name from customers order by id limit 5');
    const refused = await run(['data', 'refresh', '--from', 'production', '--to', 'staging', '--reason', 'r']);
    assert.notEqual(refused.code, 0);
    assert.match(refused.stderr, /customers\.phone/);
    assert.deepEqual(await query(staging.url, 'select name from customers order by id limit 5'), before);
    const [phones] = await query<{ n: string }>(staging.url, 'select count(phone) as n from customers');
    assert.equal(Number(phones?.n), 0);
  });

  test('no secret shows in any output', () => {
    assertNoCanary(outputs.join('\n'), canaries, 'CLI and admin output');
  });
});
