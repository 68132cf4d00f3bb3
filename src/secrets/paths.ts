import { join } from 'node:path';

/** Where an environment's secrets live, relative to the project root (forward slashes, as shown to users). */
export interface SecretPaths {
  /** Names in clear, values encrypted: committed. */
  readonly secrets: string;
  /** The environment's public key: committed, so anyone may add a secret. */
  readonly publicKey: string;
  /** The private key on this machine: git-ignored, mode 0600. */
  readonly privateKey: string;
  /** The variable that carries the private key at run time instead of the file. */
  readonly variable: string;
  /**
   * Where rotate-key leaves the new private key when the old one came from
   * the variable: written before the commit point, so a crash cannot lose it;
   * the user moves it into the secret store and deletes the file.
   */
  readonly newPrivateKey: string;
  /** A rotation's commit record; present only between its commit point and its end. */
  readonly rotationJournal: string;
}

export const KEYS_DIR = '.envward/keys';
/** The project-wide salt of value fingerprints (see fingerprint.ts). */
export const SALT_FILE = 'config/secrets.salt';
/** Suffix of files a rotation writes before its commit point. */
export const STAGED_SUFFIX = '.rotating';

export function secretPaths(environment: string): SecretPaths {
  const dir = `config/environments/${environment}`;
  return {
    secrets: `${dir}/secrets.yml`,
    publicKey: `${dir}/secrets.pub`,
    privateKey: `${KEYS_DIR}/${environment}.key`,
    variable: keyVariable(environment),
    newPrivateKey: `${KEYS_DIR}/${environment}.new.key`,
    rotationJournal: `${KEYS_DIR}/${environment}.rotation.json`,
  };
}

/** `ENVWARD_KEY_EU_PRODUCTION` for `eu-production`. */
export function keyVariable(environment: string): string {
  return `ENVWARD_KEY_${environment.toUpperCase().replaceAll('-', '_')}`;
}

export function absolute(root: string, relative: string): string {
  return join(root, ...relative.split('/'));
}
