#!/usr/bin/env node
// Benchmark: what 500 encrypted secrets add to a cold resolve, and how long
// `envward scan` takes over 4 environments x 500 secrets.
//
// What it measures
// - A generated project whose schema has 500 secret() keys and 20 plain keys,
//   four environments (development, test, staging, production), each with a
//   key pair and 500 secrets (2,000 values, fingerprints included). The
//   generation is slow on purpose (scrypt fingerprints) and is kept in
//   bench/.work/secrets/ for reruns.
// - Cold resolve: wall-clock time of a fresh `node child.mjs` process that
//   resolves `production` (schema, every layer, tier rules, provenance), with
//   the 500 secrets and, as the baseline, the same project without its
//   secrets file (the secret keys then resolve unset). Interleaved
//   round-robin; median and p90 of --runs runs. The child also reports the
//   time of resolveConfig() alone, so the in-process difference is printed
//   beside the whole-process one.
// - Scan: scanProject() over the 4 x 500 secrets in one process (median of
//   --scan-runs), with every private key present (so each value is also
//   decrypted for the strength check) and with none (fingerprints only), and
//   a cold `envward scan` process.
//
// Rerun: npm run build && npm run bench:secrets [-- --runs 20 --scan-runs 10 --json]
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const WORK = join(ROOT, 'bench', '.work', 'secrets');
const ENVWARD_URL = pathToFileURL(join(ROOT, 'dist', 'index.js')).href;
const GENERATOR = 'secrets-bench-3';

const { values: args } = parseArgs({
  options: {
    runs: { type: 'string', default: '20' },
    'scan-runs': { type: 'string', default: '10' },
    json: { type: 'boolean', default: false },
  },
});
const RUNS = Number(args.runs);
const SCAN_RUNS = Number(args['scan-runs']);
const out = args.json ? (line = '') => process.stderr.write(`${line}\n`) : (line = '') => console.log(line);

if (!existsSync(join(ROOT, 'dist', 'index.js'))) {
  console.error('dist/index.js is missing: run `npm run build` first.');
  process.exit(1);
}

const SECRETS = 500;
const ENVIRONMENTS = ['development', 'test', 'staging', 'production'];
const TARGET = 'production';
const withSecrets = join(WORK, 'with-secrets');
const without = join(WORK, 'without-secrets');

const schemaSource = () => {
  const secretKeys = Array.from({ length: SECRETS }, (_, i) => `      s${i}: secret(z.string()).optional(),`).join(
    '\n',
  );
  const plainKeys = Array.from({ length: 20 }, (_, i) => `      k${i}: z.string().default('v${i}'),`).join('\n');
  return `import { defineConfig, secret, z } from 'envward';
export default defineConfig({
  schema: z.object({
    app: z.object({
${plainKeys}
    }),
    vault: z.object({
${secretKeys}
    }),
  }),
});
`;
};

const write = (file, text) => {
  mkdirSync(join(file, '..'), { recursive: true });
  writeFileSync(file, text);
};

