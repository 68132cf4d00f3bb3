#!/usr/bin/env node
// Benchmark: live reload, from a committed revision to each instance's listener.
//
// What it measures
// - PostgreSQL (LISTEN/NOTIFY): --processes services (default 20), each a
//   node process that resolves `development`, opens its store and
//   openLiveConfig over it, and records when its listener is told of each
//   revision. This process then writes --revisions revisions (default 200)
//   with setConfig (one live key, a new value each time), one every
//   --interval ms (default 40; a setConfig that takes longer paces itself).
//   Latency per (revision, instance) is listener time minus commit time,
//   with two commit times: the revision's `at` (stamped inside the writing
//   transaction before its audit event, pg_notify and commit: the latency
//   from it is an upper bound) and the moment setConfig returned (after the
//   commit and closing its store: a lower bound). Goal: p99 <= 250 ms.
// - SQLite (PRAGMA data_version polling every --poll-ms, default 100): the
//   same with --sqlite-processes services (default 5: SQLite is the
//   one-machine store) on one file.
// An instance applies the latest revision and may skip one that a newer one
// overtook before it was applied (it is then told of the newer one only;
// with SQLite, every revision but the last written within one poll). A
// skipped revision's latency is taken to the moment the instance applied a
// newer one (from then on it had that revision's change or a later one), so
// every (revision, instance) pair counts; the skipped count is printed.
// Clocks: every process is on this machine, times are
// performance.timeOrigin + performance.now().
//
// PostgreSQL: a fresh database `envward_bench_<random>` is created on
// ENVWARD_BENCH_PG (default postgres://postgres@127.0.0.1:5432, trust auth)
// and dropped at the end. --no-postgres skips it, --no-sqlite the other.
//
// Rerun: npm run build && npm run bench:reload [-- --processes 20 --revisions 200 --interval 40 --json]
// With --json the tables go to stderr and a JSON report to stdout.
// Generated files go to bench/.work/reload/ (git-ignored).
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import pg from 'pg';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const WORK = join(ROOT, 'bench', '.work', 'reload');
const ENVWARD_URL = pathToFileURL(join(ROOT, 'dist', 'index.js')).href;
const STORE_URL = pathToFileURL(join(ROOT, 'dist', 'store.js')).href;
const RUNTIME_URL = pathToFileURL(join(ROOT, 'dist', 'runtime.js')).href;
const SERVER = process.env.ENVWARD_BENCH_PG ?? 'postgres://postgres@127.0.0.1:5432';

const { values: args } = parseArgs({
  options: {
    processes: { type: 'string', default: '20' },
    'sqlite-processes': { type: 'string', default: '5' },
    revisions: { type: 'string', default: '200' },
    interval: { type: 'string', default: '40' },
    'poll-ms': { type: 'string', default: '100' },
    'no-postgres': { type: 'boolean', default: false },
    'no-sqlite': { type: 'boolean', default: false },
    json: { type: 'boolean', default: false },
  },
});
const REVISIONS = Number(args.revisions);
const INTERVAL_MS = Number(args.interval);
const POLL_MS = Number(args['poll-ms']);
const out = args.json ? (line = '') => process.stderr.write(`${line}\n`) : (line = '') => console.log(line);

if (!existsSync(join(ROOT, 'dist', 'runtime.js'))) {
  console.error('dist/runtime.js is missing: run `npm run build` first.');
  process.exit(1);
}
const { setConfig } = await import(RUNTIME_URL);

const CONFIG = `import { database, defineConfig, live, z } from 'envward';
export default defineConfig({
  project: 'reload-bench',
  use: [database],
  schema: z.object({ bench: z.object({ value: live(z.number().int().default(0)) }) }),
});
`;

