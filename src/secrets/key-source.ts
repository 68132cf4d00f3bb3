import type { KeyObject } from 'node:crypto';
import { statSync } from 'node:fs';
import { readConfigText } from '../config/text-file.js';
import type { Environment } from '../environment/index.js';
import { importPrivateKey, keyLabel, publicKeyOf } from './key-format.js';
import { absolute, secretPaths } from './paths.js';
import { SecretKeyPermissionsError, SecretKeyWrongError } from './secret-errors.js';

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
    const fileText = readConfigText(path, paths.privateKey);
    if (fileText === undefined) return { found: undefined, warnings };
    text = keyFileText(fileText);
    const mode = statSync(path).mode & 0o777;
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
    throw new SecretKeyWrongError(
      environment.name,
      where,
      `it belongs to public key ${keyLabel(publicKey)}, and ${environment.name}'s secrets are encrypted to ${keyLabel(recipient)}`,
    );
  }
  return { found: { key, publicKey, where, from }, warnings };
}
