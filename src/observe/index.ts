import type { Logger } from 'pino';
import type { ResolvedConfig } from '../config/index.js';
import { importPeer } from '../peers.js';
import type { CreateLoggerOptions } from './create-logger.js';

export {
  ALERT_TIER_DEFAULTS,
  type AlertRule,
  type AlertRuleSet,
  type AlertThresholds,
  alertRuleSet,
  alertRules,
  alertThresholds,
} from './alert-rules.js';
export type { CreateLoggerOptions } from './create-logger.js';
export {
  LOG_FORMATS,
  LOG_LEVELS,
  LOG_TIER_DEFAULTS,
  type LogFormat,
  type LogLevel,
  type LogSettings,
  logSettings,
} from './log-settings.js';
export { ObserveSettingError } from './observe-errors.js';
export { createScrubber, MIN_SCRUBBED_LENGTH, type Scrubber } from './scrubber.js';
export {
  type QueryLogger,
  SLOW_QUERY_TIER_DEFAULTS,
  slowQueryLogger,
  slowQueryThresholdMs,
} from './slow-query.js';

/**
 * The environment's pino logger: level, format (pretty or JSON) and
 * destinations (console, daily files in `var/<env>/logs/`) from `log.*` and
 * the tier; every known secret value scrubbed from every line; `env` on every
 * line; nothing lost on exit or crash. pino loads here, on first use.
 * @example
 * const logger = await createLogger(await resolveConfig());
 * logger.info({ account }, 'transfer booked');
 */
export async function createLogger(
  resolved: Pick<ResolvedConfig<unknown>, 'values' | 'environment' | 'project' | 'hostname' | 'secretValues'>,
  options: CreateLoggerOptions = {},
): Promise<Logger> {
  const { createLoggerNow } = await importPeer('envward/observe', () => import('./create-logger.js'));
  return createLoggerNow(resolved, options);
}

/** Flushes and closes a logger's files (for a graceful shutdown or a test); lines are never buffered otherwise. */
export async function closeLogger(logger: Logger): Promise<void> {
  const { closeLoggerNow } = await importPeer('envward/observe', () => import('./create-logger.js'));
  await closeLoggerNow(logger);
}
