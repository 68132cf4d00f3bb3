// Builds envward into dist/ and build/:
// - build/{yaml,dotenv}.cjs: those dependencies, one CommonJS file each,
//   so V8's code cache applies to them (Node 20 has none for ES modules);
//   zod is not among them: it is a peer, the user's own instance;
// - dist/<entry>.js, one per subpath export, and dist/cli.js: envward's own
//   modules bundled by esbuild, shared code in chunks; every package stays
//   external, so a capability's peers load only when that capability does;
// - dist/types/: declarations from tsc, which also type-checks the sources.
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { build } from 'esbuild';

const root = new URL('..', import.meta.url).pathname;
const { version } = JSON.parse(readFileSync(`${root}package.json`, 'utf8'));
// Built into a private directory and swapped in at the end, so a test or a
// CLI run in another terminal never sees a half-written dist/.
const stage = `${root}.build-stage-${process.pid}/`;
rmSync(stage, { recursive: true, force: true });
mkdirSync(stage, { recursive: true });
await build({
  entryPoints: {
    yaml: `${root}src/bundled/yaml-entry.ts`,
    dotenv: `${root}src/bundled/dotenv-entry.ts`,
  },
  outdir: `${stage}build`,
  outExtension: { '.js': '.cjs' },
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  minify: true,
  legalComments: 'linked',
  logLevel: 'warning',
});

await build({
  entryPoints: {
    // One per subpath export in package.json (test/packaging checks they agree).
    index: `${root}src/index.ts`,
    store: `${root}src/store/index.ts`,
    migrate: `${root}src/migrate/index.ts`,
    fastify: `${root}src/http/index.ts`,
    observe: `${root}src/observe/index.ts`,
    outbound: `${root}src/outbound/index.ts`,
    runtime: `${root}src/runtime/index.ts`,
    flags: `${root}src/flags/index.ts`,
    jobs: `${root}src/jobs/index.ts`,
    console: `${root}src/console/index.ts`,
    data: `${root}src/data/index.ts`,
    cli: `${root}src/cli/main.ts`,
  },
  outdir: `${stage}dist`,
  bundle: true,
  splitting: true,
  chunkNames: 'chunk-[hash]',
  packages: 'external',
  platform: 'node',
  format: 'esm',
  target: 'node20',
  logLevel: 'warning',
  define: {
    ENVWARD_BUNDLED_DIR: JSON.stringify('../build/'),
    ENVWARD_INDEX_PATH: JSON.stringify('./index.js'),
    ENVWARD_ENTRY_FILES: JSON.stringify({
      store: './store.js',
      migrate: './migrate.js',
      fastify: './fastify.js',
      observe: './observe.js',
      outbound: './outbound.js',
      runtime: './runtime.js',
      flags: './flags.js',
      jobs: './jobs.js',
      console: './console.js',
      data: './data.js',
    }),
    ENVWARD_VERSION: JSON.stringify(version),
  },
});

try {
  execFileSync(
    process.execPath,
    [`${root}node_modules/typescript/bin/tsc`, '-p', `${root}tsconfig.build.json`, '--outDir', `${stage}dist/types`],
    { stdio: 'inherit' },
  );
  for (const name of ['build', 'dist']) {
    rmSync(`${root}${name}.old-${process.pid}`, { recursive: true, force: true });
    try {
      renameSync(`${root}${name}`, `${root}${name}.old-${process.pid}`);
    } catch {}
    renameSync(`${stage}${name}`, `${root}${name}`);
    rmSync(`${root}${name}.old-${process.pid}`, { recursive: true, force: true });
  }
} catch {
  process.exitCode = 1;
} finally {
  rmSync(stage, { recursive: true, force: true });
}