async function generate() {
  const marker = join(WORK, 'generator');
  if (existsSync(marker) && readFileSync(marker, 'utf8') === GENERATOR) return false;
  rmSync(WORK, { recursive: true, force: true });
  write(join(withSecrets, 'envward.config.ts'), schemaSource());
  write(join(withSecrets, 'config', 'base.yml'), 'app:\n  k0: base\n');
  const envward = await import(ENVWARD_URL);
  const project = await envward.openProject(withSecrets);
  for (const name of ENVIRONMENTS) {
    await envward.keygen({ project, env: name });
    const values = new Map(
      Array.from({ length: SECRETS }, (_, i) => [
        `vault.s${i}`,
        `${name}-${i}-${'x'.repeat(8)}${Math.random().toString(36).slice(2)}Q9`,
      ]),
    );
    // One value shared by staging and production, so the scan has a finding to report.
    if (name === 'staging' || name === 'production') values.set('vault.s0', 'shared-between-staging-and-production-Z7');
    const t0 = performance.now();
    await envward.setSecrets({ project, env: name, values });
    out(`  generated ${name}: ${SECRETS} secrets in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  }
  cpSync(withSecrets, without, { recursive: true });
  rmSync(join(without, 'config', 'environments', TARGET, 'secrets.yml'));
  const child = `import { resolveConfig } from ${JSON.stringify(ENVWARD_URL)};
const t0 = performance.now();
const resolved = await resolveConfig({ env: ${JSON.stringify(TARGET)}, collectIssues: true });
const ms = performance.now() - t0;
const set = Object.values(resolved.values.vault).filter((v) => v !== undefined).length;
process.stdout.write(JSON.stringify({ ms, set, s1: resolved.explain('vault.s1').winner?.source.layer ?? null }));
`;
  write(join(withSecrets, 'child.mjs'), child);
  write(join(without, 'child.mjs'), child);
  writeFileSync(marker, GENERATOR);
  return true;
}

out('envward secrets benchmark');
out(`node ${process.version}, ${SECRETS} secrets per environment, ${ENVIRONMENTS.length} environments`);
if (await generate()) out('');

const childEnv = {
  PATH: process.env.PATH,
  HOME: process.env.HOME,
  ...(process.env.XDG_CACHE_HOME ? { XDG_CACHE_HOME: process.env.XDG_CACHE_HOME } : {}),
};
function run(argv, cwd) {
  const t0 = process.hrtime.bigint();
  const result = spawnSync(process.execPath, argv, { cwd, env: childEnv, encoding: 'utf8' });
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  if (result.status !== 0 && !(argv.includes('scan') && result.status === 1)) {
    throw new Error(`node ${argv.join(' ')} failed (${result.status ?? result.signal}):\n${result.stderr}`);
  }
  return { ms, stdout: result.stdout };
}

// Correctness and warm-up: 500 values decrypted with secrets, none without.
const check = JSON.parse(run(['child.mjs'], withSecrets).stdout);
const base = JSON.parse(run(['child.mjs'], without).stdout);
if (check.set !== SECRETS || check.s1 !== 'secrets' || base.set !== 0) {
  console.error('unexpected resolution', { check, base });
  process.exit(1);
}

const rows = [
  { name: 'without secrets', dir: without, wall: [], inner: [] },
  { name: `with ${SECRETS} secrets`, dir: withSecrets, wall: [], inner: [] },
];
for (let i = 0; i < RUNS; i++) {
  for (const row of rows) {
    const { ms, stdout } = run(['child.mjs'], row.dir);
    row.wall.push(ms);
    row.inner.push(JSON.parse(stdout).ms);
  }
}
const quantile = (times, q) => {
  const sorted = [...times].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
};
const median = (times) => quantile(times, 0.5);
out(`Cold resolve of ${TARGET} (${RUNS} runs each, interleaved)`);
out('  variant              process median  p90     resolveConfig() median');
for (const row of rows) {
  out(
    `  ${row.name.padEnd(20)} ${median(row.wall).toFixed(1).padStart(8)} ms ${quantile(row.wall, 0.9).toFixed(1).padStart(6)} ms ${median(row.inner).toFixed(1).padStart(8)} ms`,
  );
}
const [plain, secret] = rows;
const addedWall = median(secret.wall) - median(plain.wall);
const addedInner = median(secret.inner) - median(plain.inner);
out(
  `  500 secrets add ${addedWall.toFixed(1)} ms per process (ratio ${(median(secret.wall) / median(plain.wall)).toFixed(2)}), ${addedInner.toFixed(1)} ms inside resolveConfig(); goal < 50 ms`,
);

// Scan, in process: with every key here (values decrypted for the strength check) and with none.
const envward = await import(ENVWARD_URL);
const project = await envward.openProject(withSecrets);
const noKeys = { PATH: process.env.PATH };
const scanTimes = { keys: [], none: [] };
let findings = 0;
const keysDir = join(withSecrets, '.envward', 'keys');
const hidden = join(WORK, 'keys-hidden');
for (let i = 0; i < SCAN_RUNS; i++) {
  let t0 = performance.now();
  findings = (await envward.scanProject(project, { variables: noKeys })).findings.length;
  scanTimes.keys.push(performance.now() - t0);
  renameSync(keysDir, hidden);
  try {
    t0 = performance.now();
    await envward.scanProject(project, { variables: noKeys });
    scanTimes.none.push(performance.now() - t0);
  } finally {
    renameSync(hidden, keysDir);
  }
}
const cli = join(ROOT, 'bin', 'envward.js');
const scanCold = [];
for (let i = 0; i < Math.max(3, Math.floor(SCAN_RUNS / 2)); i++)
  scanCold.push(run([cli, 'scan', '--json'], withSecrets).ms);
out('');
out(`Scan, ${ENVIRONMENTS.length} environments x ${SECRETS} secrets (${findings} findings)`);
out(`  in process, every key present (decrypts 2,000 values): median ${median(scanTimes.keys).toFixed(1)} ms`);
out(`  in process, no key present (fingerprints only):        median ${median(scanTimes.none).toFixed(1)} ms`);
out(`  cold \`envward scan --json\` process:                     median ${median(scanCold).toFixed(1)} ms`);

if (args.json) {
  process.stdout.write(
    `${JSON.stringify(
      {
        node: process.version,
        runs: RUNS,
        coldResolveMs: Object.fromEntries(
          rows.map((row) => [
            row.name,
            { median: median(row.wall), p90: quantile(row.wall, 0.9), resolveConfig: median(row.inner) },
          ]),
        ),
        addedMs: { process: addedWall, resolveConfig: addedInner },
        scanMs: { keysPresent: median(scanTimes.keys), noKeys: median(scanTimes.none), coldProcess: median(scanCold) },
      },
      null,
      2,
    )}\n`,
  );
}
