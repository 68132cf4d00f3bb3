#!/usr/bin/env node
// Benchmark: envward's config resolution against node-config, dotenv-flow +
// envalid, and convict, all on the same generated values.
//
// What it measures
// - A generated project of 1,000 keys (50 groups x 20 keys: strings, integers,
//   booleans) in four environments (development, test, staging, production).
//   envward reads: schema defaults (all keys), config/base.yml (all keys),
//   .env (100 keys), config/environments/<env>/settings.yml (250 keys per
//   environment) and 20 process variables. Each peer gets the same final
//   values through its own files (see generate* below); every tool resolves
//   `production`, and the run stops if any tool's values differ from the
//   expected ones.
// - Cold resolve: wall-clock time of a fresh `node child.mjs` process, from
//   spawn to exit, that imports the tool, resolves, validates and (for
//   envward) keeps provenance. Tools are interleaved round-robin; median and
//   p90 of --runs runs. `node -e 0` and an empty .mjs show node's own start;
//   a child that only imports zod shows envward's floor (zod is its schema
//   language, the application's own peer; no peer loads it).
//   Children get a small fixed environment without NODE_EXTRA_CA_CERTS: set
//   (as on these machines), it costs every Node 20 process ~30 ms of
//   certificate loading and pulls every ratio toward 1.
// - Peak memory: each child's max RSS (process.resourceUsage().maxRSS at
//   exit, the same hook in every tool's child), median over the cold runs.
// - CLI: a cold `envward env --json` in the generated project, interleaved
//   with the cold resolves.
// - --profile N: N extra envward children under --cpu-prof; the top
//   self-time items, summed over the N profiles, divided by N.
//   envward is run once before timing (its normal steady state, with its code
//   cache warm in $XDG_CACHE_HOME or ~/.cache/envward); "first run" rows point
//   XDG_CACHE_HOME at a fresh empty directory each time.
// - Hot get: in one process per tool, after resolving, 10 million reads of
//   `group17.key9` through each tool's accessor, against a plain object
//   literal read by the same loop in the same process.
//
// Rerun: npm run build && npm run bench:config [-- --runs 30 --first-runs 5 --reads 10000000 --profile 5 --json]
// With --json the tables go to stderr and a JSON report to stdout.
// Generated files go to bench/.work/ (git-ignored).
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const WORK = join(ROOT, 'bench', '.work');
const ENVWARD_URL = pathToFileURL(join(ROOT, 'dist', 'index.js')).href;

const { values: args } = parseArgs({
  options: {
    runs: { type: 'string', default: '30' },
    'first-runs': { type: 'string', default: '5' },
    reads: { type: 'string', default: '10000000' },
    profile: { type: 'string', default: '0' },
    json: { type: 'boolean', default: false },
  },
});
const RUNS = Number(args.runs);
const FIRST_RUNS = Number(args['first-runs']);
const READS = Number(args.reads);
const PROFILES = Number(args.profile);
// The goals of issue 19, each printed with its figure.
const GOAL = { coldRatio: 1.0, rssRatio: 1.1, cliMs: 120 };
const out = args.json ? (line = '') => process.stderr.write(`${line}\n`) : (line = '') => console.log(line);

if (!existsSync(join(ROOT, 'dist', 'index.js'))) {
  console.error('dist/index.js is missing: run `npm run build` first.');
  process.exit(1);
}

// ---------------------------------------------------------------------------
// The values: deterministic, one model that every tool's files are made from.

const GROUPS = 50;
const KEYS_PER_GROUP = 20;
const ENVIRONMENTS = ['development', 'test', 'staging', 'production'];
const TARGET = 'production';
const HOT = { group: 17, key: 9 }; // group17.key9: a string set by production's settings

