import { z } from 'zod';
import { live } from '../config/reload-marker.js';
import { defineSettings } from '../config/settings-fragment.js';

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];
export const LOG_FORMATS = ['pretty', 'json'] as const;
export type LogFormat = (typeof LOG_FORMATS)[number];

/**
 * Development reads logs on a terminal; test keeps its output quiet; staging
 * and production write JSON files for a collector and keep the console free
 * unless asked (`log.console: true`, e.g. in a container whose stdout is collected).
 */
export const LOG_TIER_DEFAULTS = Object.freeze({
  development: { level: 'debug', format: 'pretty', console: true, file: false },
  test: { level: 'warn', format: 'json', console: true, file: false },
  staging: { level: 'info', format: 'json', console: false, file: true },
  production: { level: 'info', format: 'json', console: false, file: true },
} as const);

/**
 * The logger's settings (`log.*`), owned by envward/observe.
 * @example defineConfig({ use: [log], schema }) // settings.yml: log: { level: warn }
 */
export const log = defineSettings({
  key: 'log',
  capability: 'envward/observe',
  tierDefaults: LOG_TIER_DEFAULTS,
  schema: () =>
    z.object({
      level: live(z.enum(LOG_LEVELS)),
      /** pino-pretty text or one JSON object a line. */
      format: z.enum(LOG_FORMATS),
      /** Write to stdout (or the destination given to createLogger). */
      console: z.boolean(),
      /** Write into `dir`, one file a day (`<env>.<yyyy-MM-dd>.<n>.log`). */
      file: z.boolean(),
      /** Relative to the project root; default `var/<env>/logs`. */
      dir: z.string().min(1).optional(),
      /** Colours in pretty output; by default on a TTY only, never with NO_COLOR. */
      colour: z.boolean().optional(),
    }),
});
