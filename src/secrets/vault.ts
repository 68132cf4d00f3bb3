import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, statSync } from 'node:fs';
import { dirname } from 'node:path';
import { readConfigText } from '../config/text-file.js';
import type { Environment } from '../environment/index.js';
import { writeFileAtomically } from '../project/index.js';
import { type EnvelopeRecord, OpenEnvelope, parseSealedValue } from './envelope.js';
import { fingerprint, newSalt } from './fingerprint.js';
import { isIgnored, trackedFiles } from './git-check.js';
import { generateKeyPairText, importPublicKey } from './key-format.js';
import { describeFileType, type FoundKey, findPrivateKey } from './key-source.js';
import { absolute, KEYS_DIR, keyVariable, SALT_FILE, secretPaths } from './paths.js';
import {
  SecretDecryptError,
  SecretFileError,
  SecretKeyExistsError,
  SecretKeyNotFileError,
  SecretKeysTrackedError,
  SecretNoPublicKeyError,
  SecretWeakError,
} from './secret-errors.js';
import { emptySecrets, readSecrets, type SecretRecord, type SecretsDocument, writeSecrets } from './secrets-file.js';
import { withSecretsLock } from './secrets-lock.js';
import { secretWeakness } from './strength.js';

type Variables = Readonly<Record<string, string | undefined>>;

/** The public key of `environment`, or undefined before keygen. */
export function readPublicKey(root: string, environment: string): string | undefined {
  const file = secretPaths(environment).publicKey;
  const path = absolute(root, file);
  const stats = statSync(path, { throwIfNoEntry: false });
  if (!stats) return undefined;
  if (!stats.isFile()) throw new SecretKeyNotFileError(environment, file, describeFileType(stats));
  const text = readConfigText(path, file);
  if (text === undefined) return undefined;
  const line = text
    .split('\n')
    .map((entry) => entry.trim())
    .find((entry) => entry !== '' && !entry.startsWith('#'));
  if (!line || !importPublicKey(line)) throw new SecretFileError(file, 'not an envward public key (ewpub1_...)');
  return line;
}

export function publicKeyFileText(environment: string, publicKey: string): string {
  return `# envward public key of ${environment} (format 1): anyone may encrypt a secret to it.\n${publicKey}\n`;
}

/** The file rotate-key leaves when the old key came from the variable: the new key, until it is in the secret store. */
export function newPrivateKeyFileText(
  environment: string,
  privateKey: string,
  publicKey: string,
  made: string,
): string {
  return (
    `# envward: the new private key of ${environment}, made by rotate-key at ${made}. Keep it secret.\n` +
    `# Store it as $${keyVariable(environment)} in your secret store, then delete this file.\n` +
    `# public key: ${publicKey}\n${privateKey}\n`
  );
}

export function privateKeyFileText(environment: string, privateKey: string, publicKey: string): string {
  return (
    `# envward private key of ${environment} (format 1). Keep it secret: mode 0600, never committed.\n` +
    `# public key: ${publicKey}\n${privateKey}\n`
  );
}

/** Refuses to write keys where git tracks them; makes git ignore the key directory. */
export async function guardKeyDirectory(root: string): Promise<void> {
  const tracked = trackedFiles(root, KEYS_DIR);
  if (tracked.length > 0) throw new SecretKeysTrackedError(tracked);
  if (isIgnored(root, `${KEYS_DIR}/probe.key`) === false) {
    const gitignore = absolute(root, '.gitignore');
    const current = existsSync(gitignore) ? readFileSync(gitignore, 'utf8') : '';
    const separator = current === '' || current.endsWith('\n') ? '' : '\n';
    await writeFileAtomically(gitignore, `${current}${separator}${KEYS_DIR}/\n`);
  }
}

export async function writePrivateKeyFile(path: string, text: string): Promise<void> {
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  await writeFileAtomically(path, text, 0o600);
}

