import type { ResolvedConfig } from '../config/index.js';
import { readPath } from '../config/value-path.js';
import type { Tier } from '../environment/index.js';
import { OutboundConfigError } from './outbound-errors.js';

/** How one environment calls one outbound target, from `outbound.<name>.*` and the tier. */
export interface OutboundSettings {
  readonly target: string;
  /** `outbound.<name>.baseUrl`: origin plus an optional path prefix, e.g. `https://api.example.com/v2`. */
  readonly baseUrl: string;
  /** Retries after the first attempt (`retries`), for idempotent requests. */
  readonly retries: number;
  /** Time allowed for each attempt, headers and body (`timeoutMs`). */
  readonly timeoutMs: number;
  /** Consecutive failures that open the circuit breaker (`breakerThreshold`). */
  readonly breakerThreshold: number;
  /** How long the breaker stays open before letting one call through (`breakerHalfOpenAfterMs`). */
  readonly breakerHalfOpenAfterMs: number;
  /** First retry delay (`backoffMs`); each next one grows exponentially with jitter. */
  readonly backoffMs: number;
}

type Tuning = Omit<OutboundSettings, 'target' | 'baseUrl'>;

/**
 * Development fails fast (one retry, short timeout) so a missing service is
 * seen at once; test barely waits; staging and production retry more and
 * give a struggling target longer to recover before trying it again.
 */
export const OUTBOUND_TIER_DEFAULTS: Readonly<Record<Tier, Tuning>> = Object.freeze({
  development: { retries: 1, timeoutMs: 2_000, breakerThreshold: 3, breakerHalfOpenAfterMs: 5_000, backoffMs: 50 },
  test: { retries: 1, timeoutMs: 1_000, breakerThreshold: 3, breakerHalfOpenAfterMs: 1_000, backoffMs: 10 },
  staging: { retries: 2, timeoutMs: 5_000, breakerThreshold: 5, breakerHalfOpenAfterMs: 15_000, backoffMs: 100 },
  production: { retries: 3, timeoutMs: 5_000, breakerThreshold: 5, breakerHalfOpenAfterMs: 30_000, backoffMs: 200 },
});

const TARGET = /^[A-Za-z][A-Za-z0-9_-]{0,63}$/;

export function outboundSettings(
  resolved: Pick<ResolvedConfig<unknown>, 'values' | 'environment'>,
  target: string,
): OutboundSettings {
  const environment = resolved.environment.name;
  if (!TARGET.test(target)) {
    throw new OutboundConfigError(
      String(target).slice(0, 64),
      environment,
      'a target name is letters, digits, "-" and "_", starting with a letter',
    );
  }
  const values = resolved.values as Record<string, unknown>;
  const get = (key: string) => readPath(values, ['outbound', target, key]) ?? undefined;
  const defaults = OUTBOUND_TIER_DEFAULTS[resolved.environment.tier];
  const count = (key: keyof Tuning, min: number): number => {
    const value = get(key);
    if (value === undefined || value === null) return defaults[key];
    if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < min) {
      throw new OutboundConfigError(
        target,
        environment,
        `outbound.${target}.${key} must be a whole number of at least ${min}, not ${JSON.stringify(value)}`,
      );
    }
    return value;
  };
  const baseUrl = get('baseUrl');
  let url: URL | undefined;
  try {
    url = typeof baseUrl === 'string' ? new URL(baseUrl) : undefined;
  } catch {
    url = undefined;
  }
  if (!url || (url.protocol !== 'http:' && url.protocol !== 'https:') || url.search !== '' || url.hash !== '') {
    // The value is not echoed: a base URL may carry credentials.
    throw new OutboundConfigError(
      target,
      environment,
      baseUrl === undefined || baseUrl === null
        ? `outbound.${target}.baseUrl is not set`
        : `outbound.${target}.baseUrl is not an http:// or https:// URL without query or fragment`,
    );
  }
  return Object.freeze({
    target,
    baseUrl: url.href,
    retries: count('retries', 0),
    timeoutMs: count('timeoutMs', 1),
    breakerThreshold: count('breakerThreshold', 1),
    breakerHalfOpenAfterMs: count('breakerHalfOpenAfterMs', 1),
    backoffMs: count('backoffMs', 0),
  });
}
