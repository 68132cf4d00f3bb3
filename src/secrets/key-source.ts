import type { KeyObject } from 'node:crypto';
import { type Stats, statSync } from 'node:fs';
import { readConfigText } from '../config/text-file.js';
import type { Environment } from '../environment/index.js';
import { importPrivateKey, keyLabel, publicKeyOf } from './key-format.js';
import { absolute, KEYS_DIR, secretPaths } from './paths.js';
import { SecretKeyNotFileError, SecretKeyPermissionsError, SecretKeyWrongError } from './secret-errors.js';

/** A private key found on this machine, and where. */
export interface FoundKey {
  readonly key: KeyObject;
  readonly publicKey: string;
  /** `$ENVWARD_KEY_PRODUCTION` or `.envward/keys/production.key`. */
  readonly where: string;
  readonly from: 'variable' | 'file';
}

export interface KeyLookup {
  readonly found: FoundKey | undefined;
  readonly warnings: readonly string[];
}

/** Reads the private key text of a key file, ignoring comment lines. */
export function keyFileText(text: string): string {
  return (
    text
      .split('\n')
      .map((line) => line.trim())
      .find((line) => line !== '' && !line.startsWith('#')) ?? ''
  );
}

/**
 * Finds `environment`'s private key: `ENVWARD_KEY_<ENV>` first, then the key
 * file. A key file others can read is a warning, and refused in protected
 * tiers. When `recipient` is given the key must belong to it.
 */
export function findPrivateKey(
  root: string,
  environment: Environment,
  variables: Readonly<Record<string, string | undefined>>,
  recipient?: string,
): KeyLookup {
  const paths = secretPaths(environment.name);
  const warnings: string[] = [];
  const folderWarning = keysFolderWarning(root);
  if (folderWarning) warnings.push(folderWarning);
  let text: string | undefined;
  let where: string;
  let from: FoundKey['from'];
  const variable = variables[paths.variable];
  if (variable !== undefined && variable.trim() !== '') {
    text = variable.trim();
    where = `$${paths.variable}`;
    from = 'variable';
  } else {
    where = paths.privateKey;
    from = 'file';
    const path = absolute(root, paths.privateKey);
    // The type first, for a clear error: reading a directory fails, and reading a FIFO would wait forever.
    const stats = statSync(path, { throwIfNoEntry: false });
    if (!stats) return { found: undefined, warnings };
    if (!stats.isFile()) throw new SecretKeyNotFileError(environment.name, paths.privateKey, describeFileType(stats));
    // Read bounded and checked on the open file (a swap after the check is refused there).
    const fileText = readConfigText(path, paths.privateKey);
    if (fileText === undefined) return { found: undefined, warnings };
    text = keyFileText(fileText);
    const mode = stats.mode & 0o777;
    if (process.platform !== 'win32' && (mode & 0o077) !== 0) {
      if (environment.protected) throw new SecretKeyPermissionsError(environment.name, paths.privateKey, mode);
      warnings.push(
        `${paths.privateKey} is readable by others (mode ${mode.toString(8)}); run chmod 600 ${paths.privateKey}`,
      );
    }
  }
  const key = importPrivateKey(text);
  if (!key) throw new SecretKeyWrongError(environment.name, where, 'it is not an envward private key (ewkey1_...)');
  const publicKey = publicKeyOf(key);
  if (recipient !== undefined && publicKey !== recipient) {
    const pending = from === 'variable' && newKeyFileHolds(root, environment.name, recipient);
    throw new SecretKeyWrongError(
      environment.name,
      where,
      `it belongs to public key ${keyLabel(publicKey)}, and ${environment.name}'s secrets are encrypted to ${keyLabel(recipient)}`,
      pending
        ? `A rotate-key left ${environment.name}'s new private key in ${paths.newPrivateKey}: store it as $${paths.variable} in your secret store, then delete the file.`
        : undefined,
    );
  }
  return { found: { key, publicKey, where, from }, warnings };
}

/** What a path that should be a key file is instead, for EW_SECRET_KEY_NOT_FILE. */
export function describeFileType(stats: Stats): string {
  if (stats.isDirectory()) return 'a directory';
  if (stats.isFIFO()) return 'a named pipe';
  if (stats.isSocket()) return 'a socket';
  if (stats.isCharacterDevice() || stats.isBlockDevice()) return 'a device';
  return 'not a regular file';
}

/**
 * Anyone who may write the keys folder may plant a key or a rotation
 * journal there: a warning on POSIX when group or others may write it.
 */
export function keysFolderWarning(root: string): string | undefined {
  if (process.platform === 'win32') return undefined;
  const stats = statSync(absolute(root, KEYS_DIR), { throwIfNoEntry: false });
  if (!stats?.isDirectory() || (stats.mode & 0o022) === 0) return undefined;
  const mode = (stats.mode & 0o777).toString(8);
  return `${KEYS_DIR}/ is writable by group or others (mode ${mode}): anyone who can write there can plant a key or a rotation journal; run chmod 700 ${KEYS_DIR}`;
}

/** Whether rotate-key's new-key file holds the private key of `recipient` (a rotation the user has not picked up yet). */
function newKeyFileHolds(root: string, environment: string, recipient: string): boolean {
  const path = absolute(root, secretPaths(environment).newPrivateKey);
  try {
    const text = readConfigText(path, secretPaths(environment).newPrivateKey);
    if (text === undefined) return false;
    const key = importPrivateKey(keyFileText(text));
    return key !== undefined && publicKeyOf(key) === recipient;
  } catch {
    return false; // only a hint: an unreadable file gives none
  }
}
