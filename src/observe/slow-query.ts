import type { LogEvent } from 'kysely';
import type { ResolvedConfig } from '../config/index.js';
import type { Tier } from '../environment/index.js';
import { settingReader } from './read-setting.js';

/** What slow queries are logged to: a pino logger, or anything with pino's `warn(object, message)`. */
export interface QueryLogger {
  warn(object: Record<string, unknown>, message: string): void;
}

/**
 * Queries slower than this are logged (`database.slowQueryMs`). Development
 * is strict so slow queries show up before they ship; production and staging
 * allow for real load and networks.
 */
export const SLOW_QUERY_TIER_DEFAULTS: Readonly<Record<Tier, number>> = Object.freeze({
  development: 200,
  test: 200,
  staging: 500,
  production: 500,
});

/** The environment's slow-query threshold in milliseconds. */
export function slowQueryThresholdMs(resolved: Pick<ResolvedConfig<unknown>, 'values' | 'environment'>): number {
  return settingReader(resolved).number('database.slowQueryMs', SLOW_QUERY_TIER_DEFAULTS[resolved.environment.tier]);
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
