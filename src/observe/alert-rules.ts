import { bundledYaml } from '../bundled/index.js';
import { settingsOf } from '../config/capability-settings.js';
import type { ResolvedConfig } from '../config/index.js';
import { type BuiltInTier, defaultsTier, type Tier } from '../environment/index.js';
import { alerts } from './alert-settings-schema.js';

/** When an environment's alerts fire: from `alerts.*`, with the tier's defaults. */
export interface AlertThresholds {
  /** `alerts.errorRate`: fraction of requests answered 5xx over 5 minutes (0.01 = 1%). */
  readonly errorRate: number;
  /** `alerts.latencyP99Ms`: 99th percentile request duration over 5 minutes. */
  readonly latencyP99Ms: number;
  /** `alerts.breakerOpenMinutes`: how long an outbound circuit breaker may stay open. */
  readonly breakerOpenMinutes: number;
}

/** How long error rate and latency must stay over the threshold before firing. */
const SUSTAINED_MINUTES: Readonly<Record<BuiltInTier, number>> = Object.freeze({
  development: 10,
  test: 10,
  staging: 10,
  production: 5,
});

export interface AlertRule {
  readonly alert: string;
  readonly expr: string;
  readonly for: string;
  readonly labels: { readonly environment: string; readonly tier: Tier; readonly severity: 'page' | 'ticket' };
  readonly annotations: { readonly summary: string; readonly description: string };
}

/** One environment's rules as data (for `--json`); `alertRules` renders them as Prometheus YAML. */
export interface AlertRuleSet {
  readonly environment: string;
  readonly tier: Tier;
  readonly thresholds: AlertThresholds;
  /** The Prometheus rule group's name. */
  readonly group: string;
  readonly rules: readonly AlertRule[];
}

type Settled = Pick<ResolvedConfig<unknown>, 'values' | 'environment' | 'project'>;

export function alertThresholds(resolved: Settled): AlertThresholds {
  const { errorRate, latencyP99Ms, breakerOpenMinutes } = settingsOf(resolved, alerts);
  return Object.freeze({ errorRate, latencyP99Ms, breakerOpenMinutes });
}

/**
 * The alerting rules of one environment over the metrics envward exports:
 * `http_requests_total` and `http_request_duration_seconds` of envward/fastify
 * and `envward_outbound_breaker_state` of outbound clients. Every rule selects
 * `environment="<name>"` only, and is labelled with environment, tier and
 * severity (page in production, ticket elsewhere).
 */
export function alertRuleSet(resolved: Settled): AlertRuleSet {
  const { name, tier } = resolved.environment;
  const thresholds = alertThresholds(resolved);
  const labels = Object.freeze({
    environment: name,
    tier,
    severity: tier === 'production' ? 'page' : 'ticket',
  } as const);
  const only = `environment="${name}"`;
  const sustained = `${SUSTAINED_MINUTES[defaultsTier(tier)]}m`;
  const percent = `${Number((thresholds.errorRate * 100).toPrecision(6))}%`;
  const rules: AlertRule[] = [
    {
      alert: 'EnvwardHighErrorRate',
      expr:
        `sum(rate(http_requests_total{${only},status_code=~"5.."}[5m]))` +
        ` / sum(rate(http_requests_total{${only}}[5m])) > ${thresholds.errorRate}`,
      for: sustained,
      labels,
      annotations: {
        summary: `${name}: more than ${percent} of requests fail with 5xx`,
        description: `{{ $value | humanizePercentage }} of ${name}'s requests answered 5xx over 5 minutes (alerts.errorRate: ${percent}).`,
      },
    },
    {
      alert: 'EnvwardHighLatencyP99',
      expr:
        `histogram_quantile(0.99, sum by (le) (rate(http_request_duration_seconds_bucket{${only}}[5m])))` +
        ` > ${thresholds.latencyP99Ms / 1000}`,
      for: sustained,
      labels,
      annotations: {
        summary: `${name}: p99 latency above ${thresholds.latencyP99Ms} ms`,
        description: `The 99th percentile of ${name}'s request durations is {{ $value | humanizeDuration }} (alerts.latencyP99Ms: ${thresholds.latencyP99Ms} ms).`,
      },
    },
    {
      alert: 'EnvwardOutboundBreakerOpen',
      expr: `max by (target) (envward_outbound_breaker_state{${only}}) >= 1`,
      for: `${thresholds.breakerOpenMinutes}m`,
      labels,
      annotations: {
        summary: `${name}: circuit breaker of {{ $labels.target }} open`,
        description: `${name}'s calls to {{ $labels.target }} have been cut off by an open circuit breaker for ${thresholds.breakerOpenMinutes} minutes (alerts.breakerOpenMinutes).`,
      },
    },
  ];
  return Object.freeze({ environment: name, tier, thresholds, group: `envward-${name}`, rules: Object.freeze(rules) });
}

/**
 * Prometheus alerting rules (YAML, for `rule_files`) for one environment,
 * thresholds from its configuration.
 * @example
 * writeFileSync('rules/production.yml', alertRules(await resolveConfig({ env: 'production' })));
 */
export function alertRules(resolved: Settled): string {
  const set = alertRuleSet(resolved);
  const header =
    `# Prometheus alerting rules for ${set.environment} (tier ${set.tier}), made by \`envward observe rules\`.\n` +
    '# Thresholds come from alerts.* of this environment; change them there and regenerate.\n';
  const body = bundledYaml().stringify(
    { groups: [{ name: set.group, rules: set.rules }] },
    { lineWidth: 0, aliasDuplicateObjects: false },
  );
  return header + body;
}
