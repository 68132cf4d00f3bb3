import { readFileSync } from 'node:fs';
import type { Environment } from '../environment/index.js';
import { failpoint } from '../failpoint.js';
import { writeFileAtomically } from '../project/index.js';
import { OpenEnvelope } from './envelope.js';
import { generateKeyPairText, importPrivateKey } from './key-format.js';
import { type FoundKey, findPrivateKey } from './key-source.js';
import { absolute, STAGED_SUFFIX, secretPaths } from './paths.js';
import { type Journal, rollForward, settleRotation } from './rotation-journal.js';
import { SecretDecryptError, SecretKeyMissingError, SecretNoPublicKeyError } from './secret-errors.js';
import { emptySecrets, parseSecrets, readSecrets, renderSecrets, type SecretRecord } from './secrets-file.js';
import { withSecretsLock } from './secrets-lock.js';
import { decryptAll, privateKeyFileText, publicKeyFileText, readPublicKey, writePrivateKeyFile } from './vault.js';

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
  /** The key came from a variable: the new private key, to store in the secret store (never written here). */
  readonly privateKey?: string;
}

/**
 * Replaces `environment`'s key pair and re-encrypts every secret to it, all
 * or nothing: new files are staged beside the old ones and read back with
 * the new key; a journal written atomically is the commit point; then the
 * staged files are moved into place. `beforeCommit` receives the new private
 * key when it must be shown (the old one came from a variable), so it is
 * never lost to a crash after the switch.
 */
export async function rotateKey(
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

  // Stage every new file beside its old one.
  const keyInFile = oldKey.from === 'file';
  const staged = [
    { to: paths.secrets, text: renderSecrets(rotated) },
    { to: paths.publicKey, text: publicKeyFileText(name, pair.publicKey) },
    ...(keyInFile ? [{ to: paths.privateKey, text: privateKeyFileText(name, pair.privateKey, pair.publicKey) }] : []),
  ];
  for (const file of staged) {
    const path = absolute(root, file.to + STAGED_SUFFIX);
    if (file.to === paths.privateKey) await writePrivateKeyFile(path, file.text);
    else await writeFileAtomically(path, file.text);
  }
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
  failpoint('rotate-key:committed');
  rollForward(root, name, journal);
  return {
    publicKey: pair.publicKey,
    retired: document.recipient,
    secrets: secrets.size,
    files: staged.map((file) => file.to),
    ...(keyInFile ? {} : { privateKey: pair.privateKey }),
  };
}
