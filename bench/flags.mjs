#!/usr/bin/env node
// Benchmark: one feature-flag evaluation through an OpenFeature client, with
// envward's provider (envwardFlags over a resolved configuration) against
// OpenFeature's own InMemoryProvider given the same flags and the same
// targeting (a context evaluator doing what the targeting rules do), in the
// same run. Three cases: a static boolean, a user-list rule that matches,
// and a 25 % rollout (SHA-256 of flag and user, as envward hashes).
// Goal: evaluation stays in the same order as the in-memory provider; it is
// per request, so no I/O and no allocation-heavy path.
//
// Rerun: npm run build && npm run bench:flags [-- --iterations 200000 --json]
// Generated files go to bench/.work/flags/ (git-ignored).
import { createHash } from 'node:crypto';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { InMemoryProvider, OpenFeature } from '@openfeature/server-sdk';
import { envwardFlags } from '../dist/flags.js';
import { resolveConfig } from '../dist/index.js';

const { values: args } = parseArgs({
  options: { iterations: { type: 'string', default: '200000' }, json: { type: 'boolean', default: false } },
});
const iterations = Number(args.iterations);
const root = join(import.meta.dirname, '.work', 'flags');
rmSync(root, { recursive: true, force: true });
mkdirSync(join(root, 'config', 'environments', 'production'), { recursive: true });
writeFileSync(
  join(root, 'envward.config.ts'),
  `import { defineConfig, z } from 'envward';
import { flags } from 'envward/flags';
export default defineConfig({
  use: [flags({ simple: { type: 'boolean', default: false }, pilot: { type: 'boolean', default: false }, rollout: { type: 'boolean', default: false } })],
  schema: z.object({}),
});
`,
);
writeFileSync(
  join(root, 'config', 'environments', 'production', 'settings.yml'),
  `flags:
  simple:
    value: true
  pilot:
    targeting: [{ value: true, users: [u1, u2, u3] }]
  rollout:
    targeting: [{ value: true, percentage: 25 }]
`,
);
const resolved = await resolveConfig({ cwd: root, env: 'production', checkHost: false, variables: {} });

/** The position of `key` in a flag's rollout, 0 to 100, as envward computes it. */
const position = (flag, key) =>
  (createHash('sha256').update(`${flag}\0${key}`).digest().readUInt32BE(0) / 2 ** 32) * 100;
const variants = { on: true, off: false };
const inMemory = new InMemoryProvider({
  simple: { variants, defaultVariant: 'on', disabled: false },
  pilot: {
    variants,
    defaultVariant: 'off',
    disabled: false,
    contextEvaluator: (context) => (['u1', 'u2', 'u3'].includes(context.targetingKey) ? 'on' : 'off'),
  },
  rollout: {
    variants,
    defaultVariant: 'off',
    disabled: false,
    contextEvaluator: (context) => (position('rollout', context.targetingKey) < 25 ? 'on' : 'off'),
  },
});
await OpenFeature.setProviderAndWait('envward', envwardFlags(resolved));
await OpenFeature.setProviderAndWait('in-memory', inMemory);
const clients = { envward: OpenFeature.getClient('envward'), 'in-memory': OpenFeature.getClient('in-memory') };

const cases = [
  ['static boolean', 'simple', () => ({ targetingKey: 'u9' })],
  ['user list match', 'pilot', () => ({ targetingKey: 'u2' })],
  ['25 % rollout', 'rollout', (i) => ({ targetingKey: `user-${i}` })],
];

async function measure(client, flag, context) {
  let on = 0;
  const start = process.hrtime.bigint();
  for (let i = 0; i < iterations; i++) if (await client.getBooleanValue(flag, false, context(i))) on += 1;
  const ns = Number(process.hrtime.bigint() - start);
  return { perSecond: Math.round((iterations / ns) * 1e9), usPerEvaluation: ns / iterations / 1000, on };
}

const rows = [];
for (const [name, flag, context] of cases) {
  // Interleaved and repeated: the better of three rounds each, warm.
  const best = { envward: undefined, 'in-memory': undefined };
  for (let round = 0; round < 3; round++) {
    for (const peer of Object.keys(clients)) {
      const result = await measure(clients[peer], flag, context);
      if (!best[peer] || result.perSecond > best[peer].perSecond) best[peer] = result;
    }
  }
  if (best.envward.on !== best['in-memory'].on) throw new Error(`${name}: the providers disagree`);
  rows.push({
    case: name,
    envward: best.envward,
    inMemory: best['in-memory'],
    ratio: best.envward.perSecond / best['in-memory'].perSecond,
  });
}
await OpenFeature.close();

const out = args.json ? process.stderr : process.stdout;
out.write(
  `flag evaluations through an OpenFeature client, ${iterations} per round, best of 3 (${cpus().length} cores, load ${loadavg()[0].toFixed(2)})\n`,
);
out.write('case               envward/s   in-memory/s  envward µs  ratio (envward / in-memory)\n');
for (const row of rows) {
  out.write(
    `${row.case.padEnd(18)} ${String(row.envward.perSecond).padStart(9)}   ${String(row.inMemory.perSecond).padStart(11)}   ${row.envward.usPerEvaluation.toFixed(2).padStart(9)}  ${row.ratio.toFixed(2)}\n`,
  );
}
if (args.json) process.stdout.write(`${JSON.stringify({ iterations, rows }, null, 2)}\n`);
rmSync(root, { recursive: true, force: true });