const keys = [];
for (let g = 0; g < GROUPS; g++) {
  for (let k = 0; k < KEYS_PER_GROUP; k++) {
    const i = keys.length;
    const type = ['string', 'int', 'bool'][k % 3];
    const value = (layer, n) =>
      type === 'string' ? `${layer}-g${g}-k${k}` : type === 'int' ? n * 1000 + i : (i + n) % 2 === 0;
    const environments = {};
    ENVIRONMENTS.forEach((env, e) => {
      if ((i * 7 + e * 3) % 4 === 0) environments[env] = value(env, 3 + e); // 250 per environment
    });
    keys.push({
      g,
      k,
      path: `group${g}.key${k}`,
      variable: `GROUP${g}_KEY${k}`,
      type,
      default: type === 'bool' ? false : value('default', 0),
      base: value('base', 1),
      dotenv: i % 10 === 3 ? value('dotenv', 2) : undefined, // 100 keys
      environments,
      variable_value: i % 50 === 17 ? value('var', 9) : undefined, // 20 keys
    });
  }
}
const belowEnvironment = (key) => key.dotenv ?? key.base; // what peers fold into their base files
const finalValue = (key) => key.variable_value ?? key.environments[TARGET] ?? belowEnvironment(key);
const expected = keys.map(finalValue);
const processVariables = Object.fromEntries(
  keys.filter((key) => key.variable_value !== undefined).map((key) => [key.variable, String(key.variable_value)]),
);
const hotKey = keys.find((key) => key.g === HOT.group && key.k === HOT.key);

const checksum = (list) => createHash('sha256').update(JSON.stringify(list)).digest('hex').slice(0, 16);
const nested = (select) => {
  const tree = {};
  for (const key of keys) {
    const value = select(key);
    if (value === undefined) continue;
    tree[`group${key.g}`] ??= {};
    tree[`group${key.g}`][`key${key.k}`] = value;
  }
  return tree;
};
const yaml = (tree) =>
  Object.entries(tree)
    .map(
      ([group, leaves]) =>
        `${group}:\n${Object.entries(leaves)
          .map(([k, v]) => `  ${k}: ${v}\n`)
          .join('')}`,
    )
    .join('');
const dotenv = (select) =>
  keys
    .filter((key) => select(key) !== undefined)
    .map((key) => `${key.variable}=${select(key)}\n`)
    .join('');
const write = (file, text) => {
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, text);
};
const literal = (value) => JSON.stringify(value);

// Every child (and the baselines) reports its peak RSS the same way, at exit.
const RSS_HOOK =
  "process.on('exit', () => process.stderr.write('\\nenvward-bench-maxrss=' + process.resourceUsage().maxRSS + '\\n'));";

// Shared by every child: `--check` prints all 1,000 values in key order, `--hot N`
// times N reads, otherwise the child prints one value (so the work is used).
const CHILD_FOOTER = (readExpr, hotCases) => `
${RSS_HOOK}
const read = (g, k) => ${readExpr};
const mode = process.argv[2];
if (mode === '--check') {
  const list = [];
  for (let g = 0; g < ${GROUPS}; g++) for (let k = 0; k < ${KEYS_PER_GROUP}; k++) list.push(read(g, k));
  process.stdout.write(JSON.stringify({ values: list, extra: typeof extra === 'undefined' ? null : extra }));
} else if (mode === '--hot') {
  const n = Number(process.argv[3]);
  const plain = { group${HOT.group}: { key${HOT.key}: ${literal(hotKey.environments[TARGET])} } };
  const cases = { 'plain object literal': [plain, 'o.group${HOT.group}.key${HOT.key}'], ${hotCases} };
  const results = {};
  for (const [name, [o, expr]] of Object.entries(cases)) {
    // One function per case (the comment keeps V8 from sharing one compiled
    // copy), so each loop's type feedback stays monomorphic.
    const loop = new Function('o', 'n', \`/* \${name} */ let acc = 0; for (let i = 0; i < n; i++) acc += (\${expr}).length; return acc;\`);
    loop(o, Math.min(n, 1e6)); // warm up: let the loop reach the optimising compiler
    let best = Infinity;
    // Fast accessors take milliseconds: repeat them and keep the best of 5 to damp noise.
    for (let rep = 0; rep < 5 && (rep === 0 || best * n < 1e8); rep++) {
      const t0 = process.hrtime.bigint();
      const acc = loop(o, n);
      best = Math.min(best, Number(process.hrtime.bigint() - t0) / n);
      if (acc !== n * ${hotKey.environments[TARGET].length}) throw new Error(name + ': wrong value read');
    }
    results[name] = best;
  }
  process.stdout.write(JSON.stringify(results));
} else {
  process.stdout.write(String(read(${HOT.group}, ${HOT.key})));
}
`;

