#!/usr/bin/env node
// Benchmark: what environments declared in files (env create, preview up)
// cost every start. Each start reads every config/environments/*/environment.yml
// to know the catalogue before it detects the environment.
//
// What it measures: openProject() (the project file, compiled and cached,
// and the catalogue), warm, in this process, on one generated project with
// 0 declaration files and then with --previews of them (default 20), median
// of --runs (default 300). The difference is the declarations' cost; the
// ratio is against the same project without them, measured in the same run.
//
// Rerun: npm run build && npm run bench:declarations [-- --previews 20 --runs 300]
// Generated files go to bench/.work/declarations/ (git-ignored).
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { openProject } from '../dist/index.js';

const { values } = parseArgs({
  options: { previews: { type: 'string', default: '20' }, runs: { type: 'string', default: '300' } },
});
const previews = Number(values.previews);
const runs = Number(values.runs);
const root = join(import.meta.dirname, '.work', 'declarations');
rmSync(root, { recursive: true, force: true });
mkdirSync(join(root, 'config', 'environments', 'staging'), { recursive: true });
writeFileSync(
  join(root, 'envward.config.ts'),
  "import { database, defineConfig, z } from 'envward';\nexport default defineConfig({ use: [database], schema: z.object({}) });\n",
);
writeFileSync(
  join(root, 'config', 'environments', 'staging', 'settings.yml'),
  'database:\n  url: sqlite:var/staging/app.db\n',
);

async function median() {
  for (let i = 0; i < 20; i++) await openProject(root);
  const times = [];
  for (let i = 0; i < runs; i++) {
    const start = performance.now();
    await openProject(root);
    times.push(performance.now() - start);
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)];
}

const without = await median();
for (let i = 1; i <= previews; i++) {
  const dir = join(root, 'config', 'environments', `pr-${i}`);
  mkdirSync(dir, { recursive: true });
  writeFileSync(
    join(dir, 'environment.yml'),
    `tier: preview\ncode: P${String(i).padStart(2, '0')}\nfrom: staging\npreview:\n  owner: ci\n  createdAt: 2026-12-01T00:00:00Z\n  expiresAt: 2026-12-09T00:00:00Z\n  database: { kind: sqlite-file, file: var/pr-${i}/app.db }\n`,
  );
}
const withPreviews = await median();
console.log(`openProject, warm, median of ${runs}:`);
console.log(`  no declaration files      ${without.toFixed(3)} ms`);
console.log(
  `  ${String(previews).padEnd(2)} preview declarations   ${withPreviews.toFixed(3)} ms (${(withPreviews / without).toFixed(2)}x; ${(((withPreviews - without) / previews) * 1000).toFixed(0)} µs each)`,
);
rmSync(root, { recursive: true, force: true });
