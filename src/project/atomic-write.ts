import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { FileWriteError } from '../errors.js';

/** Writes a file atomically (temporary file, fsync, rename): readers see the old or the new content, never half. */
export async function writeFileAtomically(path: string, data: string | Buffer, mode?: number): Promise<void> {
  const { default: writeFileAtomic } = await import('write-file-atomic');
  try {
    mkdirSync(dirname(path), { recursive: true });
    await writeFileAtomic(path, data, mode === undefined ? {} : { mode });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (typeof code !== 'string') throw error;
    throw new FileWriteError(path, code === 'EISDIR' ? 'is a directory' : `cannot be written (${code})`);
  }
}
