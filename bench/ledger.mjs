// `npm run bench:ledger`: the ledger under load, on SQLite and PostgreSQL.
//
// 32 concurrent HTTP clients make 20,000 random transfers between 200 funded
// accounts; 10% of them are retried with the same Idempotency-Key (half right
// after the first answer, half at the same time as it). Afterwards the run
// asserts that no money was made or lost: balances still sum to what was
// deposited, every journal entry balances, every balance equals its journal,
// and no transfer was applied twice (one posting per key).
//
// Three services run the same workload, each on a fresh database:
// - plain: plain Fastify (no plugin) and a plain Kysely over the same driver
//   (no stamp check, no id check, no table prefix; the same WAL and
//   foreign-key settings);
// - guarded: plain Fastify over envward's store (stamped on open, the
//   environment-id check on every write): the workload "through the driver
//   without envward's guards" of issue 7 is plain, so guarded / plain is
//   what the guards cost (goal >= 0.95);
// - envward: the ledger as `npm start` runs it, the store and the whole
//   Fastify plugin (environment header, request ids, security headers,
//   metrics, rate limit); envward / plain is everything envward adds, the
//   plugin's share measured on its own by bench/http.mjs.
// Rounds rotate the order; the best round of each is compared.
//
// Runs from TypeScript sources through tsx (the ledger is an example app):
//   npm run bench:ledger [-- --transfers 20000 --clients 32 --rounds 2 --only sqlite]
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { Kysely, PostgresDialect, SqliteDialect } from 'kysely';
import pg from 'pg';
import { Pool } from 'undici';
import { v7 as uuidv7 } from 'uuid';
import { buildLedgerApp } from '../examples/ledger/src/app.ts';
import { ledger } from '../examples/ledger/src/ledger.ts';
import { openLedger } from '../examples/ledger/src/open-ledger.ts';

const { values: args } = parseArgs({
  options: {
    transfers: { type: 'string', default: '20000' },
    clients: { type: 'string', default: '32' },
    accounts: { type: 'string', default: '200' },
    rounds: { type: 'string', default: '2' },
    only: { type: 'string' },
  },
});
const TRANSFERS = Number(args.transfers);
const CLIENTS = Number(args.clients);
const ACCOUNTS = Number(args.accounts);
const ROUNDS = Number(args.rounds);
const RETRY_SHARE = 0.1;
const FUNDING = 10_000_000;
const PG_SERVER = process.env.ENVWARD_TEST_PG ?? 'postgres://postgres@127.0.0.1:5432';

function pgUrl(database) {
  const url = new URL(PG_SERVER);
  url.pathname = `/${database}`;
  return url.toString();
}

async function onPgServer(sqlText) {
  const client = new pg.Client({ connectionString: pgUrl('postgres') });
  await client.connect();
  try {
    await client.query(sqlText);
  } finally {
    await client.end();
  }
}

/** A fresh, migrated ledger database; returns its URL and how to drop it. */
async function freshDatabase(dialect, label) {
  if (dialect === 'sqlite') {
    const dir = mkdtempSync(join(tmpdir(), 'envward-bench-ledger-'));
    return {
      url: `sqlite:${join(dir, 'ledger.db')}`,
      path: join(dir, 'ledger.db'),
      drop: async () => rmSync(dir, { recursive: true, force: true }),
    };
  }
  const name = `envward_bench_ledger_${label}_${process.pid}`;
  await onPgServer(`drop database if exists "${name}" with (force)`);
  await onPgServer(`create database "${name}"`);
  return { url: pgUrl(name), drop: () => onPgServer(`drop database if exists "${name}" with (force)`) };
}

const VARIABLES = {
  // A test environment with limits high enough for a load test (the rate limit stays on, and is measured).
  HTTP_RATE_LIMIT_MAX: '100000000',
  // Funding deposits in one step each; the workload's amounts stay below test's usual limit.
  LEDGER_TRANSFER_LIMIT: '1000000000',
  PATH: process.env.PATH,
};

