import type { ErrorKind } from './errors.js';

/** The exit codes of the CLI and of reportStartupError (PRODUCT.md contract), by error kind. */
export const EXIT = Object.freeze({ ok: 0, problem: 1, usage: 2, refused: 3 });

export function exitCodeFor(kind: ErrorKind): number {
  return EXIT[kind];
}
