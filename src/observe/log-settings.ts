import { isAbsolute, join } from 'node:path';
import type { ResolvedConfig } from '../config/index.js';
import type { Tier } from '../environment/index.js';
import { settingReader } from './read-setting.js';

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];
export const LOG_FORMATS = ['pretty', 'json'] as const;
export type LogFormat = (typeof LOG_FORMATS)[number];

/** Where and how an environment logs, from its `log.*` keys and its tier's defaults. */
export interface LogSettings {
  /** `log.level`. */
  readonly level: LogLevel;
  /** `log.format`: pino-pretty text or one JSON object a line. */
  readonly format: LogFormat;
  /** `log.console`: write to stdout (or the destination given to createLogger). */
  readonly console: boolean;
  /** `log.file`: write into `dir`, one file a day (`<env>.<yyyy-MM-dd>.<n>.log`). */
  readonly file: boolean;
  /** `log.dir` (relative to the project root); default `var/<env>/logs`. */
  readonly dir: string;
  /** `log.colour`: colours in pretty output; by default on a TTY only, never with NO_COLOR. */
  readonly colour: boolean | undefined;
}

interface TierLogDefaults {
  readonly level: LogLevel;
  readonly format: LogFormat;
  readonly console: boolean;
  readonly file: boolean;
}

/**
 * Development reads logs on a terminal; test keeps its output quiet; staging
 * and production write JSON files for a collector and keep the console free
 * unless asked (`log.console: true`, e.g. in a container whose stdout is collected).
 */
export const LOG_TIER_DEFAULTS: Readonly<Record<Tier, TierLogDefaults>> = Object.freeze({
  development: { level: 'debug', format: 'pretty', console: true, file: false },
  test: { level: 'warn', format: 'json', console: true, file: false },
  staging: { level: 'info', format: 'json', console: false, file: true },
  production: { level: 'info', format: 'json', console: false, file: true },
});

export function logSettings(
  resolved: Pick<ResolvedConfig<unknown>, 'values' | 'environment' | 'project'>,
): LogSettings {
  const { environment } = resolved;
  const defaults = LOG_TIER_DEFAULTS[environment.tier];
  const read = settingReader(resolved);
  const dir = read.text('log.dir', join('var', environment.name, 'logs'));
  return Object.freeze({
    level: read.oneOf('log.level', LOG_LEVELS, defaults.level),
    format: read.oneOf('log.format', LOG_FORMATS, defaults.format),
    console: read.boolean('log.console', defaults.console),
    file: read.boolean('log.file', defaults.file),
    dir: isAbsolute(dir) ? dir : join(resolved.project.root, dir),
    colour: read.optionalBoolean('log.colour'),
  });
}