// ---------------------------------------------------------------------------
// Generation: one directory per tool under bench/.work/.

function generateEnvward(dir) {
  const zodOf = (key) =>
    key.type === 'string'
      ? `z.string().default(${literal(key.default)})`
      : key.type === 'int'
        ? `z.number().int().default(${key.default})`
        : `z.boolean().default(${key.default})`;
  const groups = [];
  for (let g = 0; g < GROUPS; g++) {
    const leaves = keys.filter((key) => key.g === g).map((key) => `      key${key.k}: ${zodOf(key)},\n`);
    groups.push(`    group${g}: z.object({\n${leaves.join('')}    }),\n`);
  }
  write(
    join(dir, 'envward.config.ts'),
    `import { defineConfig, z } from 'envward';\n\nexport default defineConfig({\n  project: 'bench',\n  schema: z.object({\n${groups.join('')}  }),\n});\n`,
  );
  write(join(dir, 'config', 'base.yml'), yaml(nested((key) => key.base)));
  write(
    join(dir, '.env'),
    dotenv((key) => key.dotenv),
  );
  for (const env of ENVIRONMENTS) {
    write(join(dir, 'config', 'environments', env, 'settings.yml'), yaml(nested((key) => key.environments[env])));
  }
  write(
    join(dir, 'child.mjs'),
    `import { resolveConfig } from ${literal(ENVWARD_URL)};
const resolved = await resolveConfig({ cwd: ${literal(dir)}, env: ${literal(TARGET)} });
const values = resolved.values;
const why = resolved.explain('group${HOT.group}.key${HOT.key}'); // provenance is kept for every key
const extra = { layer: why.winner.source.layer, line: why.winner.source.line, overridden: why.overridden.length, keys: resolved.keys.length };
${CHILD_FOOTER('values[`group${g}`][`key${k}`]', `'values.group${HOT.group}.key${HOT.key}': [values, 'o.group${HOT.group}.key${HOT.key}']`)}`,
  );
}

function generateNodeConfig(dir) {
  const configDir = join(dir, 'config');
  write(join(configDir, 'default.yml'), yaml(nested(belowEnvironment)));
  for (const env of ENVIRONMENTS) write(join(configDir, `${env}.yml`), yaml(nested((key) => key.environments[env])));
  // Every key can be set by its variable, as with envward and convict.
  const mapping = nested((key) =>
    key.type === 'string'
      ? key.variable
      : { __name: key.variable, __format: key.type === 'int' ? 'number' : 'boolean' },
  );
  write(join(configDir, 'custom-environment-variables.json'), JSON.stringify(mapping, null, 1));
  // node-config has no schema: the child checks every leaf's type by hand.
  const types = keys.map((key) => (key.type === 'string' ? 's' : key.type === 'int' ? 'i' : 'b')).join('');
  write(
    join(dir, 'child.mjs'),
    `import config from 'config';
const types = ${literal(types)};
let i = 0;
for (let g = 0; g < ${GROUPS}; g++) {
  const group = config[\`group\${g}\`];
  for (let k = 0; k < ${KEYS_PER_GROUP}; k++, i++) {
    const v = group[\`key\${k}\`], t = types[i];
    if (t === 's' ? typeof v !== 'string' : t === 'i' ? !Number.isInteger(v) : typeof v !== 'boolean')
      throw new Error(\`group\${g}.key\${k}: wrong type\`);
  }
}
${CHILD_FOOTER('config[`group${g}`][`key${k}`]', `'config.get(\\'group${HOT.group}.key${HOT.key}\\')': [config, 'o.get(\\'group${HOT.group}.key${HOT.key}\\')'], 'config.group${HOT.group}.key${HOT.key}': [config, 'o.group${HOT.group}.key${HOT.key}']`)}`,
  );
}

