import { existsSync, realpathSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { ProjectNotFoundError } from '../errors.js';

/** File names envward looks for, in this order, in each directory. */
export const PROJECT_FILES = ['envward.config.ts', 'envward.config.mts', 'envward.config.mjs', 'envward.config.js'];

/** The nearest envward.config.* at or above `cwd`, or undefined. */
function nearestProjectFile(cwd: string): { root: string; file: string } | undefined {
  let dir = resolve(cwd);
  for (;;) {
    for (const name of PROJECT_FILES) {
      const file = join(dir, name);
      if (existsSync(file)) return { root: dir, file };
    }
    const parent = dirname(dir);
    if (parent === dir) return undefined;
    dir = parent;
  }
}

/** Finds the nearest envward.config.* at or above `cwd`; its directory is the project root. */
export function findProjectFile(cwd: string): { root: string; file: string } {
  const found = nearestProjectFile(cwd);
  if (!found) throw new ProjectNotFoundError(resolve(cwd));
  return found;
}

/** The directory of the entry script (`node dist/server.js` -> dist/), links followed; undefined for a REPL or `-e`. */
function entryScriptDir(argv: readonly string[]): string | undefined {
  const script = argv[1];
  if (script === undefined || script === '') return undefined;
  try {
    return dirname(realpathSync(script));
  } catch {
    return undefined;
  }
}

/**
 * Where the project is when the caller did not say: at or above the current
 * directory, else at or above the entry script's directory, so a service
 * started from another directory (`node /srv/app/dist/server.js` from `/`,
 * a process manager, a cron job) still finds its own envward.config.ts.
 * The current directory wins when both have a project.
 */
export function locateProjectFile(
  cwd: string | undefined,
  argv: readonly string[] = process.argv,
): { root: string; file: string } {
  if (cwd !== undefined) return findProjectFile(cwd);
  const here = process.cwd();
  const found = nearestProjectFile(here);
  if (found) return found;
  const scriptDir = entryScriptDir(argv);
  const fromScript = scriptDir === undefined ? undefined : nearestProjectFile(scriptDir);
  if (fromScript) return fromScript;
  throw new ProjectNotFoundError(scriptDir === undefined ? here : `${here} (nor above the entry script, ${scriptDir})`);
}