// A service: follows development, prints "ready <revision>", then "<revision> <time>" per change it is told
// of; on "stop" it closes and prints its status. The interval stands in for the server socket a service holds.
const SERVICE = `import { resolveConfig } from ${JSON.stringify(ENVWARD_URL)};
import { openStore } from ${JSON.stringify(STORE_URL)};
import { openLiveConfig } from ${JSON.stringify(RUNTIME_URL)};
const [dir, pollMs] = process.argv.slice(1);
const resolved = await resolveConfig({ cwd: dir, env: 'development', variables: {} });
const store = await openStore(resolved);
const config = await openLiveConfig(resolved, store, { pollMs: Number(pollMs) });
config.subscribe(['bench.value'], (change) => {
  process.stdout.write(change.revision + ' ' + (performance.timeOrigin + performance.now()) + '\\n');
});
const serving = setInterval(() => {}, 60_000);
process.stdin.on('data', async () => {
  clearInterval(serving);
  const status = config.status();
  await config.close();
  await store.close();
  process.stdout.write('status ' + JSON.stringify(status) + '\\n');
  process.stdin.destroy();
});
process.stdout.write('ready ' + config.status().revision + '\\n');
`;

const now = () => performance.timeOrigin + performance.now();

function percentile(sorted, p) {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

const fmt = (n) => (Number.isFinite(n) ? n.toFixed(1) : '-');

function writeProject(name, url) {
  const dir = join(WORK, name);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(join(dir, 'config'), { recursive: true });
  writeFileSync(join(dir, 'envward.config.ts'), CONFIG);
  writeFileSync(join(dir, 'config', 'base.yml'), `database:\n  url: ${url}\n`);
  return dir;
}

/** Starts one service; resolves when it is ready, with its report lines collected as they come. */
function startService(dir) {
  const child = spawn(process.execPath, ['--input-type=module', '-e', SERVICE, dir, String(POLL_MS)], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const seen = new Map();
  let status;
  let onReady;
  const ready = new Promise((resolve, reject) => {
    onReady = resolve;
    child.once('exit', (code) => reject(new Error(`a service exited (${code}) before it was ready`)));
  });
  const closed = new Promise((resolve) => child.once('close', resolve));
  createInterface({ input: child.stdout }).on('line', (line) => {
    if (line.startsWith('ready ')) onReady(Number(line.slice(6)));
    else if (line.startsWith('status ')) status = JSON.parse(line.slice(7));
    else {
      const [revision, at] = line.split(' ').map(Number);
      seen.set(revision, at);
    }
  });
  return {
    ready,
    seen,
    status: () => status,
    async stop() {
      child.stdin.write('stop\n');
      await closed;
    },
  };
}

/** The run on one database: services, paced revisions, latencies. */
async function run(label, dir, processes, readCommits) {
  const act = { cwd: dir, env: 'development', variables: {}, reason: 'bench' };
  // Stamps the database and makes the revision table before any service starts.
  await setConfig({ ...act, set: { 'bench.value': '0' } });
  const startedAt = now();
  const services = Array.from({ length: processes }, () => startService(dir));
  const startRevisions = await Promise.all(services.map((service) => service.ready));
  out(`${label}: ${processes} services ready in ${fmt(now() - startedAt)} ms (at revision ${startRevisions[0]})`);
  const returned = new Map();
  const writeStart = now();
  for (let i = 1; i <= REVISIONS; i++) {
    const begun = now();
    const result = await setConfig({ ...act, set: { 'bench.value': String(i) } });
    returned.set(result.revision, now());
    const wait = INTERVAL_MS - (now() - begun);
    if (wait > 0) await sleep(wait);
  }
  const writeMs = now() - writeStart;
  const last = Math.max(...returned.keys());
  // Every service ends at the last revision (none is skipped: nothing overtakes it); give them 30 s.
  const deadline = now() + 30_000;
  while (services.some((service) => !service.seen.has(last)) && now() < deadline) await sleep(20);
  await Promise.all(services.map((service) => service.stop()));
  const commits = await readCommits();
  const fromAt = [];
  const fromReturn = [];
  let skipped = 0;
  const revisions = [...returned.keys()].sort((a, b) => a - b);
  for (const service of services) {
    // Going back from the last revision: when the instance first had this revision or a newer one.
    let firstAtOrAfter = Number.POSITIVE_INFINITY;
    for (const revision of [...revisions].reverse()) {
      const told = service.seen.get(revision);
      if (told === undefined) skipped++;
      else firstAtOrAfter = Math.min(firstAtOrAfter, told);
      if (!Number.isFinite(firstAtOrAfter)) continue;
      const seenAt = firstAtOrAfter;
      fromAt.push(seenAt - commits.get(revision));
      fromReturn.push(seenAt - returned.get(revision));
    }
  }
  fromAt.sort((a, b) => a - b);
  fromReturn.sort((a, b) => a - b);
  const failed = services.reduce((sum, service) => sum + (service.status()?.counts.failed ?? 0), 0);
  const summary = (values) => ({
    p50: percentile(values, 50),
    p99: percentile(values, 99),
    max: values.at(-1),
  });
  const report = {
    dialect: label,
    processes,
    revisions: returned.size,
    writeMs,
    revisionsPerSecond: (returned.size * 1000) / writeMs,
    pairs: fromAt.length,
    skipped,
    failed,
    missedLast: services.filter((service) => !service.seen.has(last)).length,
    fromCommitStamp: summary(fromAt),
    fromSetConfigReturn: summary(fromReturn),
  };
  out(
    `${label}: ${report.revisions} revisions in ${fmt(writeMs)} ms (${fmt(report.revisionsPerSecond)}/s), ` +
      `${report.pairs} (revision, instance) pairs, ${skipped} of them overtaken before applied, ${failed} failed, ${report.missedLast} missed the last`,
  );
  out(
    `  commit -> listener, from the revision's \`at\`:     p50 ${fmt(report.fromCommitStamp.p50)} ms  p99 ${fmt(report.fromCommitStamp.p99)} ms  max ${fmt(report.fromCommitStamp.max)} ms`,
  );
  out(
    `  commit -> listener, from setConfig's return:   p50 ${fmt(report.fromSetConfigReturn.p50)} ms  p99 ${fmt(report.fromSetConfigReturn.p99)} ms  max ${fmt(report.fromSetConfigReturn.max)} ms`,
  );
  return report;
}

const reports = [];
const load = () =>
  loadavg()
    .map((n) => n.toFixed(1))
    .join(' ');
out(
  `reload bench: ${REVISIONS} revisions, one every ${INTERVAL_MS} ms at most; ${cpus().length} CPUs, load ${load()}; node ${process.version}`,
);

if (!args['no-postgres']) {
  const name = `envward_bench_${randomBytes(4).toString('hex')}`;
  const admin = (database) => {
    const url = new URL(SERVER);
    url.pathname = `/${database}`;
    return url.toString();
  };
  const onServer = async (text) => {
    const client = new pg.Client({ connectionString: admin('postgres') });
    await client.connect();
    try {
      await client.query(text);
    } finally {
      await client.end();
    }
  };
  await onServer(`create database "${name}"`);
  try {
    const dir = writeProject('postgres', admin(name));
    const readCommits = async () => {
      const client = new pg.Client({ connectionString: admin(name) });
      await client.connect();
      try {
        const { rows } = await client.query('select number, at from envward_config_revision');
        return new Map(rows.map((row) => [Number(row.number), Date.parse(row.at)]));
      } finally {
        await client.end();
      }
    };
    reports.push(await run('postgres', dir, Number(args.processes), readCommits));
  } finally {
    await onServer(`drop database if exists "${name}" with (force)`);
  }
}

if (!args['no-sqlite']) {
  const dir = writeProject('sqlite', 'sqlite:var/reload.db');
  const { default: Database } = await import('better-sqlite3');
  const readCommits = async () => {
    const db = new Database(join(dir, 'var', 'reload.db'), { readonly: true });
    try {
      const rows = db.prepare('select number, at from envward_config_revision').all();
      return new Map(rows.map((row) => [Number(row.number), Date.parse(row.at)]));
    } finally {
      db.close();
    }
  };
  out(`sqlite: polling every ${POLL_MS} ms`);
  reports.push(await run('sqlite', dir, Number(args['sqlite-processes']), readCommits));
}

out(`load at the end: ${load()} (every service, the writer and the database share these CPUs)`);
if (args.json)
  process.stdout.write(
    `${JSON.stringify({ revisions: REVISIONS, intervalMs: INTERVAL_MS, pollMs: POLL_MS, reports }, null, 2)}\n`,
  );
