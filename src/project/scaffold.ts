import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { InitExistsError } from '../errors.js';
import { writeFileAtomically } from './atomic-write.js';
import { GITIGNORE_LINES, scaffoldFiles } from './scaffold-templates.js';

export interface ScaffoldResult {
  readonly root: string;
  /** Files written, relative to the root. */
  readonly written: readonly string[];
}

/**
 * Writes a working project (envward.config.ts, config/base.yml, a
 * settings.yml per built-in environment) into `dir`. Refuses, writing
 * nothing, when any of those files exists; .gitignore is only appended to.
 */
export async function scaffoldProject(dir: string): Promise<ScaffoldResult> {
  const root = resolve(dir);
  const files = scaffoldFiles();
  const existing = [...files.keys()].filter((file) => existsSync(join(root, file)));
  if (existing.length > 0) throw new InitExistsError(existing);
  const written: string[] = [];
  for (const [file, content] of files) {
    await writeFileAtomically(join(root, file), content);
    written.push(file);
  }
  const gitignore = join(root, '.gitignore');
  const current = existsSync(gitignore) ? readFileSync(gitignore, 'utf8') : '';
  const present = new Set(current.split(/\r?\n/).map((line) => line.trim()));
  const missing = GITIGNORE_LINES.filter((line) => !present.has(line));
  if (missing.length > 0) {
    const separator = current === '' || current.endsWith('\n') ? '' : '\n';
    await writeFileAtomically(gitignore, `${current}${separator}${missing.join('\n')}\n`);
    written.push('.gitignore');
  }
  return { root, written };
}
