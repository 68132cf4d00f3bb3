import { existsSync, mkdirSync, statSync } from 'node:fs';
import { dirname } from 'node:path';
import { FileWriteError } from '../errors.js';

/**
 * Creates `directory` and its missing parents one by one. Not
 * `mkdirSync(..., { recursive: true })`: Node's recursive mkdir spins for
 * ever where a parent refuses new entries with ENOENT (`/proc/x/y`), which
 * hung `--out /proc/nope/file` instead of failing.
 */
export function makeDirectories(path: string, directory: string): void {
  const missing: string[] = [];
  let current = directory;
  while (!existsSync(current)) {
    missing.push(current);
    const parent = dirname(current);
    if (parent === current) break;
    current = parent;
  }
  if (existsSync(current) && !statSync(current).isDirectory()) {
    throw new FileWriteError(path, `cannot be written (${current} is not a directory)`);
  }
  for (const next of missing.reverse()) {
    try {
      mkdirSync(next);
    } catch (error) {
      // Another process made it meanwhile: fine, as long as it is a directory.
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST' || !statSync(next).isDirectory()) throw error;
    }
  }
}

/** Writes a file atomically (temporary file, fsync, rename): readers see the old or the new content, never half. */
export async function writeFileAtomically(path: string, data: string | Buffer, mode?: number): Promise<void> {
  const { default: writeFileAtomic } = await import('write-file-atomic');
  try {
    makeDirectories(path, dirname(path));
    await writeFileAtomic(path, data, mode === undefined ? {} : { mode });
  } catch (error) {
    if (error instanceof FileWriteError) throw error;
    const code = (error as NodeJS.ErrnoException).code;
    if (typeof code !== 'string') throw error;
    throw new FileWriteError(path, code === 'EISDIR' ? 'is a directory' : `cannot be written (${code})`);
  }
}