function generateDotenvEnvalid(dir) {
  // dotenv-flow's order matches envward's: .env < .env.local < .env.<env>; process variables win.
  write(
    join(dir, '.env'),
    dotenv((key) => key.base),
  );
  write(
    join(dir, '.env.local'),
    dotenv((key) => key.dotenv),
  );
  for (const env of ENVIRONMENTS)
    write(
      join(dir, `.env.${env}`),
      dotenv((key) => key.environments[env]),
    );
  const validator = { string: 'str', int: 'num', bool: 'bool' };
  const specs = keys.map((key) => `  ${key.variable}: ${validator[key.type]}({ default: ${literal(key.default)} }),\n`);
  write(
    join(dir, 'child.mjs'),
    `import dotenvFlow from 'dotenv-flow';
import { bool, cleanEnv, num, str } from 'envalid';
dotenvFlow.config({ path: ${literal(dir)}, node_env: ${literal(TARGET)}, silent: true });
const env = cleanEnv(process.env, {
${specs.join('')}});
${CHILD_FOOTER('env[`GROUP${g}_KEY${k}`]', `'env.GROUP${HOT.group}_KEY${HOT.key}': [env, 'o.GROUP${HOT.group}_KEY${HOT.key}']`)}`,
  );
}

function generateConvict(dir) {
  write(join(dir, 'config', 'base.json'), JSON.stringify(nested(belowEnvironment), null, 1));
  for (const env of ENVIRONMENTS) {
    write(
      join(dir, 'config', `${env}.json`),
      JSON.stringify(
        nested((key) => key.environments[env]),
        null,
        1,
      ),
    );
  }
  const format = { string: 'String', int: "'int'", bool: 'Boolean' };
  const groups = [];
  for (let g = 0; g < GROUPS; g++) {
    const leaves = keys
      .filter((key) => key.g === g)
      .map(
        (key) =>
          `    key${key.k}: { format: ${format[key.type]}, default: ${literal(key.default)}, env: '${key.variable}' },\n`,
      );
    groups.push(`  group${g}: {\n${leaves.join('')}  },\n`);
  }
  write(
    join(dir, 'child.mjs'),
    `import convict from 'convict';
const conf = convict({
${groups.join('')}});
conf.loadFile([${literal(join(dir, 'config', 'base.json'))}, ${literal(join(dir, 'config', `${TARGET}.json`))}]);
conf.validate({ allowed: 'strict' });
const values = conf.getProperties();
${CHILD_FOOTER('values[`group${g}`][`key${k}`]', `'conf.get(\\'group${HOT.group}.key${HOT.key}\\')': [conf, 'o.get(\\'group${HOT.group}.key${HOT.key}\\')']`)}`,
  );
}

// ---------------------------------------------------------------------------
// Running children.

rmSync(WORK, { recursive: true, force: true });
const dirs = {
  envward: join(WORK, 'envward'),
  'node-config': join(WORK, 'node-config'),
  'dotenv-flow + envalid': join(WORK, 'dotenv-envalid'),
  convict: join(WORK, 'convict'),
};
generateEnvward(dirs.envward);
generateNodeConfig(dirs['node-config']);
generateDotenvEnvalid(dirs['dotenv-flow + envalid']);
generateConvict(dirs.convict);
write(join(WORK, 'empty.mjs'), RSS_HOOK);
// envward's schema is zod, the application's own peer: importing it is a floor under envward's start
// that no peer pays (none of them uses zod).
write(
  join(dirs.envward, 'zod-floor.mjs'),
  `import { z } from 'zod';\nif (typeof z.object !== 'function') throw new Error('no zod');\n${RSS_HOOK}\n`,
);

// The same small environment for every child: the 20 variables and each tool's switches.
const childEnv = {
  PATH: process.env.PATH,
  HOME: process.env.HOME,
  ...(process.env.XDG_CACHE_HOME ? { XDG_CACHE_HOME: process.env.XDG_CACHE_HOME } : {}),
  NODE_ENV: TARGET,
  NODE_CONFIG_ENV: TARGET,
  NODE_CONFIG_DIR: join(dirs['node-config'], 'config'),
  SUPPRESS_NO_CONFIG_WARNING: '1',
  ...processVariables,
};

