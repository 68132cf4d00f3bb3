import { createHash } from 'node:crypto';
import type { ResolvedConfig } from '../config/index.js';
import type { Colour } from '../environment/index.js';
import { alertThresholds } from './alert-rules.js';

/** The dashboard JSON model's version this builder writes (Grafana 10.4 / 11). */
export const GRAFANA_SCHEMA_VERSION = 39;

/** Where a panel sits on Grafana's 24-column grid. */
export interface GrafanaGridPos {
  readonly h: number;
  readonly w: number;
  readonly x: number;
  readonly y: number;
}

/** One PromQL query of a panel. */
export interface GrafanaTarget {
  readonly refId: string;
  readonly expr: string;
  readonly legendFormat: string;
  readonly datasource: GrafanaDatasourceRef;
}

export interface GrafanaDatasourceRef {
  readonly type: string;
  readonly uid: string;
}

export interface GrafanaPanel {
  readonly id: number;
  readonly type: 'timeseries' | 'stat';
  readonly title: string;
  readonly description: string;
  readonly datasource: GrafanaDatasourceRef;
  readonly gridPos: GrafanaGridPos;
  readonly targets: readonly GrafanaTarget[];
  readonly fieldConfig: { readonly defaults: Readonly<Record<string, unknown>>; readonly overrides: readonly [] };
  readonly options: Readonly<Record<string, unknown>>;
}

export interface GrafanaVariable {
  readonly name: string;
  readonly type: 'datasource' | 'constant';
  readonly label: string;
  readonly query: string;
  readonly hide: 0 | 2;
  readonly current: { readonly text: string; readonly value: string };
  readonly options: readonly { readonly text: string; readonly value: string; readonly selected: boolean }[];
}

/** A Grafana dashboard JSON model (import it, or provision it from a file). */
export interface GrafanaDashboard {
  readonly uid: string;
  readonly title: string;
  readonly description: string;
  readonly tags: readonly string[];
  readonly editable: boolean;
  readonly graphTooltip: 1;
  readonly timezone: 'browser';
  readonly refresh: string;
  readonly time: { readonly from: string; readonly to: string };
  readonly schemaVersion: number;
  readonly version: number;
  readonly annotations: { readonly list: readonly Readonly<Record<string, unknown>>[] };
  readonly templating: { readonly list: readonly GrafanaVariable[] };
  readonly panels: readonly GrafanaPanel[];
  readonly links: readonly [];
}

type Settled = Pick<ResolvedConfig<unknown>, 'values' | 'environment' | 'project'>;

/** Grafana's named colours nearest to the banner's (amber is Grafana's orange). */
const GRAFANA_COLOURS: Readonly<Record<Colour, string>> = Object.freeze({
  red: 'red',
  amber: 'orange',
  green: 'green',
  blue: 'blue',
  purple: 'purple',
});

// biome-ignore lint/suspicious/noTemplateCurlyInString: Grafana's variable syntax, resolved by Grafana
const DATASOURCE: GrafanaDatasourceRef = Object.freeze({ type: 'prometheus', uid: '${datasource}' });

/** Every selector carries this matcher; `$environment` is a hidden constant, so the dashboard shows one environment only. */
const ONLY = 'environment="$environment"';

/**
 * A stable uid per project and environment (Grafana allows 40 characters of
 * [a-zA-Z0-9-_]): the name for people, a hash so two projects' `production`
 * never overwrite each other's dashboard.
 */
export function grafanaDashboardUid(project: string, environment: string): string {
  const hash = createHash('sha256').update(`${project}\0${environment}`).digest('hex').slice(0, 12);
  return `${environment.slice(0, 27)}-${hash}`;
}

interface PanelSpec {
  readonly type: GrafanaPanel['type'];
  readonly title: string;
  readonly description: string;
  readonly gridPos: GrafanaGridPos;
  readonly queries: readonly (readonly [expr: string, legend: string])[];
  readonly defaults?: Readonly<Record<string, unknown>>;
  readonly options?: Readonly<Record<string, unknown>>;
}

const TIMESERIES_OPTIONS = Object.freeze({
  legend: { displayMode: 'list', placement: 'bottom', showLegend: true, calcs: [] },
  tooltip: { mode: 'multi', sort: 'desc' },
});

const STAT_OPTIONS = Object.freeze({
  reduceOptions: { calcs: ['lastNotNull'], fields: '', values: false },
  colorMode: 'background',
  graphMode: 'none',
  textMode: 'value_and_name',
  orientation: 'auto',
  justifyMode: 'auto',
  wideLayout: true,
  showPercentChange: false,
  percentChangeColorMode: 'standard',
});

/**
 * A threshold line at the alerting rule's value. Grafana treats the first
 * step as minus infinity whatever its value; 0 keeps the model valid JSON
 * for the schema (which types `value` as a number, not null).
 */
