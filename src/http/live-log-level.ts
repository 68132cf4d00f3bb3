import type { FastifyBaseLogger } from 'fastify';
import type { ResolvedConfig } from '../config/index.js';
import { LOG_LEVELS } from '../observe/index.js';
import type { LiveConfig } from '../runtime/index.js';

/** The key that sets envward's log level (`log.*`, owned by envward/observe). */
const LOG_LEVEL_KEY = 'log.level';
const LEVELS: ReadonlySet<string> = new Set(LOG_LEVELS);

function levelOf(config: ResolvedConfig<unknown>): string | undefined {
  const level = (config.values as { log?: { level?: unknown } }).log?.level;
  return typeof level === 'string' && LEVELS.has(level) ? level : undefined;
}

/**
 * Makes `loggers` (the server's, and the plugin's own when another) follow
 * `log.level` of a live configuration: set now to the applied snapshot's
 * level (a logger made from the files' configuration may predate a revision
 * that changed it), then at each revision that changes it. Request loggers
 * are children made per request, so the next request logs at the new level.
 * Nothing happens when the project does not use envward's `log` settings.
 * Returns the function that stops following.
 */
export function followLogLevel(
  live: LiveConfig<unknown>,
  loggers: readonly FastifyBaseLogger[],
  report: FastifyBaseLogger,
): () => void {
  if (!live.current.keys.includes(LOG_LEVEL_KEY)) return () => {};
  const apply = (level: string | undefined) => {
    if (level === undefined) return false;
    let changed = false;
    for (const logger of loggers) {
      if (logger.level === level) continue;
      logger.level = level;
      changed = true;
    }
    return changed;
  };
  apply(levelOf(live.current));
  return live.subscribe([LOG_LEVEL_KEY], (change) => {
    const level = levelOf(change.resolved);
    if (apply(level)) report.info(`envward: log level ${level} (config revision ${change.revision})`);
  });
}
