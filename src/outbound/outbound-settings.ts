import { fragmentsOf } from '../config/compose.js';
import type { ResolvedConfig } from '../config/index.js';
import { OutboundConfigError } from './outbound-errors.js';
import { TARGET_NAME } from './outbound-settings-schema.js';

interface Validated {
  readonly baseUrl?: string;
  readonly retries: number;
  readonly timeoutMs: number;
  readonly breakerThreshold: number;
  readonly breakerHalfOpenAfterMs: number;
  readonly backoffMs: number;
}

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

/**
 * One target's settings: the project's validated `outbound.<target>.*`
 * values (the `outbound(...)` fragment in `use`, tier defaults applied).
 */
export function outboundSettings(
  resolved: Pick<ResolvedConfig<unknown>, 'values' | 'environment' | 'project'>,
  target: string,
): OutboundSettings {
  const environment = resolved.environment.name;
  if (typeof target !== 'string' || !TARGET_NAME.test(target)) {
    throw new OutboundConfigError(
      String(target).slice(0, 64),
      environment,
      'a target name is letters, digits, "-" and "_", starting with a letter',
    );
  }
  const used = fragmentsOf(resolved.project.definition.use).some((fragment) => fragment.key === 'outbound');
  const block = used ? (resolved.values as { outbound?: Record<string, unknown> }).outbound : undefined;
  const settings = block && Object.hasOwn(block, target) ? (block[target] as Validated) : undefined;
  if (!settings) {
    throw new OutboundConfigError(
      target,
      environment,
      `envward.config.ts does not declare the target: add outbound('${target}') to \`use\` (import { outbound } from 'envward/outbound')`,
    );
  }
  if (settings.baseUrl === undefined) {
    throw new OutboundConfigError(target, environment, `outbound.${target}.baseUrl is not set`);
  }
  return Object.freeze({
    target,
    baseUrl: new URL(settings.baseUrl).href,
    retries: settings.retries,
    timeoutMs: settings.timeoutMs,
    breakerThreshold: settings.breakerThreshold,
    breakerHalfOpenAfterMs: settings.breakerHalfOpenAfterMs,
    backoffMs: settings.backoffMs,
  });
}
