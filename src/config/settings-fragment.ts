import type { z } from 'zod';
import { type BuiltInTier, defaultsTier, type Environment, type Tier } from '../environment/index.js';
import type { IssueCode } from '../error-registry.js';

/**
 * Whether a key may change while the service runs (`live`: a runtime
 * revision applies at once) or only at the next start (`restart`: a pool
 * size, a port). Keys are `restart` unless their schema is wrapped in `live()`.
 */
export type ReloadMode = 'live' | 'restart';

/**
 * Values of a fragment's keys per tier, by dotted key below the fragment
 * (`rateLimit.max`). `preview` is optional: without it, preview
 * environments take the staging values.
 */
export type TierDefaults = Readonly<Record<BuiltInTier, Readonly<Record<string, unknown>>>> & {
  readonly preview?: Readonly<Record<string, unknown>>;
};

/** A fragment's defaults in one tier (preview falls back to staging's). */
export function tierDefaultsOf(defaults: TierDefaults, tier: Tier): Readonly<Record<string, unknown>> {
  return (tier === 'preview' ? defaults.preview : undefined) ?? defaults[defaultsTier(tier)] ?? {};
}

/**
 * The settings one capability owns: a zod object under one top-level key,
 * with tier defaults that resolution applies as the `tier-defaults` layer.
 * A project composes the fragments it uses:
 * `defineConfig({ use: [http, log, database], schema: z.object({ app: ... }) })`.
 */
export interface SettingsFragment<Key extends string = string, Schema extends z.ZodObject = z.ZodObject> {
  /** The top-level key the fragment's settings live under (`http`). */
  readonly key: Key;
  /** The capability that reads the settings, for messages (`envward/fastify`). */
  readonly capability: string;
  /** The fragment's schema, built on first use (so importing a capability builds no schema). */
  readonly schema: Schema;
  readonly tierDefaults: TierDefaults;
  /** The capability's own rules for its validated settings in one environment (tier rules: no mock integration in production). */
  readonly rules?: FragmentRules;
}

/** A problem a fragment's rule finds, at a key below the fragment (`payments.mode` under `integrations`). */
export interface FragmentFinding {
  readonly code: IssueCode;
  readonly key: string;
  readonly message: string;
}

/**
 * Checks a fragment's validated settings (`values[fragment.key]`) in one
 * environment; run with the built-in tier rules, so `config validate`,
 * preflight, start-up and every runtime revision apply it.
 */
export type FragmentRules = (settings: unknown, environment: Environment) => readonly FragmentFinding[];

export interface SettingsFragmentSpec<Key extends string, Schema extends z.ZodObject> {
  readonly key: Key;
  readonly capability: string;
  readonly schema: () => Schema;
  readonly tierDefaults: TierDefaults;
  readonly rules?: FragmentRules;
}

/** Declares a capability's settings fragment; its schema is built once, when first read. */
export function defineSettings<const Key extends string, Schema extends z.ZodObject>(
  spec: SettingsFragmentSpec<Key, Schema>,
): SettingsFragment<Key, Schema> {
  let built: Schema | undefined;
  return Object.freeze({
    key: spec.key,
    capability: spec.capability,
    tierDefaults: spec.tierDefaults,
    ...(spec.rules ? { rules: spec.rules } : {}),
    get schema(): Schema {
      built ??= spec.schema();
      return built;
    },
  });
}

/** Duck-typed: a second copy of envward (jiti's fallback loader) makes fragments this module's instanceof would miss. */
export function isSettingsFragment(value: unknown): value is SettingsFragment {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as SettingsFragment).key === 'string' &&
    typeof (value as SettingsFragment).capability === 'string' &&
    typeof (value as SettingsFragment).tierDefaults === 'object' &&
    'schema' in value
  );
}
