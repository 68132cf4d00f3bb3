import { EXIT_CODE_BY_KIND, errorCodeInfo } from './error-registry.js';
import type { EnvwardError } from './errors.js';

/** The exit codes of the CLI and of reportStartupError (PRODUCT.md contract); a failure's comes from the error registry. */
export const EXIT = Object.freeze({ ok: 0, ...EXIT_CODE_BY_KIND });

/**
 * The exit code the registry gives the error's code. An error made in
 * plain JavaScript with a code the registry lacks exits by its kind.
 */
export function exitCodeFor(error: Pick<EnvwardError, 'code' | 'kind'>): number {
  return errorCodeInfo(error.code)?.exit ?? EXIT_CODE_BY_KIND[error.kind] ?? EXIT.problem;
}
