import { z } from 'zod';
import { defineSettings, type SettingsFragment } from '../config/settings-fragment.js';
import type { BuiltInTier } from '../environment/index.js';

/**
 * Development fails fast (one retry, short timeout) so a missing service is
 * seen at once; test barely waits; staging and production retry more and
 * give a struggling target longer to recover before trying it again.
 */
export const OUTBOUND_TIER_DEFAULTS = Object.freeze({
  development: { retries: 1, timeoutMs: 2_000, breakerThreshold: 3, breakerHalfOpenAfterMs: 5_000, backoffMs: 50 },
  test: { retries: 1, timeoutMs: 1_000, breakerThreshold: 3, breakerHalfOpenAfterMs: 1_000, backoffMs: 10 },
  staging: { retries: 2, timeoutMs: 5_000, breakerThreshold: 5, breakerHalfOpenAfterMs: 15_000, backoffMs: 100 },
  production: { retries: 3, timeoutMs: 5_000, breakerThreshold: 5, breakerHalfOpenAfterMs: 30_000, backoffMs: 200 },
} as const);

export const TARGET_NAME = /^[A-Za-z][A-Za-z0-9_-]{0,63}$/;

/** Origin plus an optional path prefix, http or https, no query or fragment; never quoted (it may hold credentials). */
export const baseUrlSchema = z.string().superRefine((text, context) => {
  let url: URL | undefined;
  try {
    url = new URL(text);
  } catch {
    url = undefined;
  }
  if (!url || (url.protocol !== 'http:' && url.protocol !== 'https:') || url.search !== '' || url.hash !== '') {
    context.addIssue({ code: 'custom', message: 'must be an http:// or https:// URL without query or fragment' });
  }
});

/** The keys of one target: its base URL and the tuning of its retries, timeout and breaker (shared with integrations). */
export function targetSchema() {
  return z.object({
    /** `https://api.example.com/v2`: origin plus an optional path prefix. */
    baseUrl: baseUrlSchema.optional(),
    /** Retries after the first attempt, for idempotent requests. */
    retries: z.number().int().min(0).max(20),
    /** Time allowed for each attempt, headers and body. */
    timeoutMs: z.number().int().min(1),
    /** Consecutive failures that open the circuit breaker. */
    breakerThreshold: z.number().int().min(1),
    /** How long the breaker stays open before letting one call through. */
    breakerHalfOpenAfterMs: z.number().int().min(1),
    /** First retry delay; each next one grows exponentially with jitter. */
    backoffMs: z.number().int().min(0),
  });
}

type TargetSchema = ReturnType<typeof targetSchema>;

/** Checks names of targets or integrations where a project declares them: `what(${'"'}name")` in messages. */
export function assertTargetName(name: unknown, fail: (shown: string) => Error): asserts name is string {
  if (typeof name !== 'string' || !TARGET_NAME.test(name)) throw fail(JSON.stringify(String(name).slice(0, 64)));
}

/**
 * OUTBOUND_TIER_DEFAULTS for each of `names` (`payments.retries`), plus
 * `extra[tier]` under each name: the tier-defaults layer of a fragment whose
 * blocks are targets.
 */
export function targetTierDefaults(
  names: readonly string[],
  extra: Partial<Record<BuiltInTier, Readonly<Record<string, unknown>>>> = {},
): Record<BuiltInTier, Record<string, unknown>> {
  return Object.fromEntries(
    (Object.keys(OUTBOUND_TIER_DEFAULTS) as BuiltInTier[]).map((tier) => [
      tier,
      Object.fromEntries(
        names.flatMap((name) =>
          Object.entries({ ...extra[tier], ...OUTBOUND_TIER_DEFAULTS[tier] }).map(([key, value]) => [
            `${name}.${key}`,
            value,
          ]),
        ),
      ),
    ]),
  ) as Record<BuiltInTier, Record<string, unknown>>;
}

/**
 * The outbound clients' settings (`outbound.<target>.*`), owned by
 * envward/outbound: one block per target the service calls.
 * @example defineConfig({ use: [outbound('payments')], schema }) // settings.yml: outbound: { payments: { baseUrl: https://... } }
 */
export function outbound<const Targets extends readonly string[]>(
  ...targets: Targets
): SettingsFragment<'outbound', z.ZodObject<{ [T in Targets[number]]: TargetSchema }>> {
  for (const target of targets) {
    assertTargetName(
      target,
      (shown) =>
        new Error(`outbound(${shown}): a target name is letters, digits, "-" and "_", starting with a letter.`),
    );
  }
  return defineSettings({
    key: 'outbound',
    capability: 'envward/outbound',
    tierDefaults: targetTierDefaults(targets),
    schema: () =>
      z.object(Object.fromEntries(targets.map((target) => [target, targetSchema()]))) as z.ZodObject<{
        [T in Targets[number]]: TargetSchema;
      }>,
  });
}
