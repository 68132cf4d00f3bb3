import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Document, Node, Pair } from 'yaml';
import { bundledYaml, cacheDirectoryOrNull, writeCacheAtomically } from '../../bundled/index.js';
import { ConfigParseError } from '../../errors.js';

/**
 * A YAML file reduced to what resolution needs: nested mappings with the
 * position of every key, and plain values. It is independent of the schema,
 * so it can be cached by the file's content: the yaml library is slow until
 * V8 has warmed it up (~60 ms for a 1,000-key file in a new process), and an
 * unchanged file then costs one JSON.parse.
 */
export type YamlTree =
  | { readonly t: 'map'; readonly line: number; readonly column: number; readonly items: readonly YamlItem[] }
  | { readonly t: 'value'; readonly line: number; readonly column: number; readonly value: unknown };

export interface YamlItem {
  readonly name: string;
  readonly line: number;
  readonly column: number;
  readonly node: YamlTree;
}

// 2: unknown tags and non-plain values (!!binary, !!set, ...) became errors; older trees may hold them.
const TREE_FORMAT = '2';

function buildTree(text: string, file: string): { tree: YamlTree | null; cacheable: boolean } {
  const { parseDocument, LineCounter, isMap, isScalar } = bundledYaml();
  const lineCounter = new LineCounter();
  // Duplicate keys are found below with a Set: yaml's own check compares every key with every other.
  const document = parseDocument(text, { lineCounter, uniqueKeys: false, prettyErrors: true });
  // An unknown tag (`!foo`) is only a warning to yaml; here it is an error like any other.
  const [error] = [...document.errors, ...document.warnings.filter((w) => w.code === 'TAG_RESOLVE_FAILED')];
  if (error) {
    const position = error.linePos?.[0];
    throw new ConfigParseError(
      { file, ...(position ? { line: position.line, column: position.col } : {}) },
      (error.message.split('\n')[0] ?? 'invalid YAML').replace(/ at line \d+, column \d+:?$/, ''),
    );
  }
  let cacheable = true;
  const positionOf = (node: Node | null | undefined) => {
    const { line, col } = lineCounter.linePos(node?.range?.[0] ?? 0);
    return { line, column: col };
  };
  const toTree = (node: Node | null, doc: Document): YamlTree => {
    const where = positionOf(node);
    // !!set is a mapping to yaml; like every tag that is not plain data, it is refused below.
    if (isMap(node) && (!node.tag || node.tag === 'tag:yaml.org,2002:map')) {
      const items: YamlItem[] = [];
      const lines = new Map<string, number>();
      for (const pair of node.items as Pair[]) {
        const key = pair.key as Node | null;
        if (!isScalar(key) || key.value === null || typeof key.value === 'object') {
          throw new ConfigParseError({ file, ...positionOf(key) }, 'keys must be plain scalars');
        }
        const name = String(key.value);
        const position = positionOf(key);
        const first = lines.get(name);
        if (first !== undefined) {
          throw new ConfigParseError(
            { file, ...position },
            `Map keys must be unique: "${name}" is already set at line ${first}`,
          );
        }
        lines.set(name, position.line);
        items.push({ name, ...position, node: toTree(pair.value as Node | null, doc) });
      }
      return { t: 'map', ...where, items };
    }
    let value: unknown = null;
    try {
      if (node !== null) value = node.toJS(doc);
    } catch (error) {
      // An alias to no anchor, or an alias bomb: yaml throws while building the value.
      throw new ConfigParseError({ file, ...where }, error instanceof Error ? error.message : 'invalid YAML value');
    }
    if (!isPlainData(value) || isMap(node)) {
      const tag = node?.tag ? ` tagged ${node.tag.replace(/^tag:yaml\.org,2002:/, '!!')}` : '';
      throw new ConfigParseError(
        { file, ...where },
        `the value${tag} is not plain data; use strings, numbers, booleans, null, lists and mappings (no !!binary, !!set, !!omap or !!timestamp)`,
      );
    }
    // JSON cannot carry .inf, .nan or -0; such a file is simply not cached.
    if (!isJsonSafe(value)) cacheable = false;
    return { t: 'value', ...where, value };
  };
  const root = document.contents as Node | null;
  if (root === null || (isScalar(root) && root.value === null)) return { tree: null, cacheable };
  if (!isMap(root))
    throw new ConfigParseError({ file, ...positionOf(root) }, 'the top level must be a mapping of keys to values');
  return { tree: toTree(root, document), cacheable };
}

/** Values a config can hold: what JSON holds, plus the numbers JSON cannot write (.inf, .nan, -0). */
function isPlainData(value: unknown): boolean {
  if (value === null || ['string', 'number', 'boolean'].includes(typeof value)) return true;
  if (Array.isArray(value)) return value.every(isPlainData);
  if (typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype) {
    return Object.values(value).every(isPlainData);
  }
  return false;
}

function isJsonSafe(value: unknown): boolean {
  if (typeof value === 'number') return Number.isFinite(value) && !Object.is(value, -0);
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return true;
  if (Array.isArray(value)) return value.every(isJsonSafe);
  if (typeof value === 'object') {
    return Object.getPrototypeOf(value) === Object.prototype && Object.values(value).every(isJsonSafe);
  }
  return false;
}

/** A cached tree, or a fresh parse; `store` writes a fresh parse to the cache when allowed. */
export interface LoadedTree {
  readonly tree: YamlTree | null;
  readonly fromCache: boolean;
  store(): void;
}

/**
 * Parses YAML into a tree, from the cache when `cachePath` (the file's
 * absolute path) last had this exact content. Callers decide whether to
 * `store()`: a file holding secret values is never copied into the cache.
 */
export function loadYamlTree(text: string, file: string, cachePath?: string): LoadedTree {
  const dir = cachePath ? cacheDirectoryOrNull() : null;
  const cacheFile = dir
    ? join(
        dir,
        `yaml-${createHash('sha256')
          .update(cachePath as string)
          .digest('hex')
          .slice(0, 24)}.json`,
      )
    : null;
  const stamp = `${TREE_FORMAT}:${createHash('sha256').update(text).digest('hex')}\n`;
  if (cacheFile) {
    try {
      const stored = readFileSync(cacheFile, 'utf8');
      if (stored.startsWith(stamp)) {
        return { tree: JSON.parse(stored.slice(stamp.length)) as YamlTree | null, fromCache: true, store() {} };
      }
    } catch {
      // no usable cache: parse
    }
  }
  const { tree, cacheable } = buildTree(text, file);
  return {
    tree,
    fromCache: false,
    store() {
      if (cacheFile && cacheable) writeCacheAtomically(cacheFile, Buffer.from(stamp + JSON.stringify(tree)));
    },
  };
}

/** The plain JavaScript value of a tree node (mappings become objects). */
export function treeValue(node: YamlTree): unknown {
  if (node.t === 'value') return node.value;
  const result: Record<string, unknown> = {};
  for (const item of node.items) result[item.name] = treeValue(item.node);
  return result;
}
