/*
 * "Did you mean" for keys the schema does not declare. A small edit
 * distance over the schema's keys is enough here: this is not a parser, the
 * candidates are a few dozen keys, and suggestions are made only for the
 * unknown keys that are listed (a file of many typos is counted, not scanned).
 */

/** Keys longer than this get no suggestion: the distance is quadratic in length. */
const LONGEST_KEY = 200;

/**
 * Edits (insert, delete, substitute, swap two neighbours) from `a` to `b`,
 * or `limit + 1` as soon as the distance is sure to exceed `limit`.
 */
export function editDistance(a: string, b: string, limit: number): number {
  if (Math.abs(a.length - b.length) > limit) return limit + 1;
  let before: number[] = [];
  let previous = Array.from({ length: b.length + 1 }, (_, index) => index);
  for (let i = 1; i <= a.length; i += 1) {
    const current = [i];
    let best = i;
    for (let j = 1; j <= b.length; j += 1) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let value = Math.min(
        (previous[j] as number) + 1,
        (current[j - 1] as number) + 1,
        (previous[j - 1] as number) + cost,
      );
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) {
        value = Math.min(value, (before[j - 2] as number) + 1);
      }
      current.push(value);
      best = Math.min(best, value);
    }
    if (best > limit) return limit + 1;
    before = previous;
    previous = current;
  }
  return previous[b.length] as number;
}

/**
 * The declared key closest to `key` (case aside), when one is close enough
 * to be a typo of it: at most 1 edit for short keys, 2 from 6 characters, 3
 * from 12. Ties go to the first in schema order.
 */
export function suggestKey(key: string, keys: Iterable<string>): string | undefined {
  if (key.length === 0 || key.length > LONGEST_KEY) return undefined;
  const wanted = key.toLowerCase();
  const limit = wanted.length < 6 ? 1 : wanted.length < 12 ? 2 : 3;
  let best: string | undefined;
  let bestDistance = limit + 1;
  for (const candidate of keys) {
    const distance = editDistance(wanted, candidate.toLowerCase(), Math.min(limit, bestDistance - 1));
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  return best;
}

/** `; did you mean "app.name"?`, or nothing. */
export function didYouMean(key: string, keys: Iterable<string>): string {
  const suggestion = suggestKey(key, keys);
  return suggestion === undefined ? '' : `; did you mean "${suggestion}"?`;
}
