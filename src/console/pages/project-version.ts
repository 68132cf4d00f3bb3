/**
 * The project's own version, from the package.json at its root, for the
 * overview. Bounded and forgiving: a missing, huge, binary or malformed file,
 * or one without a string `version`, is no version (the page says so).
 */
import { open, stat } from 'node:fs/promises';
import { join } from 'node:path';

/** A package.json larger than this is not read (a real one is a few kilobytes). */
const MAX_BYTES = 1_000_000;
/** The longest version the page shows. */
const MAX_VERSION = 64;

export interface ProjectPackage {
  readonly name: string | undefined;
  readonly version: string;
}

const shortString = (value: unknown): string | undefined =>
  typeof value === 'string' && value.trim() !== '' ? value.trim().slice(0, MAX_VERSION) : undefined;

/** The name and version in `<root>/package.json`, or undefined. */
export async function projectPackage(root: string): Promise<ProjectPackage | undefined> {
  const path = join(root, 'package.json');
  let text: string;
  try {
    // Only a regular file: opening a FIFO or a device would wait or read forever.
    const found = await stat(path);
    if (!found.isFile() || found.size > MAX_BYTES) return undefined;
    const file = await open(path, 'r');
    try {
      if ((await file.stat()).size > MAX_BYTES) return undefined;
      text = await file.readFile('utf8');
    } finally {
      await file.close();
    }
  } catch {
    return undefined;
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (typeof parsed !== 'object' || parsed === null) return undefined;
  const fields = parsed as { name?: unknown; version?: unknown };
  const version = shortString(fields.version);
  return version ? { name: shortString(fields.name), version } : undefined;
}
