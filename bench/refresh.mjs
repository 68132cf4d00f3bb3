#!/usr/bin/env node
// Benchmark: `envward data refresh --from production --to staging` of the
// sample ledger on PostgreSQL against a plain `pg_dump | pg_restore` of the
// same data, in the same run.
//
// What it measures
// - A copy of the ledger project (bench/.work/refresh/project: config/
//   copied, the code symlinked) whose production and staging environments
//   point at two databases made for the run, stamped and migrated by the
//   CLI (`db stamp`, `migrate up`), as an operator would.
// - Production is loaded with --rows (1,000,000) ledger rows: a tenth of them
//   customers, as many accounts (owned by the customer's name) and deposits,
//   and transfers with their two journal lines for the rest, all with
//   balances that equal their journals. Loaded in SQL with the posting
//   triggers off and the balances summed from the journal after (the ledger's
//   own path posts one transfer at a time: minutes for a million rows).
// - envward: the whole `envward data refresh --from production --to staging
//   --reason bench` process, wall time: configuration, stamp checks, the
//   copy through the ledger's rules (names faked, emails and gateway
//   references hashed, the rest kept: transfers, journal and interest are
//   piped through COPY untouched), the verification, the audit events.
// - The peer: `pg_dump --format=custom production | pg_restore` into a new,
//   empty database, wall time (no anonymisation, no verification; it builds
//   the indexes after the data, where a refresh fills tables whose indexes
//   stand).
// - Runs alternate (envward, then the peer); reported: each one's median
//   wall time and rows per second, and envward / peer of the medians, which
//   the goal (<= 2.0) is judged on.
//
// Rerun: npm run build && npm run bench:refresh [-- --runs 3 --rows 1000000 --json]
// PostgreSQL: ENVWARD_BENCH_PG (default postgres://postgres@127.0.0.1:5432,
// trust auth); the benchmark creates and drops its own databases. It needs
// pg_dump and pg_restore (Debian: postgresql-client). With --json the tables
// go to stderr and a JSON report to stdout.
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import pg from 'pg';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const LEDGER = join(ROOT, 'examples', 'ledger');
const WORK = join(ROOT, 'bench', '.work', 'refresh');
const PROJECT = join(WORK, 'project');
const CLI = join(ROOT, 'bin', 'envward.js');
const SERVER = process.env.ENVWARD_BENCH_PG ?? 'postgres://postgres@127.0.0.1:5432';
const GOAL = 2.0;

const { values: args } = parseArgs({
  options: {
    runs: { type: 'string', default: '3' },
    rows: { type: 'string', default: '1000000' },
    json: { type: 'boolean', default: false },
  },
});
const RUNS = Number(args.runs);
const ROWS = Number(args.rows);
const out = args.json ? (line = '') => process.stderr.write(`${line}\n`) : (line = '') => console.log(line);

if (!existsSync(join(ROOT, 'dist', 'data.js'))) {
  console.error('dist/data.js is missing: run `npm run build` first.');
  process.exit(1);
}
for (const tool of ['pg_dump', 'pg_restore']) {
  if (spawnSync(tool, ['--version']).status !== 0) {
    console.error(`${tool} is not on PATH: install the Debian package postgresql-client.`);
    process.exit(1);
  }
}

const suffix = randomBytes(4).toString('hex');
const names = { production: `ew_bench_refresh_prd_${suffix}`, staging: `ew_bench_refresh_stg_${suffix}` };
const urlOf = (database) => `${SERVER}/${database}`;
// The ledger's secrets, from the process environment (a protected tier takes them from there too).
const env = {
  ...process.env,
  NODE_EXTRA_CA_CERTS: undefined,
  DATABASE_URL: undefined,
  AUTH_JWT_SECRET: 'bench-only-jwt-secret-0123456789abcdef',
  PAYMENTS_API_KEY: 'bench-only-payments-key',
};

async function admin(sql) {
  const client = new pg.Client({ connectionString: urlOf('postgres') });
  await client.connect();
  try {
    return await client.query(sql);
  } finally {
    await client.end();
  }
}

function cli(args) {
  const started = performance.now();
  const result = spawnSync(process.execPath, [CLI, ...args, '--cwd', PROJECT], { env, encoding: 'utf8' });
  if (result.status !== 0) {
    throw new Error(`envward ${args.join(' ')} exited ${result.status}:\n${result.stderr}${result.stdout}`);
  }
  return { ms: performance.now() - started, stdout: result.stdout };
}