function run(argv, { cwd = WORK, env = childEnv } = {}) {
  const t0 = process.hrtime.bigint();
  const result = spawnSync(process.execPath, argv, { cwd, env, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  if (result.status !== 0) {
    throw new Error(`node ${argv.join(' ')} failed (${result.status ?? result.signal}):\n${result.stderr}`);
  }
  const rss = /envward-bench-maxrss=(\d+)/.exec(result.stderr);
  return { ms, stdout: result.stdout, rssKiB: rss ? Number(rss[1]) : undefined };
}

const tools = Object.keys(dirs);

// Self time per function (name, file, line) over several .cpuprofile files, the 15 largest.
function summariseProfiles(profiles, count) {
  const byItem = new Map();
  let totalUs = 0;
  for (const { nodes, samples, timeDeltas } of profiles) {
    const frames = new Map(nodes.map((node) => [node.id, node.callFrame]));
    samples.forEach((id, i) => {
      const frame = frames.get(id);
      const file = frame.url.replace(/^.*node_modules\//, '').replace(/^file:\/\/.*\/(dist|build)\//, '$1/');
      const name = `${frame.functionName || '(anonymous)'}${file ? ` ${file}:${frame.lineNumber + 1}` : ''}`;
      byItem.set(name, (byItem.get(name) ?? 0) + (timeDeltas[i] ?? 0));
      totalUs += timeDeltas[i] ?? 0;
    });
  }
  const top = [...byItem]
    .sort((a, b) => b[1] - a[1])
    .slice(0, 15)
    .map(([name, us]) => ({ name, ms: us / 1000 / count }));
  return { totalMs: totalUs / 1000 / count, top };
}
const CLI_ROW = 'envward env (CLI)';
const CLI_ARGV = [join(ROOT, 'bin', 'envward.js'), 'env', '--json', '--env', TARGET];
const childOf = (tool) => [join(dirs[tool], 'child.mjs')];

// 1. Correctness: every tool must produce exactly the expected values. This
//    also warms envward's code cache and compiled config (its steady state).
const wanted = checksum(expected);
const checks = {};
for (const tool of tools) {
  const { values, extra } = JSON.parse(run([...childOf(tool), '--check'], { cwd: dirs[tool] }).stdout);
  const got = checksum(values);
  if (got !== wanted) {
    const wrong = keys.flatMap((_key, i) => (literal(values[i]) === literal(expected[i]) ? [] : [i])).slice(0, 5);
    const detail = wrong.map((i) => `${keys[i].path}: got ${literal(values[i])}, want ${literal(expected[i])}`);
    console.error(
      `FAIL: ${tool} resolved different values (checksum ${got}, expected ${wanted}):\n  ${detail.join('\n  ')}`,
    );
    process.exit(1);
  }
  checks[tool] = { checksum: got, ...(extra ? { provenance: extra } : {}) };
}
out(`values: ${keys.length} keys, environment ${TARGET}; all ${tools.length} tools agree (checksum ${wanted})`);
out(`envward provenance of ${hotKey.path}: ${literal(checks.envward.provenance)}`);
const cliCheck = JSON.parse(run(CLI_ARGV, { cwd: dirs.envward }).stdout);
if (cliCheck.name !== TARGET) {
  console.error(`FAIL: envward env said ${literal(cliCheck.name)}, expected ${TARGET}`);
  process.exit(1);
}
out('Children run without NODE_EXTRA_CA_CERTS (it costs every Node 20 process ~30 ms here).');
out();

const ZOD_FLOOR_ROW = "import 'zod' (envward's floor)";
// 2. Cold resolve, interleaved round-robin (the starting tool rotates each round).
const cold = [
  { name: 'node -e 0 (baseline)', argv: ['-e', RSS_HOOK] },
  { name: 'node empty.mjs (baseline)', argv: [join(WORK, 'empty.mjs')] },
  { name: ZOD_FLOOR_ROW, argv: [join(dirs.envward, 'zod-floor.mjs')], cwd: dirs.envward },
  ...tools.map((tool) => ({ name: tool, argv: childOf(tool), cwd: dirs[tool] })),
  { name: CLI_ROW, argv: CLI_ARGV, cwd: dirs.envward },
].map((row) => ({ ...row, times: [], rss: [] }));
const coldStart = Date.now();
for (let round = 0; round < RUNS; round++) {
  for (let j = 0; j < cold.length; j++) {
    const row = cold[(round + j) % cold.length];
    const { ms, rssKiB } = run(row.argv, { cwd: row.cwd });
    row.times.push(ms);
    if (rssKiB !== undefined) row.rss.push(rssKiB);
  }
}
const firstRun = { name: 'envward, first run (caches cleared)', times: [], rss: [] };
for (let i = 0; i < FIRST_RUNS; i++) {
  const cache = mkdtempSync(join(WORK, 'cache-'));
  const first = run(childOf('envward'), { cwd: dirs.envward, env: { ...childEnv, XDG_CACHE_HOME: cache } });
  firstRun.times.push(first.ms);
  firstRun.rss.push(first.rssKiB);
  rmSync(cache, { recursive: true, force: true });
}
if (FIRST_RUNS > 0) cold.push(firstRun);
const coldSeconds = (Date.now() - coldStart) / 1000;

const quantile = (times, q) => {
  const sorted = [...times].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))];
};
for (const row of cold) {
  row.median = quantile(row.times, 0.5);
  row.p90 = quantile(row.times, 0.9);
  row.rssMiB = row.rss.length > 0 ? quantile(row.rss, 0.5) / 1024 : undefined;
}
const envwardRow = cold.find((row) => row.name === 'envward');
const cliRow = cold.find((row) => row.name === CLI_ROW);
const zodFloorRow = cold.find((row) => row.name === ZOD_FLOOR_ROW);
const emptyRow = cold.find((row) => row.name === 'node empty.mjs (baseline)');
const peers = cold.filter((row) => tools.includes(row.name) && row.name !== 'envward');
const fastest = peers.reduce((a, b) => (b.median < a.median ? b : a));
const leanest = peers.reduce((a, b) => (b.rssMiB < a.rssMiB ? b : a));

