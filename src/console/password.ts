/**
 * Console passwords: argon2id (@node-rs/argon2, OWASP's first choice for
 * password storage) with its defaults (19 MiB, 2 passes). A login for a name
 * with no password verifies against a fixed hash all the same, so the time
 * a refusal takes does not tell which names exist.
 */
import { importPeer } from '../peers.js';
import { ConsolePasswordError } from './console-errors.js';

const argon2 = () => importPeer('envward/console', () => import('@node-rs/argon2'));

/** Passwords shorter than this are refused; longer than the maximum too (argon2 would hash megabytes). */
export const PASSWORD_MIN = 12;
export const PASSWORD_MAX = 1024;

export function assertPassword(password: string): void {
  if (password.length < PASSWORD_MIN || password.length > PASSWORD_MAX) {
    throw new ConsolePasswordError(
      `A console password needs ${PASSWORD_MIN} to ${PASSWORD_MAX} characters (this one has ${password.length}).`,
    );
  }
}

export async function hashPassword(password: string): Promise<string> {
  assertPassword(password);
  const { hash } = await argon2();
  // Algorithm.Argon2id is a const enum (2), which isolated modules cannot read.
  return hash(password, { algorithm: 2 });
}

let decoy: Promise<string> | undefined;

/** Whether `password` matches `stored`; with no stored hash, false after the same work. */
export async function verifyPassword(stored: string | null, password: string): Promise<boolean> {
  const { verify } = await argon2();
  if (password.length > PASSWORD_MAX) return false;
  if (stored === null) {
    decoy ??= hashPassword('envward-decoy-password-not-a-secret');
    await verify(await decoy, password).catch(() => false);
    return false;
  }
  return verify(stored, password).catch(() => false);
}
