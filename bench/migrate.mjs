#!/usr/bin/env node
// Benchmark: applying migrations with envward against plain Kysely Migrator,
// on SQLite and PostgreSQL, on the same files in the same run.
//
// What it measures
// - A generated project with --migrations (200) small migrations,
//   `migrations/NNN_table_N.mjs`, each creating a table and inserting a row
//   (Kysely's own convention: `export async function up(db)`, `down(db)`),
//   JavaScript so that both tools import them natively.
// - envward: `migrateUp(store)` of the built dist/ in the development
//   environment (not protected: no backup), with everything it adds: file
//   checksums, the plan of every migration (destructive-change detection),
//   the migration lock, one transaction per migration with its history row,
//   and the audit event.
// - Kysely: `new Migrator({ provider: new FileMigrationProvider(...) })`
//   `.migrateToLatest()` over the same folder: its lock, one transaction for
//   the whole run, its history table. Same connection settings as envward
//   (SQLite: WAL, foreign keys; PostgreSQL: a pg pool).
// - Each run is a fresh `node child.mjs` process (so no tool finds the
//   migration modules already imported) on a fresh database: a new SQLite
//   file, or a new PostgreSQL database created for the run and dropped after
//   it. Only the migrate call is timed, inside the child; opening the store
//   (config, stamp) and the Kysely instance is not. Tools alternate within
//   each run; one untimed run of each first. Every run must leave all
//   migrations recorded and all tables made, or the benchmark stops.
// - Reported per dialect: each tool's median and minimum, the ratio of the
//   medians, and the paired ratio (the median over runs of envward / Kysely
//   within the run, the two having run back to back), which the goal
//   (<= 1.2) is judged on: on a shared machine PostgreSQL's commit times
//   drift by 3x within a minute, and pairing cancels most of that.
//
// Rerun: npm run build && npm run bench:migrate [-- --runs 5 --migrations 200 --json]
// PostgreSQL: ENVWARD_BENCH_PG (default postgres://postgres@127.0.0.1:5432,
// trust auth); the benchmark creates and drops its own databases.
// With --json the tables go to stderr and a JSON report to stdout.
// Generated files go to bench/.work/migrate/ (git-ignored).
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import pg from 'pg';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const WORK = join(ROOT, 'bench', '.work', 'migrate');
const PROJECT = join(WORK, 'project');
const ENVWARD_URL = pathToFileURL(join(ROOT, 'dist', 'index.js')).href;
const SERVER = process.env.ENVWARD_BENCH_PG ?? 'postgres://postgres@127.0.0.1:5432';

const { values: args } = parseArgs({
  options: {
    runs: { type: 'string', default: '5' },
    migrations: { type: 'string', default: '200' },
    json: { type: 'boolean', default: false },
  },
});
const RUNS = Number(args.runs);
const MIGRATIONS = Number(args.migrations);
const GOAL = 1.2;
const out = args.json ? (line = '') => process.stderr.write(`${line}\n`) : (line = '') => console.log(line);

if (!existsSync(join(ROOT, 'dist', 'index.js'))) {
  console.error('dist/index.js is missing: run `npm run build` first.');
  process.exit(1);
}

// ---------------------------------------------------------------------------
// The project: envward.config.ts, the migrations, and the child that times one run.

function write(file, text) {
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, text);
}

const migrationSource = (n) => `export async function up(db) {
  await db.schema
    .createTable('table_${n}')
    .addColumn('id', 'integer', (c) => c.primaryKey())
    .addColumn('label', 'text', (c) => c.notNull())
    .execute();
  await db.insertInto('table_${n}').values({ id: 1, label: 'row of migration ${n}' }).execute();
}

export async function down(db) {
  await db.schema.dropTable('table_${n}').execute();
}
`;