function thresholdAt(value: number): Readonly<Record<string, unknown>> {
  return {
    thresholds: {
      mode: 'absolute',
      steps: [
        { color: 'green', value: 0 },
        { color: 'red', value },
      ],
    },
    custom: { thresholdsStyle: { mode: 'line+area' } },
  };
}

function panelSpecs(errorRate: number, latencyP99Seconds: number): PanelSpec[] {
  const requests = `http_requests_total{${ONLY}}`;
  const buckets = `http_request_duration_seconds_bucket{${ONLY}}`;
  return [
    {
      type: 'stat',
      title: 'Readiness',
      description: 'Instances whose last readiness round passed (envward_ready), of those scraped.',
      gridPos: { h: 5, w: 6, x: 0, y: 0 },
      queries: [
        [`sum(envward_ready{${ONLY}})`, 'ready'],
        [`count(envward_ready{${ONLY}})`, 'instances'],
      ],
      defaults: { unit: 'none', color: { mode: 'fixed', fixedColor: 'blue' } },
    },
    {
      type: 'stat',
      title: 'Config revision',
      description:
        'Runtime config revision applied (envward_config_revision): newest and oldest across instances; they differ while a revision spreads or when an instance failed to apply it.',
      gridPos: { h: 5, w: 6, x: 6, y: 0 },
      queries: [
        [`max(envward_config_revision{${ONLY}})`, 'newest'],
        [`min(envward_config_revision{${ONLY}})`, 'oldest'],
      ],
      defaults: { unit: 'none', decimals: 0, color: { mode: 'fixed', fixedColor: 'text' } },
    },
    {
      type: 'stat',
      title: 'Error rate now',
      description: `Share of requests answered 5xx over the last 5 minutes; red above alerts.errorRate (${errorRate}).`,
      gridPos: { h: 5, w: 6, x: 12, y: 0 },
      queries: [
        [`sum(rate(http_requests_total{${ONLY},status_code=~"5.."}[5m])) / sum(rate(${requests}[5m]))`, '5xx share'],
      ],
      defaults: { unit: 'percentunit', ...thresholdAt(errorRate), color: { mode: 'thresholds' } },
    },
    {
      type: 'stat',
      title: 'Deployments (24 h)',
      description: 'Deployments of this environment in the last 24 hours, by outcome (envward_deployments_total).',
      gridPos: { h: 5, w: 6, x: 18, y: 0 },
      queries: [[`sum by (outcome) (increase(envward_deployments_total{${ONLY}}[24h]))`, '{{outcome}}']],
      defaults: { unit: 'none', decimals: 0, color: { mode: 'palette-classic' } },
    },
    {
      type: 'timeseries',
      title: 'Request rate',
      description: 'Requests answered per second (http_requests_total), by status class.',
      gridPos: { h: 8, w: 12, x: 0, y: 5 },
      queries: [
        [`sum(rate(${requests}[$__rate_interval]))`, 'all'],
        [
          `sum by (status_class) (label_replace(rate(${requests}[$__rate_interval]), "status_class", "\${1}xx", "status_code", "(.).."))`,
          '{{status_class}}',
        ],
      ],
      defaults: { unit: 'reqps' },
    },
    {
      type: 'timeseries',
      title: 'Error rate (5xx share)',
      description: `Share of requests answered 5xx; the line is alerts.errorRate (${errorRate}), where EnvwardHighErrorRate fires.`,
      gridPos: { h: 8, w: 12, x: 12, y: 5 },
      queries: [
        [
          `sum(rate(http_requests_total{${ONLY},status_code=~"5.."}[$__rate_interval])) / sum(rate(${requests}[$__rate_interval]))`,
          '5xx share',
        ],
      ],
      defaults: { unit: 'percentunit', min: 0, ...thresholdAt(errorRate) },
    },
    {
      type: 'timeseries',
      title: 'Latency p50 / p99',
      description: `Request duration quantiles (http_request_duration_seconds); the line is alerts.latencyP99Ms (${latencyP99Seconds * 1000} ms), where EnvwardHighLatencyP99 fires.`,
      gridPos: { h: 8, w: 12, x: 0, y: 13 },
      queries: [
        [`histogram_quantile(0.5, sum by (le) (rate(${buckets}[$__rate_interval])))`, 'p50'],
        [`histogram_quantile(0.99, sum by (le) (rate(${buckets}[$__rate_interval])))`, 'p99'],
      ],
      defaults: { unit: 's', min: 0, ...thresholdAt(latencyP99Seconds) },
    },
    {
      type: 'timeseries',
      title: 'Readiness checks failing',
      description:
        'Instances whose readiness check failed in the last round, by check (envward_readiness_check_ok == 0).',
      gridPos: { h: 8, w: 12, x: 12, y: 13 },
      queries: [[`sum by (check) (1 - envward_readiness_check_ok{${ONLY}})`, '{{check}}']],
      defaults: { unit: 'none', min: 0, decimals: 0 },
    },
    {
      type: 'timeseries',
      title: 'Deployments',
      description: 'Deployments by outcome (envward_deployments_total).',
      gridPos: { h: 8, w: 8, x: 0, y: 21 },
      queries: [[`sum by (outcome) (increase(envward_deployments_total{${ONLY}}[$__rate_interval]))`, '{{outcome}}']],
      defaults: { unit: 'none', min: 0, custom: { drawStyle: 'bars', fillOpacity: 80 } },
    },
    {
      type: 'timeseries',
      title: 'Job runs',
      description:
        'Job runs by outcome (envward_job_runs_total): succeeded, failed, gated (skipped: not allowed in this environment), abandoned.',
      gridPos: { h: 8, w: 8, x: 8, y: 21 },
      queries: [
        [`sum by (outcome) (increase(envward_job_runs_total{${ONLY}}[$__rate_interval]))`, '{{outcome}}'],
        [
          `sum by (job) (increase(envward_job_runs_total{${ONLY},outcome="failed"}[$__rate_interval]))`,
          'failed: {{job}}',
        ],
      ],
      defaults: { unit: 'none', min: 0, custom: { drawStyle: 'bars', fillOpacity: 80, stacking: { mode: 'normal' } } },
    },
    {
      type: 'timeseries',
      title: 'Config reloads and breakers',
      description:
        'Runtime config revisions applied or failed (envward_config_reloads_total), and outbound circuit breakers open (envward_outbound_breaker_state: 1 open, 0.5 half-open).',
      gridPos: { h: 8, w: 8, x: 16, y: 21 },
      queries: [
        [`sum by (outcome) (increase(envward_config_reloads_total{${ONLY}}[$__rate_interval]))`, 'reload {{outcome}}'],
        [`max by (target) (envward_outbound_breaker_state{${ONLY}})`, 'breaker {{target}}'],
      ],
      defaults: { unit: 'none', min: 0 },
    },
  ];
}

