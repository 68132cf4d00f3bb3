import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';

/** Writes a file atomically (temporary file, fsync, rename): readers see the old or the new content, never half. */
export async function writeFileAtomically(path: string, data: string | Buffer, mode?: number): Promise<void> {
  mkdirSync(dirname(path), { recursive: true });
  const { default: writeFileAtomic } = await import('write-file-atomic');
  await writeFileAtomic(path, data, mode === undefined ? {} : { mode });
}
