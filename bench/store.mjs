#!/usr/bin/env node
// Benchmark: the store's guards against the same work without envward, on
// SQLite and on a real PostgreSQL.
//
// What it measures
// - Audit appends per second: one writer (appends in a loop in this
//   process) and four concurrent writer processes, each appending its share
//   once all four have opened the store; the rate is all appends over the
//   time from the first start to the last finish. Every append takes the
//   database's write lock (SQLite BEGIN IMMEDIATE, a PostgreSQL advisory
//   lock), reads the head and inserts one row; the chain is verified after.
// - `audit verify` over 100,000 events: the events are generated with the
//   documented hash (SHA-256 over the previous hash, a newline and the JSON
//   of the row's fields; see docs/store.md) and bulk-inserted with the plain
//   driver, then store.audit.verify() is timed (median of --verify-runs), and
//   one cold `envward audit verify --json` process. Goal: under 2 s.
// - The stamp check on open: openStore() on an already resolved
//   configuration (connect, make envward's tables if missing, read and check
//   the stamp) against plain Kysely over the same database (connect and run
//   `select 1`, so the connection is really made), then closed; interleaved,
//   median of --open-runs.
// - The id check per write: the cross-environment plugin's transformQuery()
//   on a prebuilt insert node (one row: an own coded id, a number, a string)
//   in a loop, against the same loop calling a plugin that returns the node;
//   and end to end, --inserts single-row inserts in one transaction through
//   store.db against a plain Kysely on the same database. Goal: under 1 µs.
//
// PostgreSQL: a fresh database `envward_bench_<random>` is created on
// ENVWARD_BENCH_PG (default postgres://postgres@127.0.0.1:5432, trust auth)
// and dropped at the end. --no-postgres skips it.
//
// Rerun: npm run build && npm run bench:store [-- --appends 2000 --verify-events 100000 --json]
// With --json the tables go to stderr and a JSON report to stdout.
// Generated files go to bench/.work/store/ (git-ignored).
import { spawn, spawnSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import Database from 'better-sqlite3';
import { Kysely, PostgresDialect, SqliteDialect, sql } from 'kysely';
import pg from 'pg';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const WORK = join(ROOT, 'bench', '.work', 'store');
const ENVWARD_URL = pathToFileURL(join(ROOT, 'dist', 'index.js')).href;
const STORE_URL = pathToFileURL(join(ROOT, 'dist', 'store.js')).href;
const CLI = join(ROOT, 'bin', 'envward.js');

const { values: args } = parseArgs({
  options: {
    appends: { type: 'string', default: '2000' },
    writers: { type: 'string', default: '4' },
    'verify-events': { type: 'string', default: '100000' },
    'verify-runs': { type: 'string', default: '5' },
    'open-runs': { type: 'string', default: '30' },
    inserts: { type: 'string', default: '5000' },
    'transform-loops': { type: 'string', default: '1000000' },
    'no-postgres': { type: 'boolean', default: false },
    json: { type: 'boolean', default: false },
  },
});
const APPENDS = Number(args.appends);
const WRITERS = Number(args.writers);
const VERIFY_EVENTS = Number(args['verify-events']);
const VERIFY_RUNS = Number(args['verify-runs']);
const OPEN_RUNS = Number(args['open-runs']);
const INSERTS = Number(args.inserts);
const TRANSFORM_LOOPS = Number(args['transform-loops']);
const out = args.json ? (line = '') => process.stderr.write(`${line}\n`) : (line = '') => console.log(line);

if (!existsSync(join(ROOT, 'dist', 'index.js'))) {
  console.error('dist/index.js is missing: run `npm run build` first.');
  process.exit(1);
}
const envward = { ...(await import(ENVWARD_URL)), ...(await import(STORE_URL)) };

const CONFIG = `import { database, defineConfig, z } from 'envward';
export default defineConfig({
  project: 'store-bench',
  use: [database],
  schema: z.object({}),
});
`;

// A writer process: opens the store, says "ready", appends its share on "go", reports its times.
const WRITER = `import { once } from 'node:events';
import { resolveConfig } from ${JSON.stringify(ENVWARD_URL)};
import { openStore } from ${JSON.stringify(STORE_URL)};
const [dir, count, label] = process.argv.slice(2);
const store = await openStore(await resolveConfig({ cwd: dir, env: 'development', variables: {} }), { actor: label });
process.stdout.write('ready\\n');
await once(process.stdin, 'data');
const start = Date.now();
for (let i = 0; i < Number(count); i++) await store.audit.append({ action: 'bench.append', target: label + '-' + i, outcome: 'done' });
const end = Date.now();
await store.close();
process.stdout.write(JSON.stringify({ start, end }) + '\\n');
`;

const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
};
const ms = (start) => Number(process.hrtime.bigint() - start) / 1e6;
const fmt = (n, digits = 1) =>
  n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });

