import type { Logger } from 'pino';
import { importPeer } from '../peers.js';
import type { CreateLoggerOptions, LoggerConfig } from './create-logger.js';

export {
  type AlertRule,
  type AlertRuleSet,
  type AlertThresholds,
  alertRuleSet,
  alertRules,
  alertThresholds,
} from './alert-rules.js';
export { alerts } from './alert-settings-schema.js';
export {
  ALERT_RECEIVERS,
  type AlertReceiver,
  type AlertRoute,
  alertmanagerConfig,
  alertmanagerYaml,
  alertRoutes,
} from './alertmanager-config.js';
export type { CreateLoggerOptions, LoggerConfig } from './create-logger.js';
export {
  GRAFANA_SCHEMA_VERSION,
  type GrafanaDashboard,
  type GrafanaDatasourceRef,
  type GrafanaGridPos,
  type GrafanaPanel,
  type GrafanaTarget,
  type GrafanaVariable,
  grafanaDashboard,
  grafanaDashboardUid,
} from './grafana-dashboard.js';
export { type LogSettings, logSettings } from './log-settings.js';
export { LOG_FORMATS, LOG_LEVELS, type LogFormat, type LogLevel, log } from './log-settings-schema.js';
export { createScrubber, type Scrubber } from './scrubber.js';
export {
  type QueryLogger,
  slowQueryLogger,
  slowQueryThresholdMs,
} from './slow-query.js';

/**
 * The environment's pino logger: level, format (pretty or JSON) and
 * destinations (console, daily files in `var/<env>/logs/`) from `log.*` and
 * the tier; every known secret value scrubbed from every line; `env` on every
 * line; nothing lost on exit or crash. The config's resolution warnings
 * (`resolved.warnings`) are logged once at warn level. pino loads here, on
 * first use.
 * @example
 * const logger = await createLogger(await resolveConfig());
 * logger.info({ account }, 'transfer booked');
 */
export async function createLogger(resolved: LoggerConfig, options: CreateLoggerOptions = {}): Promise<Logger> {
  const { createLoggerNow } = await importPeer('envward/observe', () => import('./create-logger.js'));
  return createLoggerNow(resolved, options);
}

/** Flushes and closes a logger's files (for a graceful shutdown or a test); lines are never buffered otherwise. */
export async function closeLogger(logger: Logger): Promise<void> {
  const { closeLoggerNow } = await importPeer('envward/observe', () => import('./create-logger.js'));
  await closeLoggerNow(logger);
}