/** The project: config/ copied with each environment's database URL, the code symlinked. */
function makeProject() {
  rmSync(WORK, { recursive: true, force: true });
  mkdirSync(PROJECT, { recursive: true });
  cpSync(join(LEDGER, 'config'), join(PROJECT, 'config'), { recursive: true });
  for (const entry of ['envward.config.ts', 'migrations', 'seeds', 'src']) {
    symlinkSync(join(LEDGER, entry), join(PROJECT, entry));
  }
  for (const [environment, database] of Object.entries(names)) {
    const file = join(PROJECT, 'config', 'environments', environment, 'settings.yml');
    const text = readFileSync(file, 'utf8').replace(/url: postgres:\S+/, `url: ${urlOf(database)}`);
    writeFileSync(file, text);
  }
}

/** Production's rows: customers, accounts, deposits, transfers and journal lines, balances from the journal. */
async function loadProduction() {
  const customers = Math.max(1, Math.floor(ROWS / 10));
  // Rows = customers + accounts + deposits + 3 per transfer (the transfer and two journal lines).
  const transfers = Math.max(customers, Math.round((ROWS - 3 * customers) / 3));
  const moves = transfers - customers;
  const first = ['Ada', 'Grace', 'Alan', 'Edsger', 'Barbara', 'Donald', 'Frances', 'John', 'Radia', 'Ken'];
  const middle = ['Maria', 'Jo', 'Lee', 'Ann', 'Ray', 'Kim', 'Sam', 'Noor', 'Eli', 'Tess'];
  const last = [
    'Lovelace',
    'Hopper',
    'Turing',
    'Dijkstra',
    'Liskov',
    'Knuth',
    'Allen',
    'Backus',
    'Perlman',
    'Thompson',
  ];
  const array = (list) => `array[${list.map((name) => `'${name}'`).join(',')}]`;
  const client = new pg.Client({ connectionString: urlOf(names.production) });
  await client.connect();
  try {
    await client.query('begin');
    await client.query('alter table transfers disable trigger user');
    await client.query('alter table journal disable trigger user');
    await client.query(`insert into accounts (id, customer_id, owner, kind, currency, balance, overdraft_limit, created_at)
      values ('PRD-ACC-funding-EUR', null, 'external funding (EUR)', 'funding', 'EUR', 0, 0, '2026-01-01T00:00:00.000Z')`);
    await client.query(`insert into customers (id, name, email, created_at)
      select 'PRD-CUS-' || i,
        (${array(first)})[1 + i % 10] || ' ' || (${array(middle)})[1 + (i / 10) % 10] || ' ' || (${array(last)})[1 + (i / 100) % 10] || '-' || i,
        'customer.' || i || '@example.com', '2026-01-01T00:00:00.000Z'
      from generate_series(1, ${customers}) as i`);
    await client.query(`insert into accounts (id, customer_id, owner, kind, currency, balance, overdraft_limit, created_at)
      select 'PRD-ACC-' || i, 'PRD-CUS-' || i, c.name, 'customer', 'EUR', 0, 0, '2026-01-01T00:00:00.000Z'
      from generate_series(1, ${customers}) as i join customers c on c.id = 'PRD-CUS-' || i`);
    await client.query(`insert into transfers (id, from_account, to_account, amount, currency, kind, created_at)
      select 'PRD-TXN-d' || i, 'PRD-ACC-funding-EUR', 'PRD-ACC-' || i, 100000 + (i * 7919) % 900000, 'EUR', 'deposit', '2026-01-02T00:00:00.000Z'
      from generate_series(1, ${customers}) as i`);
    await client.query(`insert into deposits (id, account_id, amount, currency, status, gateway_reference, transfer_id, failure, created_at, updated_at)
      select 'PRD-DEP-' || i, 'PRD-ACC-' || i, 100000 + (i * 7919) % 900000, 'EUR', 'booked', 'GW-' || md5(i::text), 'PRD-TXN-d' || i, null,
        '2026-01-02T00:00:00.000Z', '2026-01-02T00:00:00.000Z'
      from generate_series(1, ${customers}) as i`);
    // Customer to customer: each account sends and receives a few small amounts (never below zero: deposits are larger).
    await client.query(`insert into transfers (id, from_account, to_account, amount, currency, kind, created_at)
      select 'PRD-TXN-t' || j, 'PRD-ACC-' || (1 + j % ${customers}), 'PRD-ACC-' || (1 + (j + 1 + j / ${customers}) % ${customers}),
        100 + j % 900, 'EUR', 'transfer', '2026-01-03T00:00:00.000Z'
      from generate_series(1, ${moves}) as j
      where ${customers} > 1`);
    await client.query(`insert into journal (transfer_id, side, account_id, amount, created_at)
      select id, 'debit', from_account, -amount, created_at from transfers
      union all select id, 'credit', to_account, amount, created_at from transfers`);
    await client.query(`update accounts a set balance = j.sum from
      (select account_id, sum(amount) as sum from journal group by account_id) j where j.account_id = a.id`);
    await client.query('alter table transfers enable trigger user');
    await client.query('alter table journal enable trigger user');
    await client.query('commit');
    await client.query('analyze');
    const counted = await client.query(`select
      (select count(*) from customers) + (select count(*) from accounts) + (select count(*) from deposits)
      + (select count(*) from transfers) + (select count(*) from journal) as rows,
      (select sum(balance) from accounts)::text as total`);
    const [row] = counted.rows;
    if (row.total !== '0') throw new Error(`the loaded ledger does not balance (${row.total})`);
    return Number(row.rows);
  } finally {
    await client.end();
  }
}

