import { Buffer } from 'node:buffer';
import {
  BrokenCircuitError,
  CircuitState,
  ConsecutiveBreaker,
  circuitBreaker,
  ExponentialBackoff,
  handleWhen,
  type IPolicy,
  retry,
  TaskCancelledError,
  TimeoutStrategy,
  timeout,
  wrap,
} from 'cockatiel';
import type { Registry } from 'prom-client';
import { Pool } from 'undici';
import type { ResolvedConfig } from '../config/index.js';
import { OutboundConfigError, OutboundUnavailableError } from './outbound-errors.js';
import { type OutboundMetrics, type OutboundOutcome, outboundMetrics } from './outbound-metrics.js';
import { type OutboundSettings, outboundSettings } from './outbound-settings.js';

/** Where retries and breaker changes are reported: a pino logger or anything with its `warn(object, message)`. */
export interface OutboundLogger {
  warn(object: Record<string, unknown>, message: string): void;
}

export interface OutboundClientOptions {
  /** prom-client registry for the outbound metrics; none are kept without one. */
  readonly registry?: Registry;
  readonly logger?: OutboundLogger;
}

export interface OutboundRequestInit {
  /** Default GET. */
  readonly method?: string;
  readonly headers?: Readonly<Record<string, string>>;
  readonly body?: string | Uint8Array;
  /**
   * Retry this request although its method is not idempotent (POST, PATCH),
   * e.g. because it carries an idempotency key. GET, HEAD, OPTIONS, PUT and
   * DELETE are retried anyway.
   */
  readonly idempotent?: boolean;
  /** Cancels the whole call, retries included. */
  readonly signal?: AbortSignal;
}

/** A response, read completely within the attempt's timeout. */
export interface OutboundResponse {
  readonly status: number;
  /** 2xx. */
  readonly ok: boolean;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  readonly body: {
    text(): Promise<string>;
    json<T = unknown>(): Promise<T>;
    bytes(): Promise<Uint8Array>;
  };
}

export type BreakerState = 'closed' | 'open' | 'half-open';

export interface OutboundClient {
  readonly target: string;
  readonly settings: OutboundSettings;
  /**
   * Calls `path` (with its query) under the base URL. Resolves with any HTTP
   * response, a 5xx or 429 one once retries are spent; rejects with
   * EW_OUTBOUND_UNAVAILABLE when the breaker is open or every attempt timed
   * out or failed to connect.
   */
  request(path: string, init?: OutboundRequestInit): Promise<OutboundResponse>;
  breakerState(): BreakerState;
  /** Closes the connection pool. */
  close(): Promise<void>;
}

const IDEMPOTENT = new Set(['GET', 'HEAD', 'OPTIONS', 'PUT', 'DELETE', 'TRACE']);

/** Errors where the target may be fine a moment later: connecting, resets, DNS hiccups. */
const TRANSIENT_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EAI_AGAIN',
  'ENOTFOUND',
  'UND_ERR_SOCKET',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
  'UND_ERR_CLOSED',
]);

function errorCode(error: unknown): string | undefined {
  let current = error as { code?: unknown; cause?: unknown } | undefined;
  for (let depth = 0; current && depth < 3; depth++) {
    if (typeof current.code === 'string') return current.code;
    current = current.cause as typeof current;
  }
  return undefined;
}

const isTransientError = (error: unknown) =>
  error instanceof TaskCancelledError || TRANSIENT_CODES.has(errorCode(error) ?? '');
const isFailureStatus = (status: number) => status >= 500 || status === 429;

const STATE_VALUE: Readonly<Record<CircuitState, number>> = {
  [CircuitState.Closed]: 0,
  [CircuitState.Open]: 1,
  [CircuitState.HalfOpen]: 0.5,
  [CircuitState.Isolated]: 1,
};
const STATE_NAME: Readonly<Record<CircuitState, BreakerState>> = {
  [CircuitState.Closed]: 'closed',
  [CircuitState.Open]: 'open',
  [CircuitState.HalfOpen]: 'half-open',
  [CircuitState.Isolated]: 'open',
};

interface Buffered {
  readonly status: number;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  readonly bytes: Buffer;
}

function responseOf(buffered: Buffered): OutboundResponse {
  const { status, headers, bytes } = buffered;
  return Object.freeze({
    status,
    ok: status >= 200 && status < 300,
    headers,
    body: Object.freeze({
      text: async () => bytes.toString('utf8'),
      json: async <T>() => JSON.parse(bytes.toString('utf8')) as T,
      bytes: async () => new Uint8Array(bytes),
    }),
  });
}

/**
 * An HTTP client for one configured target (see ./index.ts for the public
 * wrapper): undici's connection pool under cockatiel's retry (exponential
 * backoff with jitter), consecutive-failure circuit breaker and per-attempt
 * timeout, each tuned by `outbound.<name>.*` and the tier.
 */
export async function outboundClientNow(
  resolved: Pick<ResolvedConfig<unknown>, 'values' | 'environment' | 'project'>,
  target: string,
  options: OutboundClientOptions = {},
): Promise<OutboundClient> {
  const settings = outboundSettings(resolved, target);
  return outboundClientFrom(settings, { environment: resolved.environment.name }, options);
}

/** What a client needs besides its settings: where it runs, and headers every request carries. */
export interface OutboundClientContext {
  readonly environment: string;
  /** Where the settings live, for hints (`outbound.payments`, `integrations.payments`); default `outbound.<target>`. */
  readonly settingsKey?: string;
  /**
   * Added to every request unless the request sets the same header itself
   * (a credential): never logged, never in metrics or errors.
   */
  readonly headers?: Readonly<Record<string, string>>;
}

