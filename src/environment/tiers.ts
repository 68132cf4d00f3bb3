/** The four tiers every environment maps to; a tier sets defaults and rules. */
export const TIERS = ['development', 'test', 'staging', 'production'] as const;
export type Tier = (typeof TIERS)[number];

export type Colour = 'green' | 'blue' | 'amber' | 'red' | 'purple';

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
});

/** Tiers in which the built-in safety rules (no debug, log level, secrets set) apply. */
export function isProtectedTier(tier: Tier): boolean {
  return TIER_DEFAULTS[tier].protected;
}
