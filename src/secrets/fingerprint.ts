import { randomBytes, scrypt } from 'node:crypto';

/**
 * Fingerprints let `envward scan` find one value used in two environments
 * without any private key. scrypt (N=2^14, r=8, p=1: about 50 ms and 16 MiB a
 * guess) with a project-wide random salt: equal values give equal
 * fingerprints across the project's environments, as the scan needs, while
 * guessing a value from its fingerprint costs a full scrypt per guess and no
 * table can be computed before the salt is known. The trade-off: anyone who
 * can read the repository can test guesses offline at that cost, so a weak
 * secret stays weak (scan and `secrets set` flag short values).
 */
export const FINGERPRINT_PREFIX = 'scrypt1:';
const COST = { N: 2 ** 14, r: 8, p: 1, maxmem: 64 * 1024 * 1024 };

export function newSalt(): string {
  return randomBytes(16).toString('base64url');
}

export function fingerprint(value: string, salt: string): Promise<string> {
  return new Promise((resolve, reject) => {
    scrypt(value.normalize('NFC'), Buffer.from(salt, 'base64url'), 32, COST, (error, derived) => {
      if (error) reject(error);
      else resolve(FINGERPRINT_PREFIX + derived.toString('base64url'));
    });
  });
}