/** A client from settings already validated (`outbound.<name>.*`, or an integration's). */
export async function outboundClientFrom(
  settings: OutboundSettings,
  context: OutboundClientContext,
  options: OutboundClientOptions = {},
): Promise<OutboundClient> {
  const { target } = settings;
  const { environment } = context;
  const settingsKey = context.settingsKey ?? `outbound.${target}`;
  const base = new URL(settings.baseUrl);
  const host = base.host;
  const prefix = base.pathname.replace(/\/+$/, '');
  const fixedHeaders: Record<string, string> = {};
  if (base.username || base.password) {
    const pair = `${decodeURIComponent(base.username)}:${decodeURIComponent(base.password)}`;
    fixedHeaders.authorization = `Basic ${Buffer.from(pair).toString('base64')}`;
  }
  for (const [name, value] of Object.entries(context.headers ?? {})) fixedHeaders[name.toLowerCase()] = value;
  const pool = new Pool(base.origin, { connect: { timeout: settings.timeoutMs } });
  const metrics: OutboundMetrics = await outboundMetrics(options.registry, environment, target);
  const { logger } = options;

  const failures = handleWhen(isTransientError).orWhenResult((result) => isFailureStatus((result as Buffered).status));
  const breaker = circuitBreaker(failures, {
    halfOpenAfter: settings.breakerHalfOpenAfterMs,
    breaker: new ConsecutiveBreaker(settings.breakerThreshold),
  });
  const perAttempt = timeout(settings.timeoutMs, TimeoutStrategy.Aggressive);
  const retrying = retry(failures, {
    maxAttempts: settings.retries,
    backoff: new ExponentialBackoff({ initialDelay: settings.backoffMs, maxDelay: 10_000 }),
  });
  const once: IPolicy = wrap(breaker, perAttempt);
  const withRetries: IPolicy = wrap(retrying, breaker, perAttempt);

  retrying.onRetry((event) => {
    metrics.retry();
    logger?.warn(
      {
        target,
        host,
        attempt: event.attempt,
        delayMs: Math.round(event.delay),
        reason: 'value' in event ? `status ${(event.value as Buffered).status}` : reasonOf(event.error),
      },
      'outbound call retried',
    );
  });
  breaker.onStateChange((state) => {
    metrics.breaker(STATE_VALUE[state]);
    if (state === CircuitState.Open) {
      logger?.warn(
        { target, host, halfOpenAfterMs: settings.breakerHalfOpenAfterMs },
        'outbound circuit breaker opened',
      );
    }
  });

  function reasonOf(error: unknown): string {
    if (error instanceof TaskCancelledError) return `timeout after ${settings.timeoutMs} ms`;
    return errorCode(error) ?? (error instanceof Error ? error.name : 'error');
  }

  function pathOf(path: string): string {
    // Only paths under the base URL: an absolute URL here would send credentials or traffic elsewhere.
    if (typeof path !== 'string' || !path.startsWith('/') || path.startsWith('//')) {
      throw new OutboundConfigError(
        target,
        environment,
        'request paths start with a single "/" (the base URL is configured)',
        settingsKey,
      );
    }
    return `${prefix}${path}`;
  }

  async function request(path: string, init: OutboundRequestInit = {}): Promise<OutboundResponse> {
    const method = (init.method ?? 'GET').toUpperCase();
    const fullPath = pathOf(path);
    const headers: Record<string, string> = { ...init.headers };
    for (const [name, value] of Object.entries(fixedHeaders)) {
      if (!Object.keys(headers).some((own) => own.toLowerCase() === name)) headers[name] = value;
    }
    const policy = init.idempotent || IDEMPOTENT.has(method) ? withRetries : once;
    let attempts = 0;
    let outcome: OutboundOutcome = 'error';
    try {
      const buffered = await policy.execute(async ({ signal }) => {
        attempts++;
        const response = await pool.request({
          path: fullPath,
          method: method as 'GET',
          headers,
          ...(init.body !== undefined ? { body: init.body } : {}),
          signal,
        });
        const bytes = Buffer.from(await response.body.arrayBuffer());
        return { status: response.statusCode, headers: response.headers, bytes } satisfies Buffered;
      }, init.signal);
      outcome = isFailureStatus(buffered.status) ? 'failure' : 'success';
      return responseOf(buffered);
    } catch (error) {
      if (init.signal?.aborted) throw init.signal.reason ?? error;
      const detail = {
        settingsKey,
        attempts,
        timeoutMs: settings.timeoutMs,
        halfOpenAfterMs: settings.breakerHalfOpenAfterMs,
      };
      if (error instanceof BrokenCircuitError) {
        outcome = 'breaker_open';
        throw new OutboundUnavailableError(target, host, environment, 'breaker-open', detail);
      }
      if (error instanceof TaskCancelledError) {
        outcome = 'timeout';
        throw new OutboundUnavailableError(target, host, environment, 'timeout', detail);
      }
      if (isTransientError(error)) {
        outcome = 'network_error';
        const cause = errorCode(error);
        throw new OutboundUnavailableError(target, host, environment, 'network', {
          ...detail,
          ...(cause ? { cause } : {}),
        });
      }
      throw error;
    } finally {
      metrics.request(outcome);
    }
  }

  return Object.freeze({
    target,
    settings,
    request,
    breakerState: () => STATE_NAME[breaker.state],
    close: () => pool.close(),
  });
}