/** The ledger over envward's stamped, guarded store; with or without the Fastify plugin. */
async function envwardService(database, plugin) {
  const runtime = await openLedger({
    env: 'test',
    seed: false,
    variables: { ...VARIABLES, DATABASE_URL: database.url },
  });
  const app = await buildLedgerApp(runtime, { plugin });
  return {
    runtime,
    app,
    close: async () => {
      await app.close();
      await runtime.close();
    },
  };
}

/** The database settings a careful team would choose anyway (as envward does): WAL, foreign keys enforced. */
async function plainSqlite(path) {
  const { default: Database } = await import('better-sqlite3');
  const database = new Database(path, { timeout: 5000 });
  database.pragma('journal_mode = WAL');
  database.pragma('foreign_keys = ON');
  return database;
}

function plainPool(url) {
  const pool = new pg.Pool({ connectionString: url, max: 10 });
  pool.on('error', () => {}); // as envward's own pool: an idle connection dropped at the end is not a failure
  return pool;
}

/** The same ledger code over a plain Kysely and plain Fastify. */
async function plainService(database, dialect) {
  // Migrate through envward once (same schema), then leave it out of the request path.
  const setup = await openLedger({ env: 'test', seed: false, variables: { ...VARIABLES, DATABASE_URL: database.url } });
  const { resolved } = setup;
  await setup.close();
  const db =
    dialect === 'sqlite'
      ? new Kysely({
          dialect: new SqliteDialect({ database: await plainSqlite(database.path) }),
        })
      : new Kysely({
          dialect: new PostgresDialect({ pool: plainPool(database.url) }),
        });
  const plain = ledger(db, {
    transferLimit: resolved.values.ledger.transferLimit,
    currencies: resolved.values.ledger.currencies,
    environment: 'test',
    dialect,
    nextId: (kind) => `TST-${kind.toUpperCase()}-${uuidv7()}`,
  });
  const runtime = {
    resolved,
    store: undefined,
    ledger: plain,
    gateway: { mode: 'mock', collect: async () => ({ reference: 'x' }) },
  };
  const app = await buildLedgerApp(runtime, { plugin: false });
  return {
    runtime: { ledger: plain },
    app,
    close: async () => {
      await app.close();
      await db.destroy();
    },
  };
}

