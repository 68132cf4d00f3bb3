import type { Command } from 'commander';
import { UsageError } from '../../errors.js';
import { type CommonOptions, forceFrom, outputFor, withCommonOptions } from '../common-options.js';
import { tableProgressReporter } from '../progress.js';

interface RefreshOptions extends CommonOptions {
  readonly from: string;
  readonly to: string;
  readonly seed?: string;
}

interface SanitiseOptions extends CommonOptions {
  readonly seed?: string;
}

const data = () => import('../../data/index.js');

interface TablesResult {
  readonly tables: readonly { table: string; rows: number; skipped: boolean }[];
  readonly rows: number;
  readonly seconds: number;
  readonly verification: { valuesSampled: number; columnsSearched: number; leaks: readonly string[] };
}

function tableLines(result: TablesResult): string[] {
  const width = Math.max(0, ...result.tables.map((table) => table.table.length));
  return result.tables.map(
    (table) => `  ${table.table.padEnd(width)}  ${table.skipped ? 'emptied (skip)' : `${table.rows} rows`}`,
  );
}

function verificationLine(result: TablesResult): string {
  const { valuesSampled, columnsSearched } = result.verification;
  return `verified: none of ${valuesSampled} sampled source values found unchanged in ${columnsSearched} columns`;
}

/** `envward data refresh|sanitise`: anonymised data between environments (docs/data.md). */
export function registerDataCommands(program: Command): void {
  const group = program.command('data').description('data between environments: anonymised refresh, sanitise');

  withCommonOptions(
    group
      .command('refresh')
      .description("replace an environment's data with another's, through the anonymisation rules (all or nothing)")
      .requiredOption('--from <env>', 'the environment whose data is read, e.g. production')
      .requiredOption('--to <env>', 'the environment whose tables are replaced (never production)')
      .option('--seed <text>', 'makes fakes reproducible across runs (anyone with the seed can link fakes to names)'),
  ).action(async (options: RefreshOptions) => {
    const output = outputFor(options);
    const { refreshData } = await data();
    const force = forceFrom(options);
    const result = await refreshData({
      from: options.from,
      to: options.to,
      reason: options.reason ?? '',
      ...(options.cwd !== undefined ? { cwd: options.cwd } : {}),
      ...(options.seed !== undefined ? { seed: options.seed } : {}),
      ...(force ? { force } : {}),
      onProgress: tableProgressReporter(output),
    });
    output.result(result, () =>
      [
        `Refreshed ${result.to} from ${result.from}: ${result.rows} rows in ${result.seconds} s (${result.rowsPerSecond} rows/s), committed.`,
        ...tableLines(result),
        verificationLine(result),
        `${result.to} stays stamped as ${result.to}; audited in both as data.refresh.`,
      ].join('\n'),
    );
  });

  withCommonOptions(
    group
      .command('sanitise')
      .description("rewrite a test or development environment's own data through the anonymisation rules")
      .option('--seed <text>', 'makes fakes reproducible across runs'),
  ).action(async (options: SanitiseOptions) => {
    const output = outputFor(options);
    if (options.env === undefined) {
      throw new UsageError(
        'data sanitise needs --env: the environment whose own data is rewritten.',
        'Example: envward data sanitise --env test',
      );
    }
    const { sanitiseData } = await data();
    const force = forceFrom(options);
    const result = await sanitiseData({
      env: options.env,
      ...(options.reason !== undefined ? { reason: options.reason } : {}),
      ...(options.cwd !== undefined ? { cwd: options.cwd } : {}),
      ...(options.seed !== undefined ? { seed: options.seed } : {}),
      ...(force ? { force } : {}),
      onProgress: tableProgressReporter(output),
    });
    output.result(result, () =>
      [
        `Sanitised ${result.env}: ${result.rows} rows in ${result.seconds} s, committed.`,
        ...tableLines(result),
        verificationLine(result),
      ].join('\n'),
    );
  });
}
