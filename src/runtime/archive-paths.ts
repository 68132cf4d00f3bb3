/**
 * The files a configuration archive may hold, by their path in the project
 * (forward slashes): the project's own and each environment's. Nothing else
 * is archived or restored, so a restore can never write outside config/ and
 * the project's .env, whatever an archive says.
 */
import { join } from 'node:path';
import { SALT_FILE, secretPaths } from '../secrets/index.js';

/** Files every environment reads: the settings base, the project .env, the secrets fingerprint salt. */
export const PROJECT_FILES: readonly string[] = Object.freeze(['config/base.yml', '.env', SALT_FILE]);

/** One environment's own files: its settings, its .env, and its encrypted secrets with their public key. */
export function environmentFiles(environment: string): readonly string[] {
  const { secrets, publicKey } = secretPaths(environment);
  const dir = `config/environments/${environment}`;
  return [`${dir}/settings.yml`, `${dir}/.env`, secrets, publicKey];
}

/** Files that carry ciphertext and its key: never copied from one environment into another. */
export function secretFiles(environment: string): readonly string[] {
  const { secrets, publicKey } = secretPaths(environment);
  return [secrets, publicKey];
}

/** `config/environments/<from>/x` as `config/environments/<to>/x` (restoring one environment's files into another). */
export function renamedFile(path: string, from: string, to: string): string {
  const prefix = `config/environments/${from}/`;
  return path.startsWith(prefix) ? `config/environments/${to}/${path.slice(prefix.length)}` : path;
}

/** A project path (forward slashes) under `root`, for the file system. */
export function absolute(root: string, path: string): string {
  return join(root, ...path.split('/'));
}