const pad = (text, width, right = false) => (right ? String(text).padStart(width) : String(text).padEnd(width));
const fixed = (n, digits = 1) => (n === undefined ? '-' : n.toFixed(digits));
out(`Cold resolve: new process to validated config (${RUNS} runs each, interleaved; ${fixed(coldSeconds, 0)} s)`);
out(
  `${pad('tool', 38)}${pad('median ms', 11, true)}${pad('p90 ms', 9, true)}${pad('x fastest', 11, true)}${pad('max RSS MiB', 13, true)}${pad('x leanest', 11, true)}`,
);
for (const row of cold) {
  out(
    `${pad(row.name, 38)}${pad(fixed(row.median), 11, true)}${pad(fixed(row.p90), 9, true)}${pad(fixed(row.median / fastest.median, 2), 11, true)}` +
      `${pad(fixed(row.rssMiB), 13, true)}${pad(row.rssMiB === undefined ? '-' : fixed(row.rssMiB / leanest.rssMiB, 2), 11, true)}`,
  );
}
const goalRatio = envwardRow.median / fastest.median;
const rssRatio = envwardRow.rssMiB / leanest.rssMiB;
const verdict = (met) => (met ? 'goal met' : 'goal NOT met');
const goals = {
  cold: {
    ratio: goalRatio,
    fastestPeer: fastest.name,
    met: goalRatio <= GOAL.coldRatio,
    zodFloorMs: zodFloorRow.median,
    aboveFloorMs: envwardRow.median - zodFloorRow.median,
    peerAboveNodeMs: fastest.median - emptyRow.median,
  },
  rss: { ratio: rssRatio, leanestPeer: leanest.name, met: rssRatio <= GOAL.rssRatio },
  cli: { medianMs: cliRow.median, met: cliRow.median <= GOAL.cliMs },
};
out();
out(
  `Cold resolve: envward / fastest peer (${fastest.name}) = ${fixed(envwardRow.median)} / ${fixed(fastest.median)} ms = ` +
    `${fixed(goalRatio, 2)} (goal <= ${fixed(GOAL.coldRatio, 1)}): ${verdict(goals.cold.met)}`,
);
out(
  `Peak memory: envward / leanest peer (${leanest.name}) = ${fixed(envwardRow.rssMiB)} / ${fixed(leanest.rssMiB)} MiB = ` +
    `${fixed(rssRatio, 2)} (goal <= ${fixed(GOAL.rssRatio, 1)}): ${verdict(goals.rss.met)}`,
);
out(
  `  Floor: importing zod alone takes ${fixed(zodFloorRow.median)} ms = ${fixed(zodFloorRow.median / fastest.median, 2)} x the fastest peer; ` +
    `above its floor envward adds ${fixed(envwardRow.median - zodFloorRow.median)} ms, the fastest peer ${fixed(fastest.median - emptyRow.median)} ms above node's.`,
);
out(
  `Cold CLI: envward env median ${fixed(cliRow.median)} ms (goal <= ${GOAL.cliMs} ms on this machine): ${verdict(goals.cli.met)}`,
);
out();

