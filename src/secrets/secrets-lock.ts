import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { absolute, secretPaths } from './paths.js';
import { journalExists, rollForward, settleRotation, stagedFilesExist } from './rotation-journal.js';
import { SecretsLockedError } from './secret-errors.js';

/**
 * Runs `work` holding the environment's secrets lock, so two commands that
 * write the same secrets file (two `secrets set`, a set during a rotation)
 * run one after the other instead of one silently losing the other's value.
 * proper-lockfile's lock is a directory made atomically, refreshed while
 * held, and taken over when stale (a killed process).
 */
export async function withSecretsLock<T>(root: string, environment: string, work: () => Promise<T>): Promise<T> {
  const target = absolute(root, secretPaths(environment).secrets);
  mkdirSync(dirname(target), { recursive: true });
  const { lock } = await import('proper-lockfile');
  let release: () => Promise<void>;
  try {
    release = await lock(target, {
      realpath: false,
      stale: 5_000,
      retries: { retries: 100, factor: 1.2, minTimeout: 20, maxTimeout: 250 },
    });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ELOCKED') throw new SecretsLockedError(environment);
    throw error;
  }
  try {
    // Whatever a crashed rotation left, settle it before reading or writing.
    settleRotation(root, environment);
    return await work();
  } finally {
    await release();
  }
}

/**
 * For readers (resolution, get, list, scan): finishes a committed rotation
 * at once (safe without the lock), and takes the lock to clear a crashed
 * rotation's staged files only when there are some: two stats otherwise.
 */
export async function settleBeforeReading(root: string, environment: string): Promise<void> {
  if (journalExists(root, environment)) rollForward(root, environment);
  else if (stagedFilesExist(root, environment)) await withSecretsLock(root, environment, async () => {});
}
