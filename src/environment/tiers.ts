/**
 * The tiers every environment maps to; a tier sets defaults and rules.
 * `preview` is for the short-lived environments `envward preview up` makes
 * per pull request: it runs with staging's defaults, unprotected.
 */
export const TIERS = ['development', 'test', 'staging', 'production', 'preview'] as const;
export type Tier = (typeof TIERS)[number];

/** The environments every project has, one per long-lived tier. */
export const BUILT_IN_ENVIRONMENTS = ['development', 'test', 'staging', 'production'] as const;
export type BuiltInTier = (typeof BUILT_IN_ENVIRONMENTS)[number];

/** The tier whose defaults a tier takes where a capability declares none of its own (preview runs like staging). */
export function defaultsTier(tier: Tier): BuiltInTier {
  return tier === 'preview' ? 'staging' : tier;
}

export const COLOURS = ['green', 'blue', 'amber', 'red', 'purple'] as const;
export type Colour = (typeof COLOURS)[number];

/** An environment's short code: 2-4 upper-case letters or digits. */
export const CODE_PATTERN = /^[A-Z0-9]{2,4}$/;

/** A custom environment's default code: the first three letters and digits of its name. */
export function codeFromName(name: string): string {
  return name
    .replace(/[^a-z0-9]/g, '')
    .toUpperCase()
    .slice(0, 3)
    .padEnd(2, 'X');
}

interface TierDefaults {
  readonly colour: Colour;
  readonly code: string;
  readonly protected: boolean;
}

/** Colour, short code and protection per tier; red is kept for production alone. */
export const TIER_DEFAULTS: Readonly<Record<Tier, TierDefaults>> = Object.freeze({
  development: { colour: 'green', code: 'DEV', protected: false },
  test: { colour: 'blue', code: 'TST', protected: false },
  staging: { colour: 'amber', code: 'STG', protected: true },
  production: { colour: 'red', code: 'PRD', protected: true },
  preview: { colour: 'purple', code: 'PRV', protected: false },
});

/** Tiers in which the built-in safety rules (no debug, log level, secrets set) apply. */
export function isProtectedTier(tier: Tier): boolean {
  return TIER_DEFAULTS[tier].protected;
}
