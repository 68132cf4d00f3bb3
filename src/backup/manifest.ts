/**
 * The manifest of a database backup: a sidecar `<backup>.manifest.json`
 * saying whose backup it is (environment, project, the stamp and identity of
 * the database it was taken from), which migrations it holds, and the
 * SHA-256 of the file, so a restore can refuse the wrong backup or a changed
 * one before touching anything.
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { pipeline } from 'node:stream/promises';
import type { Stamp } from '../store/index.js';

export const MANIFEST_FORMAT = 'envward-backup/1';

/** Where a backup's manifest is: beside it, its name plus `.manifest.json`. */
export const MANIFEST_SUFFIX = '.manifest.json';

export interface BackupManifest {
  readonly format: typeof MANIFEST_FORMAT;
  readonly environment: string;
  readonly tier: string;
  /** The project's name ('' when it declares none). */
  readonly project: string;
  readonly dialect: 'sqlite' | 'postgres';
  /** The database's stamp when it was backed up (null: not stamped). */
  readonly stamp: Stamp | null;
  /** Which database it was (Store.identity; never a password). */
  readonly identity: string;
  /** The last applied migration by name, or null when none was applied. */
  readonly migrationHead: string | null;
  /** Every applied migration, in name order. */
  readonly migrations: readonly string[];
  readonly createdAt: string;
  /** The backup file's name (no directory: the manifest lies beside it). */
  readonly file: string;
  readonly bytes: number;
  /** Hex SHA-256 of the backup file. */
  readonly sha256: string;
}

export function manifestPathOf(backupFile: string): string {
  return `${backupFile}${MANIFEST_SUFFIX}`;
}

/** The SHA-256 (hex) and size of a file, streamed: a backup may be larger than memory. */
export async function fileDigest(path: string): Promise<{ readonly sha256: string; readonly bytes: number }> {
  const hash = createHash('sha256');
  let bytes = 0;
  await pipeline(createReadStream(path), async (chunks: AsyncIterable<Buffer>) => {
    for await (const chunk of chunks) {
      bytes += chunk.length;
      hash.update(chunk);
    }
  });
  return { sha256: hash.digest('hex'), bytes };
}

/** The manifest as written: stable key order, two-space indent, a final newline. */
export function manifestText(manifest: BackupManifest): string {
  return `${JSON.stringify(manifest, null, 2)}\n`;
}
