import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { pathToFileURL } from 'node:url';
import ts from 'typescript';

const root = new URL('../../', import.meta.url).pathname;

/**
 * The package's entries: the subpath users import, its source, and its built
 * file. The source's export list (types included) is what docs/api.md must
 * document; the built file, when present, must export the same values.
 */
const ENTRIES = [
  { subpath: 'envward', source: 'src/index.ts', dist: 'dist/index.js' },
  { subpath: 'envward/store', source: 'src/store/index.ts', dist: 'dist/store.js' },
  { subpath: 'envward/migrate', source: 'src/migrate/index.ts', dist: 'dist/migrate.js' },
  { subpath: 'envward/fastify', source: 'src/http/index.ts', dist: 'dist/fastify.js' },
  { subpath: 'envward/observe', source: 'src/observe/index.ts', dist: 'dist/observe.js' },
  { subpath: 'envward/outbound', source: 'src/outbound/index.ts', dist: 'dist/outbound.js' },
  { subpath: 'envward/runtime', source: 'src/runtime/index.ts', dist: 'dist/runtime.js' },
  { subpath: 'envward/flags', source: 'src/flags/index.ts', dist: 'dist/flags.js' },
  { subpath: 'envward/jobs', source: 'src/jobs/index.ts', dist: 'dist/jobs.js' },
  { subpath: 'envward/console', source: 'src/console/index.ts', dist: 'dist/console.js' },
  { subpath: 'envward/data', source: 'src/data/index.ts', dist: 'dist/data.js' },
] as const;

interface Exported {
  readonly all: readonly string[];
  readonly values: readonly string[];
}

/** Every entry's exports, as the compiler sees them (one program for all entries). */
function sourceExports(): Map<string, Exported> {
  const files = ENTRIES.map((entry) => join(root, entry.source));
  const program = ts.createProgram(files, {
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    strict: true,
    skipLibCheck: true,
    noEmit: true,
    // Only the entries' own modules matter: no global types to load.
    types: [],
  });
  const checker = program.getTypeChecker();
  const exports = new Map<string, Exported>();
  for (const entry of ENTRIES) {
    const file = program.getSourceFile(join(root, entry.source));
    const module = file && checker.getSymbolAtLocation(file);
    assert.ok(module, `${entry.source} is a module`);
    const symbols = checker.getExportsOfModule(module);
    const isValue = (symbol: ts.Symbol) =>
      ((symbol.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(symbol) : symbol).flags &
        ts.SymbolFlags.Value) !==
      0;
    exports.set(entry.subpath, {
      all: symbols.map((symbol) => symbol.name).sort(),
      values: symbols
        .filter(isValue)
        .map((symbol) => symbol.name)
        .sort(),
    });
  }
  return exports;
}

/** The names docs/api.md documents per entry: `- \`name\`` lines under `## \`subpath\``. */
function documented(): Map<string, string[]> {
  const text = readFileSync(join(root, 'docs/api.md'), 'utf8');
  const names = new Map<string, string[]>();
  for (const part of text.split(/^## /m).slice(1)) {
    const subpath = /^`([^`]+)`\s*$/m.exec(part.split('\n')[0] ?? '')?.[1];
    if (!subpath) continue;
    names.set(subpath, [...part.matchAll(/^- `([A-Za-z_$][\w$]*)`/gm)].map((match) => match[1] as string).sort());
  }
  return names;
}

const exports = sourceExports();
const docs = documented();

for (const entry of ENTRIES) {
  test(`${entry.subpath}: every export is documented in docs/api.md, and nothing else is`, () => {
    const exported = exports.get(entry.subpath)?.all ?? [];
    const listed = docs.get(entry.subpath);
    assert.ok(listed, `docs/api.md has a "## \`${entry.subpath}\`" section`);
    assert.deepEqual({ undocumented: exported.filter((name) => !listed.includes(name)) }, { undocumented: [] });
    assert.deepEqual({ notExported: listed.filter((name) => !exported.includes(name)) }, { notExported: [] });
    assert.deepEqual(
      { listedTwice: listed.filter((name, index) => listed.indexOf(name) !== index) },
      { listedTwice: [] },
    );
  });

  test(`${entry.subpath}: the entry lists its exports (no export *)`, () => {
    const text = readFileSync(join(root, entry.source), 'utf8');
    assert.doesNotMatch(text, /export\s+\*/);
  });

  test(`${entry.subpath}: the built entry exports the source's values`, {
    skip: !existsSync(join(root, entry.dist)),
  }, async () => {
    const built = Object.keys(await import(pathToFileURL(join(root, entry.dist)).href)).sort();
    assert.deepEqual(built, exports.get(entry.subpath)?.values);
  });
}

test("docs/api.md documents only the package's entries, and package.json exports only those", () => {
  const subpaths = ENTRIES.map((entry) => entry.subpath).sort();
  assert.deepEqual([...docs.keys()].sort(), subpaths);
  const manifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { exports: Record<string, unknown> };
  const exported = Object.keys(manifest.exports)
    .filter((key) => key !== './package.json')
    .map((key) => (key === '.' ? 'envward' : `envward/${key.slice(2)}`))
    .sort();
  assert.deepEqual(exported, subpaths);
});