function toPanel(spec: PanelSpec, index: number): GrafanaPanel {
  return {
    id: index + 1,
    type: spec.type,
    title: spec.title,
    description: spec.description,
    datasource: DATASOURCE,
    gridPos: spec.gridPos,
    targets: spec.queries.map(([expr, legendFormat], query) => ({
      refId: String.fromCharCode(65 + query),
      expr,
      legendFormat,
      datasource: DATASOURCE,
    })),
    fieldConfig: { defaults: spec.defaults ?? {}, overrides: [] },
    options: spec.options ?? (spec.type === 'stat' ? STAT_OPTIONS : TIMESERIES_OPTIONS),
  };
}

/**
 * A Grafana dashboard (JSON model, schemaVersion 39) of one environment over
 * the metrics envward exports: readiness, config revision, request and
 * error rate, latency p50/p99 (threshold lines at the environment's
 * `alerts.*`), deployments, job runs, config reloads and outbound breakers.
 * Every query selects `environment="$environment"`, a hidden constant set to
 * the environment, so a dashboard titled production never shows staging's
 * series; the Prometheus data source is a variable chosen on import.
 * @example
 * writeFileSync('dashboards/production.json', JSON.stringify(grafanaDashboard(await resolveConfig({ env: 'production' })), null, 2));
 */
export function grafanaDashboard(resolved: Settled): GrafanaDashboard {
  const { name, tier, code, colour } = resolved.environment;
  const project = resolved.project.definition.project ?? '';
  const thresholds = alertThresholds(resolved);
  const panels = panelSpecs(thresholds.errorRate, thresholds.latencyP99Ms / 1000).map(toPanel);
  return {
    uid: grafanaDashboardUid(project, name),
    title: `${code} · ${name}${project ? ` · ${project}` : ''} (envward)`,
    description: `${project || 'envward'} in ${name} (${code}, tier ${tier}, banner ${colour}): made by \`envward observe dashboard --env ${name}\`; regenerate rather than edit.`,
    tags: ['envward', `env:${name}`, `tier:${tier}`],
    editable: true,
    graphTooltip: 1,
    timezone: 'browser',
    refresh: '1m',
    time: { from: 'now-6h', to: 'now' },
    schemaVersion: GRAFANA_SCHEMA_VERSION,
    version: 1,
    annotations: {
      list: [
        {
          builtIn: 1,
          datasource: { type: 'grafana', uid: '-- Grafana --' },
          enable: true,
          hide: true,
          iconColor: GRAFANA_COLOURS[colour],
          name: 'Annotations & Alerts',
          type: 'dashboard',
        },
      ],
    },
    templating: {
      list: [
        {
          name: 'datasource',
          type: 'datasource',
          label: 'Prometheus',
          query: 'prometheus',
          hide: 0,
          current: { text: 'default', value: 'default' },
          options: [],
        },
        {
          name: 'environment',
          type: 'constant',
          label: 'Environment',
          query: name,
          hide: 2,
          current: { text: name, value: name },
          options: [{ text: name, value: name, selected: true }],
        },
      ],
    },
    panels,
    links: [],
  };
}
