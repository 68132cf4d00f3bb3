import type { Command } from 'commander';
import { UsageError } from '../../errors.js';
import { type CommonOptions, outputFor, withCommonOptions } from '../common-options.js';
import { EXIT } from '../exit-codes.js';
import { setExitCode } from '../exit-status.js';
import { storeFor } from './db.js';

const DURATION = /^(\d+)([smhd])$/;
const UNIT_MS = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;
// Far beyond any audit log's age, and far inside what a Date can hold.
const MAX_SINCE_DAYS = 36_500;
const MAX_LIMIT = 1_000_000;

/** `24h`, `7d` or an ISO-8601 time, as an ISO time. */
function sinceTime(text: string): string {
  const duration = DURATION.exec(text);
  if (duration) {
    const ms = Number(duration[1]) * UNIT_MS[duration[2] as keyof typeof UNIT_MS];
    if (!(ms <= MAX_SINCE_DAYS * UNIT_MS.d)) {
      throw new UsageError(`--since ${text} is too far back: a duration may be at most ${MAX_SINCE_DAYS}d.`);
    }
    return new Date(Date.now() - ms).toISOString();
  }
  const time = new Date(text);
  if (Number.isNaN(time.getTime())) {
    throw new UsageError(`--since expects a duration (30m, 24h, 7d) or an ISO-8601 time, got "${text}".`);
  }
  return time.toISOString();
}

const HASH = /^[0-9a-fA-F]{64}$/;
/** Breaks found inside the chain (the rest compare its end with the anchor or an expected head). */
const CHAIN_BREAKS: ReadonlySet<string> = new Set(['changed', 'removed-before', 'inserted-or-reordered']);

interface VerifyOptions extends CommonOptions {
  readonly expectHead?: string;
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
    const limit = /^\d+$/.test(options.limit ?? '') ? Number(options.limit) : Number.NaN;
    if (!(limit >= 1 && limit <= MAX_LIMIT))
      throw new UsageError(`--limit expects a whole number from 1 to ${MAX_LIMIT}, got "${options.limit}".`);
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
    audit
      .command('verify')
      .description("check the hash chain and that it ends at the stamp's anchor; exit 1 naming what is wrong")
      .option('--expect-head <hash>', 'fail unless this hash (a head noted earlier) is an event of the chain'),
  ).action(async (options: VerifyOptions) => {
    const output = outputFor(options);
    const expectHead = options.expectHead;
    if (expectHead !== undefined && !HASH.test(expectHead)) {
      throw new UsageError(
        `--expect-head expects a 64-character hex hash (a head verify printed), got "${expectHead}".`,
      );
    }
    // verify reads only, so a dropped audit table is reported, not made again: the 'read' open checks the
    // stamp as an open would and writes nothing. An override (--force) opens as before: it is audited.
    const store = await storeFor(options, output, options.force ? 'enforce' : 'read');
    try {
      const result = await store.audit.verify(expectHead === undefined ? {} : { expectHead });
      output.result({ environment: store.environment.name, database: store.where, ...result }, () => {
        if (!result.ok) {
          const { broken } = result;
          const chain = broken && CHAIN_BREAKS.has(broken.reason);
          return output.colors.red(
            `audit log of ${store.where}: ${chain ? `chain broken at row ${broken.seq}: ` : ''}${broken?.message}`,
          );
        }
        const anchor = result.anchor
          ? "matches the stamp's anchor"
          : store.stamp
            ? 'no anchor recorded yet (the stamp table predates it; recorded on the next write)'
            : 'no anchor (the database is not stamped)';
        return `audit log of ${store.where}: ${result.rows} event${result.rows === 1 ? '' : 's'}, chain intact, ${anchor}\nhead ${result.head}`;
      });
      if (!result.ok) setExitCode(EXIT.problem);
    } finally {
      await store.close();
    }
  });
}
