import { createScrubber } from './config/scrubber.js';
import { describeThrown, type EnvwardError, isEnvwardError } from './errors.js';
import { EXIT, exitCodeFor } from './exit-codes.js';

/** Colouring for the error text; the CLI passes picocolors', an application gets plain text. */
export interface ErrorColors {
  red(text: string): string;
  bold(text: string): string;
  dim(text: string): string;
}

const plain: ErrorColors = { red: (text) => text, bold: (text) => text, dim: (text) => text };

/** `error[EW_CODE]: message` and `hint: ...`, as the CLI prints an envward error (no stack). */
export function formatEnvwardError(error: EnvwardError, colors: ErrorColors = plain): string {
  return `${colors.red(colors.bold(`error[${error.code}]`))}: ${error.message}\n${colors.dim(`hint: ${error.hint}`)}\n`;
}

export interface StartupErrorOptions {
  /** Where the text goes; default `process.stderr`. */
  readonly stream?: { write(text: string): unknown };
  /**
   * The resolved configuration when start-up got that far: every secret
   * value of it is scrubbed from what is printed (an application's own
   * error may quote one).
   */
  readonly config?: { secretValues(): readonly string[] };
}

/**
 * Reports an application's start-up failure the way the CLI reports its
 * own, and returns the exit code to use: an envward error as
 * `error[EW_CODE]: message` and its hint, without a stack, exit 2 for a
 * usage mistake, 1 for a problem found, 3 for a guard's refusal; any other
 * thrown value as `error: Name: message` with its stack (it is the
 * application's own), exit 1. Secret values of `config` are scrubbed; it
 * never throws, whatever was thrown.
 * @example
 * try {
 *   await main();
 * } catch (error) {
 *   process.exitCode = reportStartupError(error);
 * }
 */
export function reportStartupError(error: unknown, options: StartupErrorOptions = {}): number {
  const stream = options.stream ?? process.stderr;
  let scrub = (text: string) => text;
  try {
    if (options.config) scrub = createScrubber(options.config.secretValues());
  } catch {
    // No secret values to scrub with: the error is still reported.
  }
  if (isEnvwardError(error)) {
    try {
      stream.write(scrub(formatEnvwardError(error)));
      return exitCodeFor(error);
    } catch {
      // An error whose fields cannot be read (a hostile value inside): described below instead.
    }
  }
  stream.write(scrub(`error: ${describeThrown(error)}\n${stackOf(error)}`));
  return EXIT.problem;
}

/** The stack below the first line (which describeThrown gave), or nothing. */
function stackOf(error: unknown): string {
  try {
    if (!(error instanceof Error) || typeof error.stack !== 'string') return '';
    const frames = error.stack.split('\n').filter((line) => /^\s+at /.test(line));
    return frames.length > 0 ? `${frames.join('\n')}\n` : '';
  } catch {
    return '';
  }
}