// 2b. Where envward's time goes: CPU profiles of extra envward children (not timed above).
let profile;
if (PROFILES > 0) {
  const dir = mkdtempSync(join(WORK, 'profile-'));
  for (let i = 0; i < PROFILES; i++) {
    run(['--cpu-prof', '--cpu-prof-dir', dir, '--cpu-prof-interval', '250', ...childOf('envward')], {
      cwd: dirs.envward,
    });
  }
  profile = summariseProfiles(
    readdirSync(dir).map((name) => JSON.parse(readFileSync(join(dir, name), 'utf8'))),
    PROFILES,
  );
  out(
    `CPU profile of the envward child (self time, mean of ${PROFILES} profiles; ${fixed(profile.totalMs)} ms sampled)`,
  );
  for (const item of profile.top) out(`${pad(fixed(item.ms), 8, true)} ms  ${item.name}`);
  out();
}

// 3. Hot get: one process per tool, each timing its accessors and a plain object.
const hot = [];
for (const tool of tools) {
  const results = JSON.parse(run([...childOf(tool), '--hot', String(READS)], { cwd: dirs[tool] }).stdout);
  const plain = results['plain object literal'];
  for (const [access, ns] of Object.entries(results)) {
    if (access === 'plain object literal') continue;
    hot.push({ tool, access, ns, plain, ratio: ns / plain });
  }
}
out(`Hot get of ${hotKey.path} (${READS.toLocaleString('en')} reads; plain object timed in the same process)`);
out(
  `${pad('tool', 24)}${pad('access', 34)}${pad('ns/op', 9, true)}${pad('plain ns/op', 13, true)}${pad('x plain', 10, true)}`,
);
for (const row of hot) {
  out(
    `${pad(row.tool, 24)}${pad(row.access, 34)}${pad(fixed(row.ns, 2), 9, true)}${pad(fixed(row.plain, 2), 13, true)}${pad(fixed(row.ratio, 1), 10, true)}`,
  );
}
const envwardHot = hot.find((row) => row.tool === 'envward');
out();
out(`Property read: envward values.${hotKey.path} is ${fixed(envwardHot.ratio, 2)}x a plain object read`);

if (args.json) {
  const report = {
    node: process.version,
    keys: keys.length,
    environment: TARGET,
    checksum: wanted,
    checks,
    runs: RUNS,
    cold: cold.map(({ name, median, p90, times, rssMiB }) => ({
      name,
      medianMs: median,
      p90Ms: p90,
      maxRssMiB: rssMiB,
      ratioToFastestPeer: median / fastest.median,
      timesMs: times,
    })),
    goals,
    ...(profile ? { profile } : {}),
    hot: {
      reads: READS,
      results: hot.map(({ tool, access, ns, plain, ratio }) => ({
        tool,
        access,
        nsPerOp: ns,
        plainNsPerOp: plain,
        ratioToPlain: ratio,
      })),
    },
  };
  console.log(JSON.stringify(report, null, 2));
}