const CHILD = `import Database from 'better-sqlite3';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import { FileMigrationProvider, Kysely, Migrator, PostgresDialect, SqliteDialect, sql } from 'kysely';

const [tool, dialect, url] = process.argv.slice(2);
const folder = path.join(process.cwd(), 'migrations');
let ms;
let applied;
let close;
let db;
if (tool === 'envward') {
  const { migrateUp, openStore, resolveConfig } = await import(${JSON.stringify(ENVWARD_URL)});
  const resolved = await resolveConfig({ env: 'development', variables: {}, set: { 'database.url': url } });
  const store = await openStore(resolved);
  db = store.db;
  const t0 = performance.now();
  applied = (await migrateUp(store)).applied.length;
  ms = performance.now() - t0;
  close = () => store.close();
} else {
  const kyselyDialect =
    dialect === 'sqlite'
      ? new SqliteDialect({
          database: (() => {
            const database = new Database(url.slice('sqlite:'.length), { timeout: 5000 });
            database.pragma('journal_mode = WAL');
            database.pragma('foreign_keys = ON');
            return database;
          })(),
        })
      : new PostgresDialect({ pool: new pg.Pool({ connectionString: url, max: 5 }) });
  db = new Kysely({ dialect: kyselyDialect });
  const migrator = new Migrator({ db, provider: new FileMigrationProvider({ fs, path, migrationFolder: folder }) });
  const t0 = performance.now();
  const { error, results } = await migrator.migrateToLatest();
  ms = performance.now() - t0;
  if (error) throw error;
  applied = results.filter((r) => r.status === 'Success').length;
  close = () => db.destroy();
}
const tables =
  dialect === 'sqlite'
    ? await sql\`select count(*) as n from sqlite_master where type = 'table' and name like 'table_%'\`.execute(db)
    : await sql\`select count(*) as n from information_schema.tables where table_schema = 'public' and table_name like 'table_%'\`.execute(db);
await close();
process.stdout.write(JSON.stringify({ ms, applied, tables: Number(tables.rows[0].n) }));
`;

function generate() {
  const marker = join(WORK, 'generator');
  const generator = `${MIGRATIONS}\n${CHILD}\n${migrationSource('N')}`;
  if (existsSync(marker) && readFileSync(marker, 'utf8') === generator) return;
  rmSync(WORK, { recursive: true, force: true });
  write(
    join(PROJECT, 'envward.config.ts'),
    `import { database, defineConfig, z } from 'envward';

export default defineConfig({
  project: 'bench-migrate',
  use: [database],
  schema: z.object({}),
});
`,
  );
  const width = Math.max(3, String(MIGRATIONS).length);
  for (let n = 1; n <= MIGRATIONS; n++) {
    write(join(PROJECT, 'migrations', `${String(n).padStart(width, '0')}_table_${n}.mjs`), migrationSource(n));
  }
  write(join(PROJECT, 'child.mjs'), CHILD);
  writeFileSync(marker, generator);
}

// ---------------------------------------------------------------------------
// Databases: a fresh one per run, always dropped.

const serverUrl = (database) => {
  const url = new URL(SERVER);
  url.pathname = `/${database}`;
  return url.toString();
};
const made = new Set();
async function onServer(text) {
  const client = new pg.Client({ connectionString: serverUrl('postgres') });
  await client.connect();
  try {
    await client.query(text);
  } finally {
    await client.end();
  }
}
async function freshDatabase(dialect, label) {
  if (dialect === 'sqlite') {
    const file = join(WORK, 'db', `${label}.db`);
    for (const suffix of ['', '-wal', '-shm', '.migrate.lock.db']) rmSync(`${file}${suffix}`, { force: true });
    mkdirSync(dirname(file), { recursive: true });
    return { url: `sqlite:${file}`, drop: async () => {} };
  }
  const name = `envward_bench_${label.replace(/[^a-z0-9]/g, '_')}_${randomBytes(3).toString('hex')}`;
  await onServer(`create database "${name}"`);
  made.add(name);
  return {
    url: serverUrl(name),
    drop: async () => {
      await onServer(`drop database if exists "${name}" with (force)`);
      made.delete(name);
    },
  };
}

