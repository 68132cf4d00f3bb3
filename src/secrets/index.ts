export type { EnvironmentTarget } from '../acts/environment-target.js';
export {
  type KeygenRequest,
  keygen,
  listSecrets,
  type RemoveSecretRequest,
  type RotateKeyRequest,
  type RotateKeyResult,
  removeSecret,
  rotateKey,
  type SecretListing,
  type SetSecretRequest,
  type SetSecretResult,
  type SetSecretsRequest,
  type SetSecretsResult,
  type StoredSecret,
  setSecret,
  setSecrets,
} from './manage.js';
export { keyVariable, SALT_FILE, type SecretPaths, secretPaths } from './paths.js';
export { type Reveal, type RevealRequest, revealSecret } from './reveal.js';
export type { RotationResult } from './rotation.js';
export { type ScanCode, type ScanFinding, type ScanReport, scanProject } from './scan.js';
export {
  RevealUnauditedError,
  SecretDecryptError,
  SecretFileError,
  SecretInputError,
  SecretJournalError,
  SecretKeyExistsError,
  SecretKeyMissingError,
  SecretKeyNameError,
  SecretKeyNotFileError,
  SecretKeyPermissionsError,
  SecretKeysTrackedError,
  SecretKeyWrongError,
  SecretNoPublicKeyError,
  SecretsLockedError,
  SecretWeakError,
} from './secret-errors.js';
export { secretsLayerWithKeysAt } from './secrets-layer.js';
export { withSecretsLock } from './secrets-lock.js';
export { MIN_SECRET_LENGTH } from './strength.js';
export type { KeygenResult } from './vault.js';

/** The names of the secrets stored for `environment` (no values, no key needed); empty without a secrets file. */
export async function storedSecretNames(root: string, environment: string): Promise<readonly string[]> {
  const { readSecrets } = await import('./secrets-file.js');
  return [...(readSecrets(root, environment)?.secrets.keys() ?? [])];
}
