import type { FlagJson } from './flag-declarations.js';

/** Whether two flag values are the same: `===` for scalars, structural equality for JSON. */
export function sameFlagValue(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a)) {
    const other = b as unknown[];
    return a.length === other.length && a.every((item, index) => sameFlagValue(item, other[index]));
  }
  const left = Object.keys(a);
  const right = b as Record<string, unknown>;
  return (
    left.length === Object.keys(right).length &&
    left.every((key) => Object.hasOwn(right, key) && sameFlagValue((a as Record<string, unknown>)[key], right[key]))
  );
}

/** Freezes a JSON value and everything in it. */
export function deepFreeze<T extends FlagJson | unknown>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}
