import { closeSync, fsyncSync, openSync, readFileSync, statSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Environment } from '../environment/index.js';
import { failpoint } from '../failpoint.js';
import { writeFileAtomically } from '../project/index.js';
import { OpenEnvelope } from './envelope.js';
import { generateKeyPairText, importPrivateKey } from './key-format.js';
import { describeFileType, type FoundKey, findPrivateKey } from './key-source.js';
import { absolute, STAGED_SUFFIX, secretPaths } from './paths.js';
import { type Journal, rollForward, settleRotation } from './rotation-journal.js';
import {
  SecretDecryptError,
  SecretKeyMissingError,
  SecretKeyNotFileError,
  SecretNoPublicKeyError,
} from './secret-errors.js';
import { emptySecrets, parseSecrets, readSecrets, renderSecrets, type SecretRecord } from './secrets-file.js';
import { withSecretsLock } from './secrets-lock.js';
import {
  decryptAll,
  guardKeyDirectory,
  newPrivateKeyFileText,
  privateKeyFileText,
  publicKeyFileText,
  readPublicKey,
  writePrivateKeyFile,
} from './vault.js';

export interface RotateOptions {
  readonly variables?: Readonly<Record<string, string | undefined>>;
  readonly now?: Date;
  readonly beforeCommit?: (privateKey: string) => void;
}

export interface RotationResult {
  readonly publicKey: string;
  readonly retired: string;
  readonly secrets: number;
  readonly files: readonly string[];
  /** Warnings of the key lookup (a key file or keys folder others may read or write). */
  readonly warnings: readonly string[];
  /** The key came from a variable: the new private key, to store in the secret store. */
  readonly privateKey?: string;
  /**
   * The key came from a variable: the file in the keys folder that also holds
   * the new private key, written before the commit point so that a crash
   * cannot lose it. Delete it once the secret store holds the key.
   */
  readonly newKeyFile?: string;
}

/**
 * Replaces `environment`'s key pair and re-encrypts every secret to it, all
 * or nothing: new files are staged beside the old ones and read back with
 * the new key; a journal written atomically is the commit point; then the
 * staged files are moved into place. When the old key came from the
 * variable, the new one is written to `.envward/keys/<env>.new.key` (0600)
 * before the commit point, and `beforeCommit` receives it to show it, so a
 * crash after the switch cannot lose it.
 */
export async function rotateKeyPair(
  root: string,
  environment: Environment,
  options: RotateOptions = {},
): Promise<RotationResult> {
  return withSecretsLock(root, environment.name, () => rotateLocked(root, environment, options));
}

async function rotateLocked(root: string, environment: Environment, options: RotateOptions): Promise<RotationResult> {
  const name = environment.name;
  const paths = secretPaths(name);
  const oldPublic = readPublicKey(root, name);
  if (!oldPublic) throw new SecretNoPublicKeyError(name, paths.publicKey);
  const document = readSecrets(root, name) ?? emptySecrets(name, oldPublic);
  const lookup = findPrivateKey(root, environment, options.variables ?? process.env, document.recipient);
  const oldKey: FoundKey | undefined = lookup.found;
  if (!oldKey) throw new SecretKeyMissingError(name, paths.variable, paths.privateKey);
  const plaintexts = decryptAll(document, oldKey);

  const pair = generateKeyPairText();
  const now = (options.now ?? new Date()).toISOString();
  const envelope = OpenEnvelope.create(pair.publicKey, 'r1');
  const secrets = new Map<string, SecretRecord>();
  for (const [key, record] of document.secrets) {
    secrets.set(key, { ...record, value: envelope.seal(plaintexts.get(key) as string, name, key) });
  }
  const rotated = {
    environment: name,
    recipient: pair.publicKey,
    envelopes: new Map(secrets.size > 0 ? [[envelope.record.id, envelope.record]] : []),
    secrets,
    retired: [...document.retired, { publicKey: document.recipient, retired: now }],
  };

  // Stage every new file beside its old one. With the old key in the
  // variable, the new one is staged for the keys folder too: past the commit
  // point it is the only copy until the user moves it into the secret store.
  const keyInFile = oldKey.from === 'file';
  const staged = [
    ...(keyInFile
      ? []
      : [{ to: paths.newPrivateKey, text: newPrivateKeyFileText(name, pair.privateKey, pair.publicKey, now) }]),
    { to: paths.secrets, text: renderSecrets(rotated) },
    { to: paths.publicKey, text: publicKeyFileText(name, pair.publicKey) },
    ...(keyInFile ? [{ to: paths.privateKey, text: privateKeyFileText(name, pair.privateKey, pair.publicKey) }] : []),
  ];
  for (const file of staged) assertFileOrAbsent(root, name, file.to);
  if (!keyInFile) await guardKeyDirectory(root);
  for (const file of staged) {
    const path = absolute(root, file.to + STAGED_SUFFIX);
    if (file.to === paths.privateKey || file.to === paths.newPrivateKey) await writePrivateKeyFile(path, file.text);
    else await writeFileAtomically(path, file.text);
  }
  // The journal's rename must not reach the disk before the staged files' renames.
  for (const directory of new Set(staged.map((file) => dirname(absolute(root, file.to))))) syncDirectory(directory);
  failpoint('rotate-key:staged');

  // Read the staged secrets back from disk with the new key before anything is replaced.
  const stagedPath = absolute(root, paths.secrets + STAGED_SUFFIX);
  const reread = parseSecrets(readFileSync(stagedPath, 'utf8'), paths.secrets, name);
  const newKey = importPrivateKey(pair.privateKey);
  if (!newKey) throw new Error('generated key does not import');
  const check = decryptAll(reread, { key: newKey, publicKey: pair.publicKey, where: 'the new key', from: 'file' });
  for (const [key, value] of plaintexts) {
    if (check.get(key) !== value) {
      settleRotation(root, name);
      throw new SecretDecryptError(name, key, paths.secrets, undefined);
    }
  }
  failpoint('rotate-key:verified');

  if (!keyInFile) options.beforeCommit?.(pair.privateKey);
  const journal: Journal = {
    environment: name,
    moves: staged.map((file) => ({ from: file.to + STAGED_SUFFIX, to: file.to })),
  };
  await writeFileAtomically(absolute(root, paths.rotationJournal), JSON.stringify(journal));
  syncDirectory(dirname(absolute(root, paths.rotationJournal)));
  failpoint('rotate-key:committed');
  rollForward(root, name, journal);
  return {
    publicKey: pair.publicKey,
    retired: document.recipient,
    secrets: secrets.size,
    files: staged.map((file) => file.to),
    warnings: lookup.warnings,
    ...(keyInFile ? {} : { privateKey: pair.privateKey, newKeyFile: paths.newPrivateKey }),
  };
}

/** A rename onto a directory (or a FIFO) would fail past the commit point: refuse before staging. */
function assertFileOrAbsent(root: string, environment: string, file: string): void {
  const stats = statSync(absolute(root, file), { throwIfNoEntry: false });
  if (stats && !stats.isFile()) throw new SecretKeyNotFileError(environment, file, describeFileType(stats));
}

/** Makes the renames done in `directory` durable (POSIX; Windows cannot open a directory for fsync). */
function syncDirectory(directory: string): void {
  if (process.platform === 'win32') return;
  const descriptor = openSync(directory, 'r');
  try {
    fsyncSync(descriptor);
  } finally {
    closeSync(descriptor);
  }
}
