import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { ProjectNotFoundError } from '../errors.js';

/** File names envward looks for, in this order, in each directory. */
export const PROJECT_FILES = ['envward.config.ts', 'envward.config.mts', 'envward.config.mjs', 'envward.config.js'];

/** Finds the nearest envward.config.* at or above `cwd`; its directory is the project root. */
export function findProjectFile(cwd: string): { root: string; file: string } {
  let dir = resolve(cwd);
  for (;;) {
    for (const name of PROJECT_FILES) {
      const file = join(dir, name);
      if (existsSync(file)) return { root: dir, file };
    }
    const parent = dirname(dir);
    if (parent === dir) throw new ProjectNotFoundError(resolve(cwd));
    dir = parent;
  }
}
