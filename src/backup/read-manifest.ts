/**
 * Reads a backup's manifest and checks the backup against it, before a
 * restore touches anything: the manifest must be small, well-formed JSON of
 * this format, name the backup file it lies beside, and the file's size and
 * SHA-256 must match.
 */
import { open, readFile, stat } from 'node:fs/promises';
import { basename } from 'node:path';
import { z } from 'zod';
import { BackupInvalidError } from './backup-errors.js';
import { type BackupManifest, fileDigest, MANIFEST_FORMAT, manifestPathOf } from './manifest.js';

/** A manifest is a few kilobytes; one over this is refused unread (a JSON bomb, a wrong file). */
export const MANIFEST_MAX_BYTES = 1024 * 1024;

const name = z.string().min(1).max(200);

const stampSchema = z.object({
  environment: name,
  tier: name,
  code: z.string().max(20),
  stampedAt: z.string().max(100),
  host: z.string().max(300),
  actor: z.string().max(300),
  project: z.string().max(200),
  database: z.string().max(2000),
  shares: z.array(name).max(1000),
});

const manifestSchema = z.object({
  format: z.literal(MANIFEST_FORMAT),
  environment: name,
  tier: name,
  project: z.string().max(200),
  dialect: z.enum(['sqlite', 'postgres']),
  stamp: stampSchema.nullable(),
  identity: z.string().max(2000),
  migrationHead: name.nullable(),
  migrations: z.array(name).max(100_000),
  createdAt: z.iso.datetime(),
  file: name,
  bytes: z.number().int().min(0),
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
});

async function readSmallFile(path: string, label: string, backup: string): Promise<string> {
  let handle: Awaited<ReturnType<typeof open>>;
  try {
    handle = await open(path, 'r');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new BackupInvalidError(
      backup,
      code === 'ENOENT'
        ? `it has no manifest (${basename(path)} is missing beside it)`
        : `its ${label} cannot be read (${code})`,
    );
  }
  try {
    const info = await handle.stat();
    if (!info.isFile()) throw new BackupInvalidError(backup, `its ${label} is not a file`);
    if (info.size > MANIFEST_MAX_BYTES) {
      throw new BackupInvalidError(
        backup,
        `its ${label} is ${info.size} bytes, over the ${MANIFEST_MAX_BYTES} a manifest may be`,
      );
    }
    const bytes = await handle.readFile();
    try {
      return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
    } catch {
      throw new BackupInvalidError(backup, `its ${label} is not UTF-8 text`);
    }
  } finally {
    await handle.close();
  }
}

/** The manifest of `backupFile`, validated, with the file checked against it (size, SHA-256). */
export async function readCheckedManifest(backupFile: string): Promise<BackupManifest> {
  let info: Awaited<ReturnType<typeof stat>>;
  try {
    info = await stat(backupFile);
  } catch (error) {
    throw new BackupInvalidError(backupFile, `it cannot be read (${(error as NodeJS.ErrnoException).code})`);
  }
  if (!info.isFile()) throw new BackupInvalidError(backupFile, 'it is not a regular file');
  const text = await readSmallFile(manifestPathOf(backupFile), 'manifest', backupFile);
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new BackupInvalidError(backupFile, 'its manifest is not JSON');
  }
  const parsed = manifestSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue?.path.length ? issue.path.join('.') : 'its top level';
    throw new BackupInvalidError(
      backupFile,
      `its manifest is not an ${MANIFEST_FORMAT} manifest (${where}: ${issue?.message ?? 'invalid'})`,
    );
  }
  const manifest = parsed.data as BackupManifest;
  // The manifest names the file it describes: one copied beside another backup does not vouch for it.
  if (manifest.file !== basename(backupFile)) {
    throw new BackupInvalidError(
      backupFile,
      `its manifest describes another file (${JSON.stringify(manifest.file.slice(0, 80))})`,
    );
  }
  if (info.size !== manifest.bytes) {
    throw new BackupInvalidError(
      backupFile,
      `it is ${info.size} bytes, and its manifest says ${manifest.bytes} (cut short or changed)`,
    );
  }
  const { sha256 } = await fileDigest(backupFile);
  if (sha256 !== manifest.sha256) {
    throw new BackupInvalidError(backupFile, 'its SHA-256 does not match its manifest (the file was changed)');
  }
  return manifest;
}

/**
 * The manifest of a backup in a backups folder, or undefined when it is not
 * one (unreadable, malformed): retention only ever touches what it can read.
 * The file is not hashed here.
 */
export async function readListedManifest(manifestPath: string): Promise<BackupManifest | undefined> {
  try {
    const info = await stat(manifestPath);
    if (!info.isFile() || info.size > MANIFEST_MAX_BYTES) return undefined;
    const parsed = manifestSchema.safeParse(JSON.parse(await readFile(manifestPath, 'utf8')));
    return parsed.success ? (parsed.data as BackupManifest) : undefined;
  } catch {
    return undefined;
  }
}
