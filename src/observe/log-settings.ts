import { isAbsolute, join } from 'node:path';
import { settingsOf } from '../config/capability-settings.js';
import type { ResolvedConfig } from '../config/index.js';
import { type LogFormat, type LogLevel, log } from './log-settings-schema.js';

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

export function logSettings(
  resolved: Pick<ResolvedConfig<unknown>, 'values' | 'environment' | 'project'>,
): LogSettings {
  const { environment } = resolved;
  const settings = settingsOf(resolved, log);
  const dir = settings.dir ?? join('var', environment.name, 'logs');
  return Object.freeze({
    level: settings.level,
    format: settings.format,
    console: settings.console,
    file: settings.file,
    dir: isAbsolute(dir) ? dir : join(resolved.project.root, dir),
    colour: settings.colour,
  });
}