/** A project in bench/.work/store/<name> whose every environment uses `url`. */
function writeProject(name, url) {
  const dir = join(WORK, name);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(join(dir, 'config'), { recursive: true });
  writeFileSync(join(dir, 'envward.config.ts'), CONFIG);
  writeFileSync(join(dir, 'config', 'base.yml'), `database:\n  url: ${url}\n`);
  return dir;
}

const resolve = (dir) => envward.resolveConfig({ cwd: dir, env: 'development', variables: {} });

/** The audit hash as docs/store.md describes it. */
function chainHash(prev, row) {
  const canonical = JSON.stringify([
    row.seq,
    row.at,
    row.environment,
    row.actor,
    row.host,
    row.action,
    row.target,
    row.reason,
    row.outcome,
  ]);
  return createHash('sha256').update(prev).update('\n').update(canonical).digest('hex');
}

/** `count` chained rows following `head` (seq and hash of the last row in the table). */
function generateRows(head, count) {
  const rows = [];
  let prev = head.hash;
  const at = new Date().toISOString();
  for (let i = 1; i <= count; i++) {
    const row = {
      seq: head.seq + i,
      at,
      environment: 'development',
      actor: 'bench',
      host: 'bench-host',
      action: 'bench.generated',
      target: `account-${i}`,
      reason: i % 10 === 0 ? 'generated for the verify benchmark' : null,
      outcome: 'done',
    };
    const hash = chainHash(prev, row);
    rows.push({ ...row, prev_hash: prev, hash });
    prev = hash;
  }
  return rows;
}

const COLUMNS = [
  'seq',
  'at',
  'environment',
  'actor',
  'host',
  'action',
  'target',
  'reason',
  'outcome',
  'prev_hash',
  'hash',
];

/** Plain drivers for each dialect: bulk inserts, plain Kysely, a fresh empty database. */
const dialects = {
  sqlite: {
    url: (name) => `sqlite:var/${name}.db`,
    file: (dir, name) => join(dir, 'var', `${name}.db`),
    async bulkInsert(target, rows) {
      const db = new Database(target);
      const insert = db.prepare(
        `insert into envward_audit (${COLUMNS.join(', ')}) values (${COLUMNS.map(() => '?').join(', ')})`,
      );
      db.transaction(() => {
        for (const row of rows) insert.run(...COLUMNS.map((column) => row[column]));
      })();
      db.close();
    },
    plainKysely(target, plugins = []) {
      const database = new Database(target);
      database.pragma('journal_mode = WAL');
      return new Kysely({ dialect: new SqliteDialect({ database }), plugins });
    },
  },
  postgres: {
    async bulkInsert(target, rows) {
      const client = new pg.Client({ connectionString: target });
      await client.connect();
      try {
        await client.query('begin');
        for (let i = 0; i < rows.length; i += 1000) {
          const batch = rows.slice(i, i + 1000);
          const values = [];
          const tuples = batch.map((row, r) => {
            values.push(...COLUMNS.map((column) => row[column]));
            return `(${COLUMNS.map((_, c) => `$${r * COLUMNS.length + c + 1}`).join(', ')})`;
          });
          await client.query(`insert into envward_audit (${COLUMNS.join(', ')}) values ${tuples.join(', ')}`, values);
        }
        await client.query('commit');
      } finally {
        await client.end();
      }
    },
    plainKysely(target, plugins = []) {
      const pool = new pg.Pool({ connectionString: target, max: 5 });
      return new Kysely({ dialect: new PostgresDialect({ pool }), plugins });
    },
  },
};

const PG_SERVER = process.env.ENVWARD_BENCH_PG ?? 'postgres://postgres@127.0.0.1:5432';
const pgUrl = (database) => {
  const url = new URL(PG_SERVER);
  url.pathname = `/${database}`;
  return url.toString();
};
async function onPgServer(statement) {
  const client = new pg.Client({ connectionString: pgUrl('postgres') });
  await client.connect();
  try {
    await client.query(statement);
  } finally {
    await client.end();
  }
}

