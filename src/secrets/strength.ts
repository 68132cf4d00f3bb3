import { type BuiltInTier, defaultsTier, type Tier } from '../environment/index.js';

/** The shortest secret each tier accepts. */
export const MIN_SECRET_LENGTH: Readonly<Record<BuiltInTier, number>> = Object.freeze({
  development: 1,
  test: 1,
  staging: 16,
  production: 20,
});

const COMMON = new Set(['password', 'changeme', 'secret', 'admin', 'letmein', 'qwerty', 'default', 'example', 'test']);

/** Why `value` is too weak for `tier`, or undefined when it is acceptable. */
export function secretWeakness(value: string, tier: Tier): string | undefined {
  const minimum = MIN_SECRET_LENGTH[defaultsTier(tier)];
  if (value.length < minimum) return `${value.length} characters, the ${tier} tier needs at least ${minimum}`;
  if (tier === 'development' || tier === 'test') return undefined;
  const lower = value.toLowerCase();
  if ([...COMMON].some((word) => lower.includes(word)) && new Set(lower).size < 12) {
    return 'it is built on a common word';
  }
  if (new Set(value).size < 8) return 'it repeats too few distinct characters';
  return undefined;
}
