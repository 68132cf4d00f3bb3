import type { LogEvent } from 'kysely';
import { settingsOf } from '../config/capability-settings.js';
import type { ResolvedConfig } from '../config/index.js';
import { database } from '../store/database-settings-schema.js';

/** What slow queries are logged to: a pino logger, or anything with pino's `warn(object, message)`. */
export interface QueryLogger {
  warn(object: Record<string, unknown>, message: string): void;
}

/** The environment's slow-query threshold in milliseconds. */
export function slowQueryThresholdMs(
  resolved: Pick<ResolvedConfig<unknown>, 'values' | 'environment' | 'project'>,
): number {
  return settingsOf(resolved, database).slowQueryMs;
}

/**
 * A Kysely `log` option that logs, at warn, every query slower than
 * `thresholdMs`: its SQL text and duration, never its parameters (they may
 * hold secrets or personal data), nor a failed query's error (the caller
 * gets that). A comparison per query, nothing more, unless it is slow.
 * @example
 * new Kysely({ dialect, log: slowQueryLogger(logger, slowQueryThresholdMs(resolved)) });
 */
export function slowQueryLogger(logger: QueryLogger, thresholdMs: number): (event: LogEvent) => void {
  return (event) => {
    if (event.queryDurationMillis <= thresholdMs) return;
    logger.warn(
      {
        durationMs: Math.round(event.queryDurationMillis * 10) / 10,
        thresholdMs,
        sql: event.query.sql,
        ...(event.level === 'error' ? { failed: true } : {}),
      },
      'slow query',
    );
  };
}