export async function ensureSalt(root: string): Promise<string> {
  const path = absolute(root, SALT_FILE);
  try {
    const salt = readFileSync(path, 'utf8')
      .split('\n')
      .find((line) => line.trim() !== '' && !line.startsWith('#'))
      ?.trim();
    if (salt) return salt;
  } catch {
    // first secret of the project: make the salt
  }
  const salt = newSalt();
  await writeFileAtomically(
    path,
    `# envward: salt of the secret fingerprints that \`envward scan\` compares (docs/secrets.md). Not secret.\n${salt}\n`,
  );
  return salt;
}

export function readSalt(root: string): string | undefined {
  try {
    return readFileSync(absolute(root, SALT_FILE), 'utf8')
      .split('\n')
      .find((line) => line.trim() !== '' && !line.startsWith('#'))
      ?.trim();
  } catch {
    return undefined;
  }
}

export interface KeygenResult {
  readonly publicKey: string;
  readonly files: readonly string[];
  /** Present only with `print`: the private key, shown once and stored nowhere. */
  readonly privateKey?: string;
}

/** Makes `environment`'s key pair: public key committed, private key in the key file or returned to print once. */
export async function makeKeyPair(
  root: string,
  environment: string,
  options: { print?: boolean } = {},
): Promise<KeygenResult> {
  const paths = secretPaths(environment);
  for (const file of [paths.publicKey, paths.privateKey]) {
    if (existsSync(absolute(root, file))) throw new SecretKeyExistsError(environment, file);
  }
  const pair = generateKeyPairText();
  const files: string[] = [];
  if (!options.print) {
    await guardKeyDirectory(root);
    await writePrivateKeyFile(
      absolute(root, paths.privateKey),
      privateKeyFileText(environment, pair.privateKey, pair.publicKey),
    );
    files.push(paths.privateKey);
  }
  await ensureSalt(root);
  // The public key last: its presence is what says the environment has a key pair.
  await writeFileAtomically(absolute(root, paths.publicKey), publicKeyFileText(environment, pair.publicKey));
  files.push(paths.publicKey);
  return { publicKey: pair.publicKey, files, ...(options.print ? { privateKey: pair.privateKey } : {}) };
}

/** Opens every value of `document` with `found`; throws EW_SECRET_DECRYPT on the first that fails. */
export function decryptAll(document: SecretsDocument, found: FoundKey): Map<string, string> {
  const file = secretPaths(document.environment).secrets;
  const opened = new Map<string, OpenEnvelope | undefined>();
  const values = new Map<string, string>();
  for (const [key, record] of document.secrets) {
    const sealed = parseSealedValue(record.value);
    let plaintext: string | undefined;
    if (sealed) {
      if (!opened.has(sealed.envelope)) {
        const envelope = document.envelopes.get(sealed.envelope);
        opened.set(sealed.envelope, envelope && OpenEnvelope.open(envelope, document.recipient, found.key));
      }
      plaintext = opened.get(sealed.envelope)?.openValue(sealed.payload, document.environment, key);
    }
    if (plaintext === undefined) throw new SecretDecryptError(document.environment, key, file, record.line);
    values.set(key, plaintext);
  }
  return values;
}

/** The document's recipient must be the committed public key, or a rotation was left half done by hand. */
function documentFor(root: string, environment: string, publicKey: string): SecretsDocument {
  const document = readSecrets(root, environment) ?? emptySecrets(environment, publicKey);
  if (document.recipient !== publicKey) {
    throw new SecretFileError(
      secretPaths(environment).secrets,
      `its values are encrypted to another key than ${secretPaths(environment).publicKey}`,
    );
  }
  return document;
}

export function newEnvelopeId(taken: ReadonlyMap<string, EnvelopeRecord>): string {
  for (;;) {
    const id = randomBytes(4).toString('hex');
    if (!taken.has(id)) return id;
  }
}

/**
 * The envelope new values go into: with the private key at hand, an existing
 * one (so a file keeps few key agreements to decrypt); without it, a new one,
 * which needs only the public key.
 */