function percentile(sorted, p) {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

async function workload(service) {
  const { ledger: book } = service.runtime;
  // Funded accounts, made directly (not part of the measured workload).
  const ids = [];
  for (let i = 0; i < ACCOUNTS; i++) {
    const account = await book.openAccount({ owner: `client ${i}`, currency: 'EUR' });
    await book.deposit(account.id, FUNDING);
    ids.push(account.id);
  }
  const before = await book.audit();

  const address = await service.app.listen({ host: '127.0.0.1', port: 0 });
  const pool = new Pool(address, { connections: CLIENTS, pipelining: 1 });
  const latencies = [];
  let next = 0;
  let created = 0;
  let replays = 0;
  let refused = 0;
  const send = async (key, body) => {
    const started = performance.now();
    const response = await pool.request({
      method: 'POST',
      path: '/transfers',
      headers: { 'content-type': 'application/json', 'idempotency-key': key },
      body,
    });
    const text = await response.body.text();
    latencies.push(performance.now() - started);
    const answer = { status: response.statusCode, body: JSON.parse(text) };
    if (answer.status >= 300 && refused++ < 3) console.error(`  refused: ${answer.status} ${text}`);
    return answer;
  };
  const started = performance.now();
  await Promise.all(
    Array.from({ length: CLIENTS }, async () => {
      while (next < TRANSFERS) {
        const n = next++;
        const from = ids[Math.floor(Math.random() * ids.length)];
        let to = ids[Math.floor(Math.random() * ids.length)];
        if (to === from) to = ids[(ids.indexOf(from) + 1) % ids.length];
        const key = `bench-${n}-${uuidv7()}`;
        const body = JSON.stringify({ from, to, amount: 1 + Math.floor(Math.random() * 50_000) });
        const retry = Math.random() < RETRY_SHARE;
        const concurrent = retry && Math.random() < 0.5;
        const answers = concurrent ? await Promise.all([send(key, body), send(key, body)]) : [await send(key, body)];
        if (retry && !concurrent) answers.push(await send(key, body));
        for (const answer of answers) {
          if (answer.status === 201) created++;
          else if (answer.status === 200) replays++;
        }
        if (answers.length === 2 && answers.every((a) => a.status < 300)) {
          assert.equal(answers[0].body.id, answers[1].body.id, 'a retry returned another transfer');
        }
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  await pool.close();
  const after = await book.audit();
  latencies.sort((a, b) => a - b);

  // The invariants: nothing made or lost, nothing posted twice.
  assert.equal(after.balanceSum, before.balanceSum, 'the sum of all balances changed');
  assert.equal(after.unbalancedTransfers, 0, 'a journal entry does not balance');
  assert.equal(after.balanceMismatches, 0, 'a balance differs from its journal');
  assert.equal(
    after.transfers - before.transfers,
    created,
    'transfers applied != first answers (a retry posted twice)',
  );
  assert.equal(refused, 0, `${refused} requests were refused`);
  return {
    transfersPerSecond: created / seconds,
    requestsPerSecond: latencies.length / seconds,
    p50: percentile(latencies, 50),
    p99: percentile(latencies, 99),
    created,
    replays,
    invariants: after,
  };
}

async function round(dialect, mode, index) {
  const database = await freshDatabase(dialect, `${mode}_${index}`);
  const service =
    mode === 'plain' ? await plainService(database, dialect) : await envwardService(database, mode === 'envward');
  try {
    return await workload(service);
  } finally {
    await service.close();
    await database.drop();
  }
}

const fmt = (n, digits = 0) =>
  n.toLocaleString('en-GB', { maximumFractionDigits: digits, minimumFractionDigits: digits });

console.log(
  `ledger load test: ${fmt(TRANSFERS)} transfers, ${CLIENTS} clients, ${ACCOUNTS} accounts, ${RETRY_SHARE * 100}% retried; ${ROUNDS} round(s) each, alternating`,
);
for (const dialect of ['sqlite', 'postgres']) {
  if (args.only && args.only !== dialect) continue;
  const results = { plain: [], guarded: [], envward: [] };
  const modes = Object.keys(results);
  for (let i = 0; i < ROUNDS; i++) {
    // Rotated, so no mode always runs first (on a cold cache) or last.
    for (const mode of modes.map((_, k) => modes[(k + i) % modes.length])) {
      const result = await round(dialect, mode, i);
      results[mode].push(result);
      console.log(
        `  ${dialect.padEnd(8)} ${mode.padEnd(8)} round ${i + 1}: ${fmt(result.transfersPerSecond)} transfers/s, p50 ${fmt(result.p50, 2)} ms, p99 ${fmt(result.p99, 2)} ms; ${fmt(result.created)} posted, ${fmt(result.replays)} replays; invariants hold (sum ${result.invariants.balanceSum}, 0 unbalanced, 0 mismatched)`,
      );
    }
  }
  const best = (list) => list.reduce((a, b) => (b.transfersPerSecond > a.transfersPerSecond ? b : a));
  const plain = best(results.plain);
  const describe = (name, result) =>
    `${name} ${fmt(result.transfersPerSecond)} transfers/s (p50 ${fmt(result.p50, 2)} ms, p99 ${fmt(result.p99, 2)} ms)`;
  const ratio = (result) => (result.transfersPerSecond / plain.transfersPerSecond).toFixed(3);
  console.log(`${dialect}: ${describe('plain', plain)}`);
  console.log(
    `${dialect}: ${describe('guarded store', best(results.guarded))}: guards ratio ${ratio(best(results.guarded))} (goal >= 0.95)`,
  );
  console.log(
    `${dialect}: ${describe('envward (store + plugin)', best(results.envward))}: ratio ${ratio(best(results.envward))}`,
  );
}
