import type { ErrorKind } from '../errors.js';

/** The CLI's exit codes (PRODUCT.md contract). */
export const EXIT = Object.freeze({ ok: 0, problem: 1, usage: 2, refused: 3 });

export function exitCodeFor(kind: ErrorKind): number {
  return EXIT[kind];
}
