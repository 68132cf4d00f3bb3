import type { Command } from 'commander';
import { UsageError } from '../../errors.js';
// The entry's lazy functions: Kysely loads when a revision command runs, not with the CLI.
import {
  configHistory,
  promoteConfig,
  proposeChange,
  type RevisionChange,
  type RevisionResult,
  rollbackConfig,
  setConfig,
} from '../../runtime/index.js';
import { type CommonOptions, outputFor, withCommonOptions } from '../common-options.js';
import type { Output } from '../output.js';
import { printable } from '../output.js';
import { actOrPropose } from './requests.js';

interface RevisionOptions extends CommonOptions {
  readonly dryRun?: boolean;
}

function target(options: CommonOptions) {
  return {
    ...(options.cwd !== undefined ? { cwd: options.cwd } : {}),
    ...(options.env !== undefined ? { env: options.env } : {}),
    ...(options.reason !== undefined ? { reason: options.reason } : {}),
  };
}

function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}

/** `KEY=VALUE` arguments as a record; the value is never echoed in an error. */
function assignments(pairs: readonly string[]): Record<string, string> {
  const values: Record<string, string> = {};
  for (const pair of pairs) {
    const index = pair.indexOf('=');
    if (index <= 0) {
      throw new UsageError(
        'config set expects KEY=VALUE (an argument had no key before "=").',
        'Example: config set log.level=debug --env staging --reason "INC-42"',
      );
    }
    values[pair.slice(0, index)] = pair.slice(index + 1);
  }
  return values;
}

const shown = (text: string | null) => (text === null ? '(not set by revisions)' : printable(text));

function changeLines(changes: readonly RevisionChange[], live: readonly string[]): string[] {
  const width = Math.max(...changes.map((change) => change.key.length));
  return changes.map((change) => {
    const when = live.includes(change.key)
      ? 'live: running instances apply it now'
      : 'restart: applies at the next start';
    return `  ${change.key.padEnd(width)}  ${shown(change.from)} -> ${shown(change.to)}  (${when})`;
  });
}

function printRevision(output: Output, result: RevisionResult): void {
  output.result(result, () => {
    const head = result.written
      ? `${result.environment}: revision ${result.revision} (${result.action}), after ${result.previous}`
      : `${result.environment}: dry run, nothing written; this would be revision ${result.revision} (${result.action})`;
    const lines = [head, ...changeLines(result.changes, result.live)];
    if (result.pending.length > 0 && result.written) {
      lines.push(`pending until each instance restarts: ${result.pending.join(', ')}`);
    }
    return lines.join('\n');
  });
  if (!result.secretsChecked) {
    output.warn(`${result.environment}'s secrets were not checked: this host has no private key for it`);
  }
}

export function registerRevisionCommands(config: Command): void {
  withCommonOptions(
    config
      .command('set')
      .description('change keys at run time: a new revision, validated first and audited (not for secrets)')
      .argument('[assignments...]', 'KEY=VALUE, one or more')
      .option('--unset <key>', 'remove a key from the revisions (repeatable)', collect)
      .option('--dry-run', 'validate and show the changes, write nothing'),
  ).action(async (pairs: string[], options: RevisionOptions & { unset?: string[] }) => {
    const output = outputFor(options);
    const set = assignments(pairs);
    const unset = options.unset ?? [];
    // In an environment whose policy covers config, the change becomes a request.
    const result = await actOrPropose(
      output,
      () => setConfig({ ...target(options), set, unset, dryRun: options.dryRun === true }),
      (env) =>
        proposeChange({
          ...target(options),
          env,
          change: { kind: 'config.set', set, unset },
          reason: options.reason ?? '',
        }),
    );
    if (result) printRevision(output, result);
  });

  withCommonOptions(
    config
      .command('history')
      .description("an environment's runtime revisions with their diffs")
      .option('--key <key>', 'only revisions that changed this key'),
  ).action(async (options: CommonOptions & { key?: string }) => {
    const output = outputFor(options);
    const history = await configHistory({
      ...target(options),
      ...(options.key !== undefined ? { key: options.key } : {}),
    });
    output.result(history, () => {
      if (history.revisions.length === 0) {
        return `${history.environment}: no runtime revisions${options.key ? ` of ${options.key}` : ''} (revision 0: files, secrets and variables only)`;
      }
      return history.revisions
        .map((entry) =>
          [
            `revision ${entry.number}  ${entry.action}  ${entry.at}  by ${printable(entry.actor)} on ${printable(entry.host)}`,
            `  reason: ${entry.reason ? printable(entry.reason) : '(none)'}`,
            ...entry.changes.map((change) => `  ${change.key}: ${shown(change.from)} -> ${shown(change.to)}`),
          ].join('\n'),
        )
        .join('\n');
    });
  });

  withCommonOptions(
    config
      .command('rollback')
      .description("return to an earlier revision's state, as a new revision (0: before any)")
      .requiredOption('--to <number>', 'the revision to return to')
      .option('--dry-run', 'validate and show the changes, write nothing'),
  ).action(async (options: RevisionOptions & { to: string }) => {
    const output = outputFor(options);
    const to = /^\d+$/.test(options.to) ? Number(options.to) : Number.NaN;
    if (!Number.isSafeInteger(to))
      throw new UsageError(
        '--to expects a revision number (0 or more).',
        'Example: config rollback --to 0 --env staging --reason "undo"',
      );
    const result = await actOrPropose(
      output,
      () => rollbackConfig({ ...target(options), to, dryRun: options.dryRun === true }),
      (env) =>
        proposeChange({
          ...target(options),
          env,
          change: { kind: 'config.rollback', to },
          reason: options.reason ?? '',
        }),
    );
    if (result) printRevision(output, result);
  });

  withCommonOptions(
    config
      .command('promote')
      .description('copy keys from one environment to another as a revision of the target')
      .argument('[keys...]', 'the keys to copy (their values in --from)')
      .requiredOption('--from <env>', 'the environment whose values are copied')
      .requiredOption('--to <env>', 'the environment that gets them')
      .option('--all', "every key --from's runtime revisions set")
      .option('--dry-run', 'validate and show the changes, write nothing'),
  ).action(async (keys: string[], options: RevisionOptions & { from: string; to: string; all?: boolean }) => {
    const output = outputFor(options);
    if ((options.all === true) === keys.length > 0) {
      throw new UsageError(
        'config promote takes KEYS or --all, one of them.',
        'Example: config promote ledger.transferLimit --from staging --to production --reason "CHG-7"',
      );
    }
    const request = {
      ...(options.cwd !== undefined ? { cwd: options.cwd } : {}),
      ...(options.reason !== undefined ? { reason: options.reason } : {}),
      from: options.from,
      to: options.to,
      ...(options.all ? {} : { keys }),
    };
    const result = await actOrPropose(
      output,
      () => promoteConfig({ ...request, dryRun: options.dryRun === true }),
      async (env) => {
        // A promotion needing approval is proposed as the set and unset it would make in the target.
        const planned = await promoteConfig({ ...request, dryRun: true });
        const set = Object.fromEntries(
          planned.changes.filter((c) => c.to !== null).map((c) => [c.key, c.to as string]),
        );
        const unset = planned.changes.filter((c) => c.to === null).map((c) => c.key);
        const reason = options.reason ?? '';
        return proposeChange({ ...target(options), env, change: { kind: 'config.set', set, unset }, reason });
      },
    );
    if (result) printRevision(output, result);
  });
}
