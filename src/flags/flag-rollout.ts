import { hash } from 'node:crypto';

const SPACE = 2 ** 32;

/**
 * Where a targeting key falls in a flag's percentage rollout, in [0, 100):
 * the first four bytes of SHA-256 of `<flag name> NUL <targeting key>` (UTF-8)
 * read as an unsigned big-endian integer, divided by 2^32, times 100. A rule
 * with `percentage: p` applies when the position is below p, so a user stays
 * in or out for a given flag on every instance and every start, and raising
 * p only adds users. The flag name in the hash keeps two flags' rollouts
 * independent of each other.
 * @example rolloutPosition('newFeeRule', 'user-42') // 37.2... (always the same)
 */
export function rolloutPosition(flag: string, targetingKey: string): number {
  // One-shot hash (no Hash object per call); the same bytes as createHash().update(flag).update('\0').update(key).
  const digest = hash('sha256', `${flag}\0${targetingKey}`, 'buffer');
  return (digest.readUInt32BE(0) / SPACE) * 100;
}