/** One writer in this process, then WRITERS processes at once; appends per second, chain checked. */
async function measureAppends(dir) {
  const store = await envward.openStore(await resolve(dir));
  try {
    const start = process.hrtime.bigint();
    for (let i = 0; i < APPENDS; i++)
      await store.audit.append({ action: 'bench.append', target: `one-${i}`, outcome: 'done' });
    const single = APPENDS / (ms(start) / 1000);

    writeFileSync(join(WORK, 'writer.mjs'), WRITER);
    const share = Math.ceil(APPENDS / WRITERS);
    const children = Array.from({ length: WRITERS }, (_, index) =>
      spawn(process.execPath, [join(WORK, 'writer.mjs'), dir, String(share), `writer${index}`], {
        stdio: ['pipe', 'pipe', 'inherit'],
      }),
    );
    const outputs = children.map((child) => {
      let text = '';
      child.stdout.on('data', (chunk) => {
        text += chunk;
      });
      return once(child, 'close').then(([code]) => {
        if (code !== 0) throw new Error(`a writer exited ${code}`);
        return JSON.parse(text.trim().split('\n').at(-1));
      });
    });
    await Promise.all(children.map((child) => once(child.stdout, 'data')));
    for (const child of children) child.stdin.end('go\n');
    const times = await Promise.all(outputs);
    const span = Math.max(...times.map((t) => t.end)) - Math.min(...times.map((t) => t.start));
    const concurrent = (share * WRITERS) / (span / 1000);
    const verification = await store.audit.verify();
    if (!verification.ok) throw new Error(`chain broken after concurrent appends: ${verification.broken.message}`);
    return { single, concurrent, events: verification.rows };
  } finally {
    await store.close();
  }
}

/** store.audit.verify() over VERIFY_EVENTS events (median), and one cold CLI process. */
async function measureVerify(dir, dialect, target) {
  const store = await envward.openStore(await resolve(dir));
  try {
    const [head] = await store.audit.list({ limit: 1 });
    const rows = generateRows(
      { seq: head?.seq ?? 0, hash: head?.hash ?? '0'.repeat(64) },
      VERIFY_EVENTS - (head?.seq ?? 0),
    );
    await dialects[dialect].bulkInsert(target, rows);
    const times = [];
    let result;
    for (let i = 0; i < VERIFY_RUNS; i++) {
      const start = process.hrtime.bigint();
      result = await store.audit.verify();
      times.push(ms(start));
    }
    if (!result.ok || result.rows !== VERIFY_EVENTS) {
      throw new Error(`verify of the generated log: ${JSON.stringify(result)}`);
    }
    const start = process.hrtime.bigint();
    const cli = spawnSync(process.execPath, [CLI, 'audit', 'verify', '--json', '--env', 'development', '--cwd', dir], {
      encoding: 'utf8',
    });
    const cold = ms(start);
    if (cli.status !== 0 || JSON.parse(cli.stdout).rows !== VERIFY_EVENTS)
      throw new Error(`envward audit verify: ${cli.stderr}`);
    return { median: median(times), min: Math.min(...times), cold };
  } finally {
    await store.close();
  }
}

/** openStore() against plain Kysely + `select 1`, interleaved, each closed after. */
async function measureOpen(dir, dialect, target) {
  const resolved = await resolve(dir);
  // Warm both paths (module loading, the database's tables and stamp).
  await (await envward.openStore(resolved)).close();
  const warm = dialects[dialect].plainKysely(target);
  await sql`select 1`.execute(warm);
  await warm.destroy();
  const withStamp = [];
  const plain = [];
  for (let i = 0; i < OPEN_RUNS; i++) {
    let start = process.hrtime.bigint();
    const store = await envward.openStore(resolved);
    withStamp.push(ms(start));
    await store.close();
    start = process.hrtime.bigint();
    const db = dialects[dialect].plainKysely(target);
    await sql`select 1`.execute(db);
    plain.push(ms(start));
    await db.destroy();
  }
  return { withStamp: median(withStamp), plain: median(plain) };
}