const childEnv = {
  PATH: process.env.PATH,
  HOME: process.env.HOME,
  ...(process.env.XDG_CACHE_HOME ? { XDG_CACHE_HOME: process.env.XDG_CACHE_HOME } : {}),
};
async function runOnce(tool, dialect, label) {
  const database = await freshDatabase(dialect, `${tool}_${dialect}_${label}`);
  try {
    const result = spawnSync(process.execPath, ['child.mjs', tool, dialect, database.url], {
      cwd: PROJECT,
      env: childEnv,
      encoding: 'utf8',
    });
    if (result.status !== 0)
      throw new Error(`${tool} on ${dialect} failed (${result.status ?? result.signal}):\n${result.stderr}`);
    const report = JSON.parse(result.stdout);
    if (report.applied !== MIGRATIONS || report.tables !== MIGRATIONS) {
      throw new Error(
        `${tool} on ${dialect}: ${report.applied} applied, ${report.tables} tables; expected ${MIGRATIONS}`,
      );
    }
    return report.ms;
  } finally {
    await database.drop();
  }
}

// ---------------------------------------------------------------------------

const DIALECTS = ['sqlite', 'postgres'];
const TOOLS = ['envward', 'kysely'];
const quantile = (times, q) => {
  const sorted = [...times].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
};
const median = (times) => quantile(times, 0.5);

out('envward migrations benchmark');
out(`node ${process.version}, ${MIGRATIONS} migrations, ${RUNS} runs per tool and dialect`);
generate();
const times = Object.fromEntries(DIALECTS.map((d) => [d, Object.fromEntries(TOOLS.map((t) => [t, []]))]));
try {
  for (const dialect of DIALECTS) for (const tool of TOOLS) await runOnce(tool, dialect, 'warmup');
  for (let run = 0; run < RUNS; run++) {
    for (const dialect of DIALECTS) {
      // Alternate which tool goes first, so neither always runs on a warmer machine.
      const order = run % 2 === 0 ? TOOLS : [...TOOLS].reverse();
      for (const tool of order) times[dialect][tool].push(await runOnce(tool, dialect, `r${run}`));
    }
  }
} finally {
  for (const name of made) await onServer(`drop database if exists "${name}" with (force)`).catch(() => {});
}

out('');
out(`Applying ${MIGRATIONS} migrations to an empty database (${RUNS} runs each, ms)`);
out('  dialect     envward median (min)   Kysely median (min)   ratio of medians   paired ratio');
const report = {};
for (const dialect of DIALECTS) {
  const { envward, kysely } = times[dialect];
  // Each run's two tools ran back to back, so their ratio cancels most of a shared machine's drift.
  const paired = median(envward.map((ms, run) => ms / kysely[run]));
  report[dialect] = {
    envwardMs: median(envward),
    kyselyMs: median(kysely),
    envwardMinMs: Math.min(...envward),
    kyselyMinMs: Math.min(...kysely),
    ratioOfMedians: median(envward) / median(kysely),
    pairedRatio: paired,
    runs: times[dialect],
  };
  const r = report[dialect];
  out(
    `  ${dialect.padEnd(10)} ${r.envwardMs.toFixed(1).padStart(8)} (${r.envwardMinMs.toFixed(1).padStart(6)}) ${r.kyselyMs.toFixed(1).padStart(12)} (${r.kyselyMinMs.toFixed(1).padStart(6)}) ${r.ratioOfMedians.toFixed(2).padStart(12)} ${paired.toFixed(2).padStart(16)}`,
  );
}
const worst = Math.max(...DIALECTS.map((dialect) => report[dialect].pairedRatio));
out(`  goal: paired ratio <= ${GOAL}; ${worst <= GOAL ? 'met' : 'NOT met'} (worst ${worst.toFixed(2)})`);

if (args.json) {
  process.stdout.write(
    `${JSON.stringify({ node: process.version, migrations: MIGRATIONS, runs: RUNS, goal: GOAL, ...report }, null, 2)}\n`,
  );
}
