/**
 * Retention of var/<env>/backups/: after a backup there, the oldest backups
 * of the environment beyond `database.backups.keep` are removed. Only
 * backups with a readable manifest of this environment are counted or
 * removed: a file without one (a copy someone put there, a backup whose
 * manifest was lost) is never touched.
 */
import { readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { MANIFEST_SUFFIX } from './manifest.js';
import { readListedManifest } from './read-manifest.js';

export interface RetentionRequest {
  /** var/<env>/backups/ */
  readonly dir: string;
  readonly environment: string;
  readonly keep: number;
  /** Backups never removed this time (the one a restore is about to read), by path. */
  readonly spare?: readonly string[];
}

/** Removes the oldest backups beyond `keep` (file first, then its manifest); returns the paths removed. */
export async function pruneBackups(request: RetentionRequest): Promise<string[]> {
  const listed: { readonly file: string; readonly createdAt: string }[] = [];
  const names = await readdir(request.dir);
  const present = new Set(names);
  for (const name of names) {
    if (!name.endsWith(MANIFEST_SUFFIX)) continue;
    const manifest = await readListedManifest(join(request.dir, name));
    // The manifest must lie beside the very file it names; one naming another (or a path) is not counted.
    if (!manifest || manifest.environment !== request.environment) continue;
    if (`${manifest.file}${MANIFEST_SUFFIX}` !== name) continue;
    const file = join(request.dir, manifest.file);
    if (present.has(manifest.file)) listed.push({ file, createdAt: manifest.createdAt });
  }
  listed.sort((a, b) => a.createdAt.localeCompare(b.createdAt) || a.file.localeCompare(b.file));
  const spare = new Set(request.spare ?? []);
  const removable = listed
    .slice(0, Math.max(0, listed.length - request.keep))
    .filter((entry) => !spare.has(entry.file));
  for (const { file } of removable) {
    // The file first: a kill between the two leaves a manifest without its backup, which is never listed.
    await rm(file, { force: true });
    await rm(`${file}${MANIFEST_SUFFIX}`, { force: true });
  }
  return removable.map((entry) => entry.file);
}
