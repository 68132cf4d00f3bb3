/**
 * A secret value sealed when a change request proposes it, stored when the
 * request is approved. Only the public key is needed for both; the request
 * holds the ciphertext and the salted fingerprint the secrets file would
 * hold anyway, never the plaintext.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { OpenedTarget } from '../acts/environment-target.js';
import type { Environment } from '../environment/index.js';
import { type EnvelopeRecord, OpenEnvelope, parseSealedValue } from './envelope.js';
import { fingerprint } from './fingerprint.js';
import { assertSecretKey } from './manage.js';
import { absolute, secretPaths } from './paths.js';
import { SecretNoPublicKeyError, SecretWeakError } from './secret-errors.js';
import { emptySecrets, readSecrets, writeSecrets } from './secrets-file.js';
import { withSecretsLock } from './secrets-lock.js';
import { secretWeakness } from './strength.js';
import { ensureSalt, newEnvelopeId, readPublicKey, withoutUnusedEnvelopes } from './vault.js';

/** A sealed value waiting for approval. */
export interface SealedSecretChange {
  readonly key: string;
  /** The public key it is sealed to: a rotation since makes the request stale. */
  readonly recipient: string;
  readonly envelope: EnvelopeRecord;
  /** `ew1:<envelope>:<ciphertext>` */
  readonly value: string;
  readonly fingerprint: string;
}

/** The secrets file's fingerprint: what a secret request's base is (`none` before the first secret). */
export function secretsFileBase(root: string, environment: string): string {
  try {
    const bytes = readFileSync(absolute(root, secretPaths(environment).secrets));
    return `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
  } catch {
    return 'none';
  }
}

/** Checks and seals `value` for `key` as `secrets set` would (name, key pair, strength), writing nothing but the salt. */
export async function sealSecretChange(
  { project, environment }: OpenedTarget,
  key: string,
  value: string,
): Promise<{ readonly sealed: SealedSecretChange; readonly base: string; readonly warnings: readonly string[] }> {
  assertSecretKey(project, environment, key);
  const recipient = readPublicKey(project.root, environment.name);
  if (!recipient) throw new SecretNoPublicKeyError(environment.name, secretPaths(environment.name).publicKey);
  const weakness = secretWeakness(value, environment.tier);
  if (weakness && environment.protected) throw new SecretWeakError(key, environment.name, weakness);
  const base = secretsFileBase(project.root, environment.name);
  const envelope = OpenEnvelope.create(recipient, newEnvelopeId(new Map()));
  const sealed = {
    key,
    recipient,
    envelope: envelope.record,
    value: envelope.seal(value, environment.name, key),
    fingerprint: await fingerprint(value, await ensureSalt(project.root)),
  };
  return { sealed, base, warnings: weakness ? [`the value for ${key} is weak: ${weakness}`] : [] };
}

/**
 * Stores an approved sealed value under the secrets lock, unless the file
 * moved from `base` (or the key pair changed): then 'stale' and nothing written.
 */
export function storeSealedSecret(
  root: string,
  environment: Environment,
  sealed: SealedSecretChange,
  base: string,
  now = new Date(),
): Promise<'stored' | 'stale'> {
  return withSecretsLock(root, environment.name, async () => {
    if (secretsFileBase(root, environment.name) !== base) return 'stale';
    if (readPublicKey(root, environment.name) !== sealed.recipient) return 'stale';
    const document = readSecrets(root, environment.name) ?? emptySecrets(environment.name, sealed.recipient);
    if (document.recipient !== sealed.recipient) return 'stale';
    const parsed = parseSealedValue(sealed.value);
    if (!parsed) throw new TypeError('a sealed request value is not format 1');
    // The envelope id is not authenticated: a clash with a stored one gets a fresh id.
    const id = document.envelopes.has(sealed.envelope.id) ? newEnvelopeId(document.envelopes) : sealed.envelope.id;
    const envelopes = new Map(document.envelopes).set(id, { ...sealed.envelope, id });
    const previous = document.secrets.get(sealed.key);
    const secrets = new Map(document.secrets).set(sealed.key, {
      value: `ew1:${id}:${parsed.payload}`,
      fingerprint: sealed.fingerprint,
      updated: now.toISOString(),
      history: previous ? [...previous.history, previous.updated] : [],
    });
    await writeSecrets(root, { ...document, envelopes: withoutUnusedEnvelopes(envelopes, secrets), secrets });
    return 'stored';
  });
}
