#!/usr/bin/env node
// Installed size: what `npm install` puts in node_modules for envward's core
// and for each capability's peers, beside the config libraries a team would
// otherwise pick (dotenvx, node-config, convict), each installed the same way:
// a fresh `npm init -y` project, one `npm install`, `du` of its node_modules.
//
// envward is packed from this clone (`npm pack`, so run `npm run build`
// first); everything else comes from the registry (this needs the network;
// tests never do). A capability's row is the core plus its peers, and its
// extra size beside the core. The core's goal: under 15 MB.
// Installs run with --ignore-scripts: what is measured is what npm puts on
// disk, not a native build (better-sqlite3's compiled addon, about 2 MB, is
// not counted; its sources are); a build also takes minutes on a small machine.
//
// Rerun: npm run build && npm run bench:size [-- --json]
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const { peerDependencies } = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));
/** `name@range` as envward's peerDependencies say: the newest major may be past the range. */
const peers = (...names) => names.map((name) => `${name}@${peerDependencies[name]}`);
const { values: args } = parseArgs({ options: { json: { type: 'boolean', default: false } } });
const GOAL_MB = 15;

if (!existsSync(join(ROOT, 'dist', 'index.js'))) {
  console.error('dist/index.js is missing: run `npm run build` first.');
  process.exit(1);
}

const work = mkdtempSync(join(tmpdir(), 'envward-size-'));
const npm = (args, cwd) =>
  execFileSync('npm', [...args, '--no-audit', '--no-fund', '--loglevel=error'], { cwd, encoding: 'utf8' });

/** Bytes of the files under `dir` (apparent size, as `du -b` counts; links not followed). */
function bytes(dir) {
  let total = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (entry.isFile()) total += statSync(join(entry.parentPath ?? entry.path, entry.name)).size;
  }
  return total;
}

function installedSize(name, packages) {
  const dir = join(work, name.replace(/[^a-z0-9]+/gi, '-'));
  mkdirSync(dir);
  npm(['init', '-y'], dir);
  npm(['install', '--ignore-scripts', ...packages], dir);
  const size = bytes(join(dir, 'node_modules'));
  const count = readdirSync(join(dir, 'node_modules'), { withFileTypes: true }).filter(
    (entry) => entry.isDirectory() && !entry.name.startsWith('.'),
  ).length;
  return { size, count };
}

try {
  const tarball = join(
    work,
    JSON.parse(npm(['pack', '--ignore-scripts', '--json', '--pack-destination', work], ROOT))[0].filename,
  );
  const core = [tarball, ...peers('zod')];
  const rows = [
    ['envward core (envward zod)', core],
    ['+ envward/store, SQLite (kysely better-sqlite3)', [...core, ...peers('kysely', 'better-sqlite3')]],
    ['+ envward/store, PostgreSQL (kysely pg)', [...core, ...peers('kysely', 'pg')]],
    ['+ envward/migrate on PostgreSQL (+ libpg-query)', [...core, ...peers('kysely', 'pg', 'libpg-query')]],
    [
      '+ envward/fastify',
      [
        ...core,
        ...peers('fastify', 'fastify-plugin', '@fastify/cors', '@fastify/helmet', '@fastify/rate-limit', 'prom-client'),
      ],
    ],
    ['+ envward/observe (pino pino-pretty pino-roll)', [...core, ...peers('pino', 'pino-pretty', 'pino-roll')]],
    ['+ envward/outbound (undici cockatiel prom-client)', [...core, ...peers('undici', 'cockatiel', 'prom-client')]],
    ['@dotenvx/dotenvx', ['@dotenvx/dotenvx']],
    ['config (node-config)', ['config']],
    ['convict', ['convict']],
  ];
  const results = rows.map(([name, packages]) => ({ name, ...installedSize(name, packages) }));
  const coreSize = results[0].size;
  const mb = (n) => (n / 1e6).toFixed(1);
  const out = args.json ? (line) => process.stderr.write(`${line}\n`) : (line) => console.log(line);
  out(`Installed node_modules (npm ${npm(['--version'], work).trim()}, node ${process.version})`);
  out(`${'install'.padEnd(52)} ${'MB'.padStart(6)} ${'packages'.padStart(9)} ${'beyond core'.padStart(12)}`);
  for (const row of results) {
    const extra = row.name.startsWith('+') ? `+${mb(row.size - coreSize)}` : '';
    out(`${row.name.padEnd(52)} ${mb(row.size).padStart(6)} ${String(row.count).padStart(9)} ${extra.padStart(12)}`);
  }
  out(`Goal: envward core < ${GOAL_MB} MB: ${mb(coreSize)} MB -> ${coreSize < GOAL_MB * 1e6 ? 'met' : 'NOT MET'}`);
  if (args.json) console.log(JSON.stringify({ results, goalMb: GOAL_MB }, null, 2));
} finally {
  rmSync(work, { recursive: true, force: true });
}
