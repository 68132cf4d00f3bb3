import type { Command } from 'commander';
import { UsageError } from '../../errors.js';
import { type CommonOptions, outputFor, withCommonOptions } from '../common-options.js';
import { EXIT } from '../exit-codes.js';
import { storeFor } from './db.js';

const DURATION = /^(\d+)([smhd])$/;
const UNIT_MS = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;

/** `24h`, `7d` or an ISO-8601 time, as an ISO time. */
function sinceTime(text: string): string {
  const duration = DURATION.exec(text);
  if (duration) {
    const ms = Number(duration[1]) * UNIT_MS[duration[2] as keyof typeof UNIT_MS];
    return new Date(Date.now() - ms).toISOString();
  }
  const time = new Date(text);
  if (Number.isNaN(time.getTime())) {
    throw new UsageError(`--since expects a duration (30m, 24h, 7d) or an ISO-8601 time, got "${text}".`);
  }
  return time.toISOString();
}

interface AuditOptions extends CommonOptions {
  readonly since?: string;
  readonly action?: string;
  readonly limit?: string;
}

export function registerAuditCommands(program: Command): void {
  const audit = program.command('audit').description("the environment's hash-chained audit log");

  withCommonOptions(
    audit
      .command('list')
      .description('audit events, oldest first')
      .option('--since <when>', 'events since a duration ago (24h, 7d) or an ISO-8601 time')
      .option('--action <name>', 'only this action (e.g. guard.override, db.stamp, secrets.reveal)')
      .option('--limit <n>', 'at most this many of the latest events', '100'),
    { set: true },
  ).action(async (options: AuditOptions) => {
    const output = outputFor(options);
    const limit = Number(options.limit);
    if (!Number.isInteger(limit) || limit <= 0)
      throw new UsageError(`--limit expects a positive integer, got "${options.limit}".`);
    const filter = {
      limit,
      ...(options.since ? { since: sinceTime(options.since) } : {}),
      ...(options.action ? { action: options.action } : {}),
    };
    const store = await storeFor(options, output, 'read');
    try {
      const rows = await store.audit.list(filter);
      output.result({ environment: store.environment.name, database: store.where, events: rows }, () =>
        rows.length === 0
          ? 'no audit events'
          : rows
              .map(
                (row) =>
                  `#${row.seq} ${row.at} ${row.environment} ${row.actor}@${row.host} ${row.action} ${row.target} -> ${row.outcome}` +
                  (row.reason ? `\n      reason: ${row.reason}` : ''),
              )
              .join('\n'),
      );
    } finally {
      await store.close();
    }
  });

  withCommonOptions(
    audit.command('verify').description('check the hash chain; exit 1 naming the first broken row'),
  ).action(async (options: CommonOptions) => {
    const output = outputFor(options);
    const store = await storeFor(options, output, 'read');
    try {
      const result = await store.audit.verify();
      output.result({ environment: store.environment.name, database: store.where, ...result }, () =>
        result.ok
          ? `audit log of ${store.where}: ${result.rows} events, chain intact`
          : output.colors.red(
              `audit log of ${store.where}: chain broken at row ${result.broken?.seq}: ${result.broken?.message}`,
            ),
      );
      if (!result.ok) process.exitCode = EXIT.problem;
    } finally {
      await store.close();
    }
  });
}