function envelopeFor(document: SecretsDocument, found: FoundKey | undefined): OpenEnvelope {
  const used = new Set([...document.secrets.values()].map((record) => parseSealedValue(record.value)?.envelope));
  const reusable = [...document.envelopes.values()].filter((envelope) => used.has(envelope.id));
  if (found && reusable.length > 0) {
    const opened = OpenEnvelope.open(reusable[0] as EnvelopeRecord, document.recipient, found.key);
    if (opened) return opened;
  }
  return OpenEnvelope.create(document.recipient, newEnvelopeId(document.envelopes));
}

export function withoutUnusedEnvelopes(
  envelopes: Map<string, EnvelopeRecord>,
  secrets: ReadonlyMap<string, SecretRecord>,
): Map<string, EnvelopeRecord> {
  const used = new Set([...secrets.values()].map((record) => parseSealedValue(record.value)?.envelope));
  return new Map([...envelopes].filter(([id]) => used.has(id)));
}

export interface SetResult {
  readonly changed: readonly string[];
  readonly unchanged: readonly string[];
  readonly warnings: readonly string[];
}

/**
 * Encrypts and stores values for `environment`. Values equal to the stored
 * ones are left as they are (same bytes), as is every other secret; a
 * changed value keeps the time of the value it replaced in its history.
 */
export async function storeSecrets(
  root: string,
  environment: Environment,
  values: ReadonlyMap<string, string>,
  options: { variables?: Variables; now?: Date } = {},
): Promise<SetResult> {
  const paths = secretPaths(environment.name);
  if (!readPublicKey(root, environment.name)) throw new SecretNoPublicKeyError(environment.name, paths.publicKey);
  const warnings: string[] = [];
  for (const [key, value] of values) {
    const weakness = secretWeakness(value, environment.tier);
    if (weakness && environment.protected) throw new SecretWeakError(key, environment.name, weakness);
    if (weakness) warnings.push(`the value for ${key} is weak: ${weakness}`);
  }
  const salt = await ensureSalt(root);
  // scrypt runs before the lock is taken: it is the slow part.
  const prints = await Promise.all(
    [...values].map(async ([key, value]) => [key, value, await fingerprint(value, salt)] as const),
  );
  return withSecretsLock(root, environment.name, async () => {
    // Read under the lock: a rotation finished just now has changed the key.
    const publicKey = readPublicKey(root, environment.name) as string;
    const document = documentFor(root, environment.name, publicKey);
    const lookup = findPrivateKey(root, environment, options.variables ?? process.env, publicKey);
    warnings.push(...lookup.warnings);
    const now = (options.now ?? new Date()).toISOString();
    const secrets = new Map(document.secrets);
    const envelopes = new Map(document.envelopes);
    let envelope: OpenEnvelope | undefined;
    const changed: string[] = [];
    const unchanged: string[] = [];
    for (const [key, value, print] of prints) {
      const previous = secrets.get(key);
      if (previous?.fingerprint === print) {
        unchanged.push(key);
        continue;
      }
      envelope ??= envelopeFor(document, lookup.found);
      envelopes.set(envelope.record.id, envelope.record);
      secrets.set(key, {
        value: envelope.seal(value, environment.name, key),
        fingerprint: print,
        updated: now,
        history: previous ? [...previous.history, previous.updated] : [],
      });
      changed.push(key);
    }
    if (changed.length > 0) {
      await writeSecrets(root, { ...document, envelopes: withoutUnusedEnvelopes(envelopes, secrets), secrets });
    }
    return { changed, unchanged, warnings };
  });
}

/** Removes one secret; false when it was not stored. */
export function deleteStoredSecret(root: string, environment: string, key: string): Promise<boolean> {
  return withSecretsLock(root, environment, async () => {
    const document = readSecrets(root, environment);
    if (!document?.secrets.has(key)) return false;
    const secrets = new Map(document.secrets);
    secrets.delete(key);
    await writeSecrets(root, {
      ...document,
      envelopes: withoutUnusedEnvelopes(new Map(document.envelopes), secrets),
      secrets,
    });
    return true;
  });
}
