/**
 * Config knows no capability's module: the secrets layer reaches resolution
 * through src/resolution.ts, the root entry's composition, not through an
 * import from src/config (issue 13: no config ⇄ secrets cycle). A small walk
 * over the import statements of src/, static and dynamic, type-only
 * included: a path from any module of src/config to one of src/secrets
 * fails, and names the path. The walk does not pass through the root entry
 * (src/index.ts): project loading imports it only to hand it to the
 * project's envward.config.ts as `envward`, which is the project's import,
 * not config's.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';

const SRC = fileURLToPath(new URL('../../src/', import.meta.url));
const ROOT_ENTRY = 'index.ts';
// `from '...'` (import, export, import type) and `import('...')`; comments are stripped first.
const SPECIFIER = /\bfrom\s+['"]([^'"]+)['"]|\bimport\s*\(\s*['"]([^'"]+)['"]\s*\)|\bimport\s+['"]([^'"]+)['"]/g;

function sourceFiles(): string[] {
  return readdirSync(SRC, { recursive: true })
    .map(String)
    .filter((file) => file.endsWith('.ts') && !file.endsWith('.d.ts'))
    .map((file) => join(SRC, file));
}

/** Each module's imports of other modules of src/ (paths relative to src/). */
function importGraph(): Map<string, string[]> {
  const graph = new Map<string, string[]>();
  for (const file of sourceFiles()) {
    const text = readFileSync(file, 'utf8')
      .replace(/\/\*[\s\S]*?\*\//g, '')
      .replace(/^\s*\/\/.*$/gm, '');
    const targets: string[] = [];
    for (const match of text.matchAll(SPECIFIER)) {
      const specifier = match[1] ?? match[2] ?? match[3] ?? '';
      if (!specifier.startsWith('.')) continue;
      targets.push(relative(SRC, resolve(dirname(file), specifier.replace(/\.js$/, '.ts'))));
    }
    graph.set(relative(SRC, file), targets);
  }
  return graph;
}

/** The shortest import path from a module under `from` to one under `to`, or undefined. */
function pathBetween(graph: Map<string, string[]>, from: string, to: string): string[] | undefined {
  const queue = [...graph.keys()].filter((module) => module.startsWith(`${from}/`)).map((module) => [module]);
  const seen = new Set(queue.map((path) => path[0]));
  while (queue.length > 0) {
    const path = queue.shift() as string[];
    const last = path[path.length - 1] as string;
    if (last.startsWith(`${to}/`)) return path;
    for (const next of graph.get(last) ?? []) {
      if (seen.has(next) || next === ROOT_ENTRY) continue;
      seen.add(next);
      queue.push([...path, next]);
    }
  }
  return undefined;
}

describe('import graph of src/', () => {
  const graph = importGraph();

  test('the walk sees the imports (secrets imports config, the root entry the composition)', () => {
    assert.ok(pathBetween(graph, 'secrets', 'config'), 'src/secrets imports src/config (the layer interface)');
    assert.ok(graph.get(ROOT_ENTRY)?.includes('resolution.ts'), 'src/index.ts exports the default composition');
    assert.ok(
      graph.get('resolution.ts')?.includes('secrets/secrets-layer.ts'),
      'the composition adds the secrets layer',
    );
  });

  test('no module of src/config reaches src/secrets', () => {
    const path = pathBetween(graph, 'config', 'secrets');
    assert.equal(path, undefined, `config reaches secrets: ${path?.join(' -> ')}`);
  });
});