/** `pg_dump -Fc production | pg_restore` into a new empty database, timed; the database is dropped after. */
async function plainCopy(run) {
  const target = `ew_bench_refresh_plain_${suffix}_${run}`;
  await admin(`create database ${target}`);
  try {
    const started = performance.now();
    const result = spawnSync(
      'sh',
      ['-c', `pg_dump --format=custom "$SOURCE" | pg_restore --no-owner --dbname="$TARGET"`],
      { env: { ...env, SOURCE: urlOf(names.production), TARGET: urlOf(target) }, encoding: 'utf8' },
    );
    const ms = performance.now() - started;
    if (result.status !== 0) throw new Error(`pg_dump | pg_restore failed:\n${result.stderr}`);
    return ms;
  } finally {
    await admin(`drop database if exists ${target}`);
  }
}

/** What the refresh left in staging: rows, balances, and names and emails that came from production. */
async function checkStaging() {
  const client = new pg.Client({ connectionString: urlOf(names.staging) });
  await client.connect();
  try {
    const { rows } = await client.query(`select
      (select count(*) from customers) + (select count(*) from accounts) + (select count(*) from deposits)
      + (select count(*) from transfers) + (select count(*) from journal) as rows,
      (select count(*) from customers where name ~ '-[0-9]+$' or email like '%@example.com') as leaked,
      (select environment from envward_stamp) as stamp`);
    return rows[0];
  } finally {
    await client.end();
  }
}

const median = (list) => [...list].sort((a, b) => a - b)[Math.floor(list.length / 2)];

makeProject();
for (const database of Object.values(names)) await admin(`create database ${database}`);
try {
  for (const environment of Object.keys(names)) {
    cli(['db', 'stamp', '--env', environment]);
    cli(['migrate', 'up', '--env', environment]);
  }
  const started = performance.now();
  const rows = await loadProduction();
  out(
    `production: ${rows.toLocaleString('en')} ledger rows loaded in ${((performance.now() - started) / 1000).toFixed(1)} s`,
  );
  const envward = [];
  const plain = [];
  for (let run = 0; run < RUNS; run++) {
    const refresh = cli(['data', 'refresh', '--from', 'production', '--to', 'staging', '--reason', 'bench', '--json']);
    envward.push(refresh.ms);
    const staging = await checkStaging();
    if (Number(staging.rows) !== rows || Number(staging.leaked) !== 0 || staging.stamp !== 'staging') {
      throw new Error(`the refresh left staging wrong: ${JSON.stringify(staging)}`);
    }
    plain.push(await plainCopy(run));
    out(
      `run ${run + 1}: envward ${(envward.at(-1) / 1000).toFixed(2)} s, pg_dump | pg_restore ${(plain.at(-1) / 1000).toFixed(2)} s`,
    );
  }
  const ratio = median(envward) / median(plain);
  const report = {
    rows,
    runs: RUNS,
    envward: { medianMs: Math.round(median(envward)), rowsPerSecond: Math.round(rows / (median(envward) / 1000)) },
    pgDumpRestore: { medianMs: Math.round(median(plain)), rowsPerSecond: Math.round(rows / (median(plain) / 1000)) },
    ratio: Number(ratio.toFixed(2)),
    goal: GOAL,
    met: ratio <= GOAL,
  };
  out('');
  out(`| ${rows.toLocaleString('en')} rows, PostgreSQL | median wall time | rows per second |`);
  out('| --- | --- | --- |');
  out(
    `| envward data refresh (anonymised, verified) | ${(report.envward.medianMs / 1000).toFixed(2)} s | ${report.envward.rowsPerSecond.toLocaleString('en')} |`,
  );
  out(
    `| pg_dump \\| pg_restore (plain copy) | ${(report.pgDumpRestore.medianMs / 1000).toFixed(2)} s | ${report.pgDumpRestore.rowsPerSecond.toLocaleString('en')} |`,
  );
  out('');
  out(`envward / pg_dump | pg_restore: ${report.ratio}x (goal <= ${GOAL}x: ${report.met ? 'met' : 'NOT met'})`);
  if (args.json) console.log(JSON.stringify(report, null, 2));
} finally {
  for (const database of Object.values(names)) await admin(`drop database if exists ${database} with (force)`);
}
