import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { StoreNameError } from './store-errors.js';

const NAME = /^[a-z0-9][a-z0-9._-]{0,63}$/;

/** Per-environment directories under `var/<env>/`, made on first use. */
export interface EnvironmentPaths {
  /** `var/<env>` as an absolute path. */
  readonly root: string;
  dir(name: string): string;
}

export function environmentPaths(projectRoot: string, environment: string): EnvironmentPaths {
  const root = join(projectRoot, 'var', environment);
  const made = new Set<string>();
  return {
    root,
    dir(name) {
      if (!NAME.test(name) || name.includes('..')) throw new StoreNameError('directory name', name);
      const path = join(root, name);
      if (!made.has(name)) {
        mkdirSync(path, { recursive: true });
        made.add(name);
      }
      return path;
    },
  };
}
