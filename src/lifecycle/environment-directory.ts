import { randomBytes } from 'node:crypto';
import { mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { bundledYaml } from '../bundled/index.js';
import { DECLARATION_FILE, declarationPath } from '../environment/index.js';
import { EnvExistsError } from './lifecycle-errors.js';

/**
 * Writes `config/environments/<name>/` whole or not at all: its declaration
 * (environment.yml) and its settings are written beside it, then renamed
 * into place, so two makers of one name leave one directory and a refusal.
 * Returns the files written, relative to the root.
 */
export function writeEnvironmentDirectory(
  root: string,
  name: string,
  declaration: Readonly<Record<string, unknown>>,
  header: string,
  settings: string | undefined,
): string[] {
  const dir = join(root, 'config', 'environments');
  const temporary = join(dir, `.${name}.create-${randomBytes(6).toString('hex')}`);
  const text = `# ${header}\n# Tier, colour and code live here; move them into envward.config.ts's environments if you prefer code.\n${bundledYaml().stringify(declaration)}`;
  mkdirSync(dir, { recursive: true });
  try {
    mkdirSync(temporary);
    writeFileSync(join(temporary, DECLARATION_FILE), text);
    if (settings !== undefined) writeFileSync(join(temporary, 'settings.yml'), settings);
    try {
      renameSync(temporary, join(dir, name));
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'ENOTEMPTY' || code === 'EEXIST')
        throw new EnvExistsError(name, `config/environments/${name}/ exists`);
      throw error;
    }
  } finally {
    rmSync(temporary, { recursive: true, force: true });
  }
  return [declarationPath(name), ...(settings !== undefined ? [`config/environments/${name}/settings.yml`] : [])];
}

/** Removes an environment's directory and private key (a preview's teardown, a failed make's undo). */
export function removeEnvironmentFiles(root: string, name: string, privateKey: string): void {
  // The directory goes by a rename first: a reader sees the whole declaration or none.
  const dir = join(root, 'config', 'environments', name);
  const doomed = join(root, 'config', 'environments', `.${name}.remove-${randomBytes(6).toString('hex')}`);
  try {
    renameSync(dir, doomed);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  rmSync(doomed, { recursive: true, force: true });
  rmSync(join(root, privateKey), { force: true });
}
