// The three ledger services bench/ledger.mjs compares, each on a fresh,
// migrated database, and the second runtime of each kind that
// ledger-accrue.mjs opens on the same database for the concurrent interest
// run:
// - plain: plain Fastify (no plugin) and a plain Kysely over the same driver
//   (no stamp check, no id check, no table prefix; the same WAL and
//   foreign-key settings, the same pool size), running the ledger's own code,
//   which checks a transfer and inserts its row (the database's triggers post
//   it, migration 004);
// - guarded: plain Fastify over envward's store (stamped on open, the
//   environment-id check on every write);
// - envward: the ledger as `npm start` runs it, the store and the whole
//   Fastify plugin.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { resolveConfig } from 'envward';
import { Kysely, PostgresDialect, SqliteDialect } from 'kysely';
import pg from 'pg';
import { v7 as uuidv7 } from 'uuid';
import { buildLedgerApp } from '../examples/ledger/src/app.ts';
import { deposits } from '../examples/ledger/src/deposits.ts';
import { interest } from '../examples/ledger/src/interest.ts';
import { ledger } from '../examples/ledger/src/ledger.ts';
import { LEDGER_ROOT, openLedger } from '../examples/ledger/src/open-ledger.ts';
import { openPaymentGateway } from '../examples/ledger/src/payment-gateway.ts';

export const PG_SERVER = process.env.ENVWARD_TEST_PG ?? 'postgres://postgres@127.0.0.1:5432';

export function pgUrl(database) {
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

/** A fresh, empty database (migrated when a service opens it); its URL, its file on SQLite, and how to drop it. */
export async function freshDatabase(dialect, label) {
  if (dialect === 'sqlite') {
    const dir = mkdtempSync(join(tmpdir(), 'envward-bench-ledger-'));
    return {
      dialect,
      url: `sqlite:${join(dir, 'ledger.db')}`,
      path: join(dir, 'ledger.db'),
      drop: async () => rmSync(dir, { recursive: true, force: true }),
    };
  }
  const name = `envward_bench_ledger_${label}_${process.pid}`;
  await onPgServer(`drop database if exists "${name}" with (force)`);
  await onPgServer(`create database "${name}"`);
  return { dialect, url: pgUrl(name), drop: () => onPgServer(`drop database if exists "${name}" with (force)`) };
}

const VARIABLES = {
  // A test environment with limits high enough for a load test (the rate limit stays on, and is measured).
  HTTP_RATE_LIMIT_MAX: '100000000',
  // Funding deposits in one step each: whole units, so 1,000,000,000.00 EUR.
  LEDGER_TRANSFER_LIMIT: '1000000000',
  // Measured without JWT auth (as before it existed), so figures compare across versions; bench:http measures the plugin.
  AUTH_JWT_ENABLED: 'false',
  PATH: process.env.PATH,
};

const openEnvwardLedger = (database, gateway) =>
  openLedger({
    env: 'test',
    seed: false,
    gateway,
    variables: { ...VARIABLES, DATABASE_URL: database.url },
  });

/** The ledger over envward's stamped, guarded store; with or without the Fastify plugin. */
async function envwardService(database, plugin) {
  const runtime = await openEnvwardLedger(database, true);
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

function plainPool(url, size) {
  const pool = new pg.Pool({ connectionString: url, max: size });
  pool.on('error', () => {}); // as envward's own pool: an idle connection dropped at the end is not a failure
  return pool;
}

/** The ledger's code (rules, deposits, interest) over a plain Kysely of its own. */
async function plainRuntime(database, resolved, gateway) {
  const { values } = resolved;
  const db =
    database.dialect === 'sqlite'
      ? new Kysely({ dialect: new SqliteDialect({ database: await plainSqlite(database.path) }) })
      : new Kysely({ dialect: new PostgresDialect({ pool: plainPool(database.url, values.database.poolSize) }) });
  const nextId = (kind) => `TST-${kind.toUpperCase()}-${uuidv7()}`;
  const book = ledger(db, {
    transferLimit: () => values.ledger.transferLimit,
    defaultOverdraft: values.ledger.defaultOverdraft,
    currencies: values.ledger.currencies,
    idempotencyTtlMs: values.ledger.idempotencyTtlHours * 3_600_000,
    environment: 'test',
    dialect: database.dialect,
    nextId,
    // No audit log without envward; the overdrafts the bench sets are not the measured work.
    audit: async () => {},
  });
  return {
    resolved,
    store: undefined,
    ledger: book,
    deposits: deposits(db, book, gateway, { nextId }),
    interest: interest(db, book, { nextId }),
    close: () => db.destroy(),
  };
}

async function plainService(database) {
  // Migrate through envward once (same schema), then leave it out of the request path.
  const setup = await openEnvwardLedger(database, false);
  const { resolved } = setup;
  await setup.close();
  const gateway = await openPaymentGateway(resolved);
  const runtime = await plainRuntime(database, resolved, gateway);
  const app = await buildLedgerApp(runtime, { plugin: false });
  return {
    runtime,
    app,
    close: async () => {
      await app.close();
      await runtime.close();
      await gateway.close();
    },
  };
}

/** `mode` is plain, guarded or envward. */
export function openService(database, mode) {
  return mode === 'plain' ? plainService(database) : envwardService(database, mode === 'envward');
}

const NO_GATEWAY = {
  mode: 'mock',
  collect: async () => {
    throw new Error('the second runtime takes no deposits');
  },
  close: async () => {},
};

/**
 * Another runtime of `mode`'s kind on a database its service already
 * migrated: a second envward store (guarded, envward) or a second plain
 * Kysely (plain). It runs interest only, so it opens no payment gateway.
 */
export async function openSecondRuntime(database, mode) {
  if (mode !== 'plain') return openEnvwardLedger(database, false);
  const resolved = await resolveConfig({
    cwd: LEDGER_ROOT,
    env: 'test',
    variables: { ...VARIABLES, DATABASE_URL: database.url },
  });
  return plainRuntime(database, resolved, NO_GATEWAY);
}
