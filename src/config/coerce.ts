import { loadedZod } from '../zod-peer.js';
import type { SchemaLeaf } from './schema-index.js';

export type Coerced =
  | { readonly ok: true; readonly value: unknown }
  | { readonly ok: false; readonly expected: string };

/**
 * How deep JSON text may nest. JSON.parse reads any depth, but the code that
 * walks values after it (masking, freezing, scrubbing) recurses, and a value
 * nested thousands deep would overflow the stack instead of being refused.
 */
const MAX_JSON_DEPTH = 64;

/** Whether `value` nests objects or arrays more than `limit` deep; iterative, so it cannot overflow itself. */
function nestedDeeperThan(value: unknown, limit: number): boolean {
  const pending: [unknown, number][] = [[value, 0]];
  for (let next = pending.pop(); next !== undefined; next = pending.pop()) {
    const [node, depth] = next;
    if (typeof node !== 'object' || node === null) continue;
    if (depth >= limit) return true;
    for (const child of Object.values(node)) pending.push([child, depth + 1]);
  }
  return false;
}

const DECIMAL = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;
const INTEGER = /^[+-]?\d+$/;

let stringBool: { safeParse(input: unknown): { success: boolean; data?: unknown } } | undefined;

/**
 * Turns text from a .env file, a variable or --set into the leaf's type,
 * with zod's own rules (z.stringbool for booleans) rather than ad-hoc parsing.
 * Empty text stays an empty string: it is a value, not an absence.
 */
export function coerceText(leaf: SchemaLeaf, text: string): Coerced {
  switch (leaf.kind) {
    case 'boolean': {
      stringBool ??= loadedZod().z.stringbool(); // a leaf exists, so the project (and zod) is loaded
      const parsed = stringBool.safeParse(text);
      return parsed.success
        ? { ok: true, value: parsed.data }
        : { ok: false, expected: 'a boolean (true/false, 1/0, yes/no, on/off)' };
    }
    case 'number': {
      // Number() also reads '0x1F90', '0o17', '0b1', 'Infinity' and '' (as 0): text is decimal only.
      const value = DECIMAL.test(text.trim()) ? Number(text) : Number.NaN;
      return Number.isFinite(value) ? { ok: true, value } : { ok: false, expected: 'a decimal number' };
    }
    case 'bigint':
      // BigInt() also reads hex, octal, binary and '' (as 0n).
      return INTEGER.test(text.trim())
        ? { ok: true, value: BigInt(text.trim()) }
        : { ok: false, expected: 'a decimal integer' };
    case 'json': {
      let value: unknown;
      try {
        value = JSON.parse(text);
      } catch {
        return { ok: false, expected: 'JSON (an array or object)' };
      }
      return nestedDeeperThan(value, MAX_JSON_DEPTH)
        ? { ok: false, expected: `JSON (an array or object) nested at most ${MAX_JSON_DEPTH} deep` }
        : { ok: true, value };
    }
    default:
      return { ok: true, value: text };
  }
}