/** The id plugin's transformQuery on a prebuilt insert, and inserts end to end with and without it. */
async function measureIds(dir, dialect, target) {
  const store = await envward.openStore(await resolve(dir));
  const plugin = store.plugins.find((candidate) => candidate.constructor.name === 'CrossEnvironmentIdPlugin');
  if (!plugin) throw new Error('the store has no CrossEnvironmentIdPlugin');
  const plainDb = dialects[dialect].plainKysely(target);
  const checkedDb = dialects[dialect].plainKysely(target, [plugin]);
  try {
    const node = plainDb
      .insertInto('transfers')
      .values({ id: store.ids.next('txn'), amount: 100, note: 'rent' })
      .toOperationNode();
    const identity = { transformQuery: (a) => a.node };
    const loop = (candidate) => {
      const transformArgs = { node, queryId: { queryId: 'bench' } };
      const start = process.hrtime.bigint();
      for (let i = 0; i < TRANSFORM_LOOPS; i++) candidate.transformQuery(transformArgs);
      return Number(process.hrtime.bigint() - start) / TRANSFORM_LOOPS;
    };
    loop(plugin);
    loop(identity);
    const pluginNs = median([loop(plugin), loop(plugin), loop(plugin)]);
    const identityNs = median([loop(identity), loop(identity), loop(identity)]);

    await sql`create table if not exists transfers (id text primary key, amount integer not null, note text)`.execute(
      plainDb,
    );
    const insertAll = async (db) => {
      await sql`delete from transfers`.execute(db);
      const start = process.hrtime.bigint();
      await db.transaction().execute(async (trx) => {
        for (let i = 0; i < INSERTS; i++) {
          await trx
            .insertInto('transfers')
            .values({ id: store.ids.next('txn'), amount: i, note: 'rent' })
            .execute();
        }
      });
      return (ms(start) * 1000) / INSERTS;
    };
    const times = { plain: [], checked: [], store: [] };
    for (let i = 0; i < 5; i++) {
      times.plain.push(await insertAll(plainDb));
      times.checked.push(await insertAll(checkedDb));
      times.store.push(await insertAll(store.db));
    }
    return {
      transformNs: pluginNs - identityNs,
      pluginNs,
      identityNs,
      plainInsertUs: median(times.plain),
      checkedInsertUs: median(times.checked),
      storeInsertUs: median(times.store),
    };
  } finally {
    await plainDb.destroy();
    await checkedDb.destroy();
    await store.close();
  }
}

async function benchDialect(dialect) {
  const report = {};
  let cleanup = async () => {};
  const fresh = async (name) => {
    if (dialect === 'sqlite') {
      const dir = writeProject(`sqlite-${name}`, dialects.sqlite.url(name));
      return { dir, target: dialects.sqlite.file(dir, name) };
    }
    const database = `envward_bench_${name}_${randomBytes(4).toString('hex')}`;
    await onPgServer(`create database "${database}"`);
    const previous = cleanup;
    cleanup = async () => {
      await onPgServer(`drop database if exists "${database}" with (force)`);
      await previous();
    };
    const url = pgUrl(database);
    return { dir: writeProject(`postgres-${name}`, url), target: url };
  };
  try {
    out(`\n${dialect}`);
    let place = await fresh('appends');
    report.appends = await measureAppends(place.dir);
    out(
      `  audit appends: one writer ${fmt(report.appends.single, 0)}/s; ${WRITERS} writer processes ${fmt(report.appends.concurrent, 0)}/s together (${report.appends.events} events, chain intact)`,
    );
    place = await fresh('verify');
    report.verify = await measureVerify(place.dir, dialect, place.target);
    out(
      `  audit verify, ${VERIFY_EVENTS.toLocaleString('en-US')} events: median ${fmt(report.verify.median)} ms (min ${fmt(report.verify.min)}); cold \`envward audit verify\` process ${fmt(report.verify.cold)} ms; goal < 2,000 ms`,
    );
    place = await fresh('open');
    report.open = await measureOpen(place.dir, dialect, place.target);
    out(
      `  open: openStore() with the stamp check ${fmt(report.open.withStamp, 2)} ms; plain Kysely + select 1 ${fmt(report.open.plain, 2)} ms; the check adds ${fmt(report.open.withStamp - report.open.plain, 2)} ms`,
    );
    report.ids = await measureIds(place.dir, dialect, place.target);
    out(
      `  id check: transformQuery ${fmt(report.ids.pluginNs)} ns, a no-op plugin ${fmt(report.ids.identityNs)} ns: ${fmt(report.ids.transformNs)} ns per write; goal < 1,000 ns`,
    );
    const { plainInsertUs, checkedInsertUs, storeInsertUs } = report.ids;
    out(
      `  insert in a transaction: plain Kysely ${fmt(plainInsertUs, 2)} µs; the same with the id plugin ${fmt(checkedInsertUs, 2)} µs (ratio ${fmt(checkedInsertUs / plainInsertUs, 2)}); through store.db ${fmt(storeInsertUs, 2)} µs (ratio ${fmt(storeInsertUs / plainInsertUs, 2)})`,
    );
  } finally {
    await cleanup();
  }
  return report;
}

out('envward store benchmark');
out(
  `node ${process.version}; ${APPENDS} appends per writer setup, ${VERIFY_EVENTS.toLocaleString('en-US')} events to verify, ${OPEN_RUNS} opens, ${INSERTS} inserts`,
);
const reports = { sqlite: await benchDialect('sqlite') };
if (!args['no-postgres']) reports.postgres = await benchDialect('postgres');

if (args.json) process.stdout.write(`${JSON.stringify({ node: process.version, ...reports }, null, 2)}\n`);
