import { createColors } from 'picocolors';
import type { ResolutionWarning } from '../config/index.js';
import type { EnvwardError } from '../errors.js';
import { formatEnvwardError } from '../startup-error.js';

type Colors = ReturnType<typeof createColors>;

export interface OutputOptions {
  readonly json: boolean;
  readonly debug: boolean;
}

/**
 * Everything the CLI prints goes through here: data to stdout (JSON with
 * --json, nothing else there), warnings and errors to stderr, colour only on
 * a TTY and never with NO_COLOR.
 */
export class Output {
  readonly json: boolean;
  readonly debug: boolean;
  readonly colors: Colors;
  readonly errorColors: Colors;

  constructor(options: OutputOptions, env: Readonly<Record<string, string | undefined>> = process.env) {
    this.json = options.json;
    this.debug = options.debug;
    const allowed = env.NO_COLOR === undefined || env.NO_COLOR === '';
    this.colors = createColors(allowed && !options.json && process.stdout.isTTY === true);
    this.errorColors = createColors(allowed && process.stderr.isTTY === true);
  }

  /** Prints `data` as JSON with --json, otherwise the human text. */
  result(data: unknown, human: () => string): void {
    if (this.json) process.stdout.write(`${JSON.stringify(data, jsonReplacer, 2)}\n`);
    else process.stdout.write(`${human()}\n`);
  }

  /** `warning: text`, or `warning[EW_WARN_...]: message` for a typed resolution warning. */
  warn(warning: string | ResolutionWarning): void {
    const text = typeof warning === 'string' ? `warning: ${warning}` : `warning[${warning.code}]: ${warning.message}`;
    process.stderr.write(`${this.errorColors.yellow(text)}\n`);
  }

  /** The loud warning every guard override prints. */
  overrideWarning(guard: string, reason: string, message: string): void {
    const c = this.errorColors;
    const bar = '!'.repeat(72);
    process.stderr.write(
      `${c.bold(c.red(bar))}\n${c.bold(c.red(`OVERRIDE of ${guard}`))}: ${message}\n` +
        `reason: ${reason}\n${c.bold(c.red(bar))}\n`,
    );
  }

  error(error: EnvwardError): void {
    if (this.json) process.stdout.write(`${JSON.stringify({ error: error.toJSON() }, jsonReplacer, 2)}\n`);
    process.stderr.write(formatEnvwardError(error, this.errorColors));
    if (this.debug && error.stack) process.stderr.write(`${error.stack}\n`);
  }
}

function jsonReplacer(_key: string, value: unknown): unknown {
  return typeof value === 'bigint' ? value.toString() : value;
}

// Cc: the C0 controls, DEL and the C1 controls; the Unicode line and paragraph separators and the bidi controls.
const UNPRINTABLE = /[\p{Cc}\u2028\u2029\u202a-\u202e\u2066-\u2069]/gu;
const NAMED_ESCAPES: Readonly<Record<string, string>> = { '\n': '\\n', '\r': '\\r', '\t': '\\t', '\u001b': '\\e' };

/**
 * `text` with every control character written as an escape (\n, \r, \t, \e,
 * \xNN, \uNNNN), for values printed in human output: a value can then never
 * start a line of its own (faking a row of `config show`) or move the cursor.
 */
export function printable(text: string): string {
  return text.replace(UNPRINTABLE, (character) => {
    const named = NAMED_ESCAPES[character];
    if (named) return named;
    const code = character.charCodeAt(0);
    return code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
  });
}
