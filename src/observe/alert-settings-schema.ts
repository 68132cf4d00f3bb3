import { z } from 'zod';
import { defineSettings } from '../config/settings-fragment.js';

/**
 * Production pages early; staging and below tolerate more, since their
 * traffic is thin and their failures are found by people, not pagers.
 */
export const ALERT_TIER_DEFAULTS = Object.freeze({
  development: { errorRate: 0.2, latencyP99Ms: 5_000, breakerOpenMinutes: 30 },
  test: { errorRate: 0.2, latencyP99Ms: 5_000, breakerOpenMinutes: 30 },
  staging: { errorRate: 0.05, latencyP99Ms: 2_000, breakerOpenMinutes: 15 },
  production: { errorRate: 0.01, latencyP99Ms: 1_000, breakerOpenMinutes: 5 },
} as const);

/**
 * The alerting thresholds (`alerts.*`) of `envward observe alerts`, owned by envward/observe.
 * @example defineConfig({ use: [alerts], schema }) // settings.yml: alerts: { errorRate: 0.02 }
 */
export const alerts = defineSettings({
  key: 'alerts',
  capability: 'envward/observe',
  tierDefaults: ALERT_TIER_DEFAULTS,
  schema: () =>
    z.object({
      /** Fraction of requests answered 5xx over 5 minutes (0.01 = 1%). */
      errorRate: z.number().min(0).max(1),
      /** 99th percentile request duration over 5 minutes, in milliseconds. */
      latencyP99Ms: z.number().min(1),
      /** How long an outbound circuit breaker may stay open, in minutes. */
      breakerOpenMinutes: z.number().min(0),
    }),
});
