import { EnvwardError } from '../errors.js';

/** `outbound.<name>.*` is missing or wrong for this environment. */
export class OutboundConfigError extends EnvwardError {
  constructor(target: string, environment: string, problem: string, settingsKey = `outbound.${target}`) {
    super(
      'EW_OUTBOUND_CONFIG',
      'problem',
      `Outbound target "${target}" of ${environment}: ${problem}.`,
      `Set ${settingsKey}.baseUrl (http:// or https://) in ${environment}'s settings.yml, and the tuning keys as numbers, or remove them to use the tier's defaults (docs/observability.md).`,
      { target, environment },
    );
  }
}

/** Why an outbound call could not be made. */
export type OutboundFailure = 'breaker-open' | 'timeout' | 'network';

/**
 * A target could not be reached: its circuit breaker is open, or every
 * attempt timed out or failed to connect. Names the target and the base URL's
 * host only: never credentials, paths or query strings.
 */
export class OutboundUnavailableError extends EnvwardError {
  readonly failure: OutboundFailure;

  constructor(
    target: string,
    host: string,
    environment: string,
    failure: OutboundFailure,
    detail: { attempts: number; timeoutMs: number; halfOpenAfterMs: number; cause?: string; settingsKey?: string },
  ) {
    const what =
      failure === 'breaker-open'
        ? `its circuit breaker is open after repeated failures; calls are refused at once and one is let through ${detail.halfOpenAfterMs} ms after it opened`
        : failure === 'timeout'
          ? `it did not answer within ${detail.timeoutMs} ms (${detail.attempts} attempt${detail.attempts === 1 ? '' : 's'})`
          : `it could not be reached${detail.cause ? ` (${detail.cause})` : ''} (${detail.attempts} attempt${detail.attempts === 1 ? '' : 's'})`;
    super(
      'EW_OUTBOUND_UNAVAILABLE',
      'problem',
      `Outbound target "${target}" (${host}) is unavailable in ${environment}: ${what}.`,
      `Check that ${host} is up and reachable from this host; ${detail.settingsKey ?? `outbound.${target}`}.timeoutMs, retries, breakerThreshold and breakerHalfOpenAfterMs tune how ${environment} waits and retries.`,
      {
        target,
        host,
        environment,
        failure,
        attempts: detail.attempts,
        ...(detail.cause ? { cause: detail.cause } : {}),
      },
    );
    this.failure = failure;
  }
}
