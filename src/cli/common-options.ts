import type { Command } from 'commander';
import type { ForceOverride } from '../environment/index.js';
import { ForceWithoutReasonError, UsageError } from '../errors.js';
import { Output } from './output.js';

/** Options every command takes. */
export interface CommonOptions {
  readonly env?: string;
  readonly cwd?: string;
  readonly json?: boolean;
  readonly force?: boolean;
  readonly reason?: string;
  readonly debug?: boolean;
  readonly set?: readonly string[];
}

function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}

/** Adds --env, --cwd, --json, --force, --reason and --debug to a command. */
export function withCommonOptions(command: Command, options: { set?: boolean } = {}): Command {
  command
    .option('--env <name>', 'environment to act as (overrides detection)')
    .option('--cwd <dir>', 'project directory (default: the current directory)')
    .option('--json', 'machine-readable output on stdout')
    .option('--force', 'override a guard that refused (needs --reason; audited)')
    .option('--reason <text>', 'why a guard is overridden')
    .option('--debug', 'print stack traces on errors');
  if (options.set) command.option('--set <key=value>', 'set a value, highest precedence (repeatable)', collect);
  return command;
}

export function outputFor(options: CommonOptions): Output {
  return new Output({ json: options.json === true, debug: options.debug === true });
}

/** `--force --reason "..."` as an override; --force alone is a usage error. */
export function forceFrom(options: CommonOptions): ForceOverride | undefined {
  if (!options.force) return undefined;
  if (!options.reason?.trim()) throw new ForceWithoutReasonError();
  return { reason: options.reason.trim() };
}

/** Parses repeated `--set key=value` into a record. */
export function setFrom(options: CommonOptions): Record<string, string> {
  const values: Record<string, string> = {};
  for (const pair of options.set ?? []) {
    const index = pair.indexOf('=');
    // The argument is not echoed: it may hold a secret value.
    if (index <= 0)
      throw new UsageError(
        '--set expects key=value (an argument had no key before "=").',
        'Example: --set log.level=warn',
      );
    values[pair.slice(0, index)] = pair.slice(index + 1);
  }
  return values;
}
