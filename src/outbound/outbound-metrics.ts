import type { Counter, Gauge, Registry } from 'prom-client';
import { importPeer } from '../peers.js';

/** What became of one outbound request, as `envward_outbound_requests_total{outcome}` counts it. */
export type OutboundOutcome = 'success' | 'failure' | 'timeout' | 'network_error' | 'breaker_open' | 'error';

export interface OutboundMetrics {
  request(outcome: OutboundOutcome): void;
  retry(): void;
  /** 0 closed, 1 open, 0.5 half-open. */
  breaker(value: number): void;
}

type Labels = 'environment' | 'target';

const none: OutboundMetrics = { request() {}, retry() {}, breaker() {} };

/**
 * The outbound metrics on `registry`, shared by every client that uses it
 * (one series per target). Each carries `environment` itself, so alert rules
 * can select it whether or not the registry has default labels.
 */
export async function outboundMetrics(
  registry: Registry | undefined,
  environment: string,
  target: string,
): Promise<OutboundMetrics> {
  if (!registry) return none;
  const client = await importPeer('envward/outbound', () => import('prom-client'));
  const existing = <T>(name: string) => registry.getSingleMetric(name) as T | undefined;
  const requests =
    existing<Counter<Labels | 'outcome'>>('envward_outbound_requests_total') ??
    new client.Counter({
      name: 'envward_outbound_requests_total',
      help: 'Outbound requests by target and outcome (success, failure = 5xx/429 after retries, timeout, network_error, breaker_open, error).',
      labelNames: ['environment', 'target', 'outcome'],
      registers: [registry],
    });
  const retries =
    existing<Counter<Labels>>('envward_outbound_retries_total') ??
    new client.Counter({
      name: 'envward_outbound_retries_total',
      help: 'Outbound retries by target.',
      labelNames: ['environment', 'target'],
      registers: [registry],
    });
  const breaker =
    existing<Gauge<Labels>>('envward_outbound_breaker_state') ??
    new client.Gauge({
      name: 'envward_outbound_breaker_state',
      help: 'Circuit breaker state by target: 0 closed, 1 open, 0.5 half-open.',
      labelNames: ['environment', 'target'],
      registers: [registry],
    });
  const labels = { environment, target };
  retries.inc(labels, 0);
  breaker.set(labels, 0);
  return {
    request: (outcome) => requests.inc({ ...labels, outcome }),
    retry: () => retries.inc(labels),
    breaker: (value) => breaker.set(labels, value),
  };
}
