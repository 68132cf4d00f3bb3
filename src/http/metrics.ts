import type {
  FastifyInstance,
  FastifyReply,
  FastifyRequest,
  HookHandlerDoneFunction,
  RouteShorthandOptions,
} from 'fastify';
import { collectDefaultMetrics, Gauge, type Metric, Registry } from 'prom-client';
import type { AuditAnchor } from '../store/index.js';
import type { ReadinessReport } from './readiness.js';

/** The route label of requests no route matched (keeps the label set bounded). */
export const UNMATCHED_ROUTE = '(unmatched)';

/** Upper bounds of `http_request_duration_seconds`, in seconds (prom-client's defaults). */
export const DURATION_BUCKETS: readonly number[] = Object.freeze([
  0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10,
]);

export interface HttpMetrics {
  /** The service's own registry: every metric carries `environment`; other modules may add theirs. */
  readonly registry: Registry;
  /** Counts one finished request and its duration. */
  observe(route: string, method: string, statusCode: number, seconds: number): void;
  /** Mirrors a readiness report into `envward_ready` and `envward_readiness_check_ok`. */
  recordReadiness(report: ReadinessReport): void;
}

/** One route, method and status: a count, a sum and a count per bucket (not cumulative). */
interface Series {
  readonly labels: { readonly route: string; readonly method: string; readonly status_code: string };
  count: number;
  sum: number;
  readonly buckets: Float64Array;
}

interface MetricValue {
  readonly labels: Readonly<Record<string, string | number>>;
  readonly value: number;
  readonly metricName?: string;
}

/**
 * The request counter and latency histogram. A request costs a few map reads
 * and additions (about 20 ns); prom-client's own Counter and Histogram
 * validate and hash the labels on every observation (about 700 ns, a
 * noticeable share of a small route). The series are turned into
 * prom-client's metric shape only when scraped, so they sit in the same
 * registry and exposition as every other metric.
 */
class RequestSeries {
  readonly #routes = new Map<string, Map<string, Map<number, Series>>>();

  observe(route: string, method: string, statusCode: number, seconds: number): void {
    let methods = this.#routes.get(route);
    if (!methods) {
      methods = new Map();
      this.#routes.set(route, methods);
    }
    let statuses = methods.get(method);
    if (!statuses) {
      statuses = new Map();
      methods.set(method, statuses);
    }
    let series = statuses.get(statusCode);
    if (!series) {
      series = {
        labels: { route, method, status_code: String(statusCode) },
        count: 0,
        sum: 0,
        buckets: new Float64Array(DURATION_BUCKETS.length),
      };
      statuses.set(statusCode, series);
    }
    series.count++;
    series.sum += seconds;
    let bucket = 0;
    while (bucket < DURATION_BUCKETS.length && seconds > (DURATION_BUCKETS[bucket] as number)) bucket++;
    if (bucket < DURATION_BUCKETS.length) series.buckets[bucket] = (series.buckets[bucket] as number) + 1;
  }

  *all(): Iterable<Series> {
    for (const methods of this.#routes.values()) {
      for (const statuses of methods.values()) yield* statuses.values();
    }
  }

  reset(): void {
    this.#routes.clear();
  }
}

/** A metric in prom-client's shape (what its Registry reads through `get()`), made from the series at scrape. */
function scrapedMetric(
  name: string,
  help: string,
  type: 'counter' | 'histogram',
  series: RequestSeries,
  values: (all: Iterable<Series>) => MetricValue[],
): Metric {
  const metric = {
    name,
    help,
    type,
    aggregator: 'sum',
    // metric.name, not name: the registry renames counters for the OpenMetrics format.
    get: async () => ({ name: metric.name, help, type, aggregator: 'sum', values: values(series.all()) }),
    reset: () => series.reset(),
  };
  return metric as unknown as Metric;
}

function counterValues(all: Iterable<Series>): MetricValue[] {
  return [...all].map((series) => ({ labels: series.labels, value: series.count }));
}

function histogramValues(name: string) {
  return (all: Iterable<Series>): MetricValue[] => {
    const values: MetricValue[] = [];
    for (const series of all) {
      let cumulative = 0;
      DURATION_BUCKETS.forEach((bound, index) => {
        cumulative += series.buckets[index] as number;
        values.push({ labels: { ...series.labels, le: bound }, value: cumulative, metricName: `${name}_bucket` });
      });
      values.push(
        { labels: { ...series.labels, le: '+Inf' }, value: series.count, metricName: `${name}_bucket` },
        { labels: series.labels, value: series.sum, metricName: `${name}_sum` },
        { labels: series.labels, value: series.count, metricName: `${name}_count` },
      );
    }
    return values;
  };
}

/**
 * `envward_audit_events` and `envward_audit_head_info{head}`, from the audit
 * log's anchor read when scraped (one primary-key read shared by both
 * gauges; nothing per request). A failed read leaves both empty: a scrape
 * never fails on the database.
 */
function registerAuditGauges(registry: Registry, readAnchor: () => Promise<AuditAnchor | undefined>): void {
  let reading: Promise<AuditAnchor | undefined> | undefined;
  // Both gauges are collected in the same tick of a scrape, so they share one read.
  const anchor = () => {
    reading ??= readAnchor()
      .catch(() => undefined)
      .finally(() => {
        reading = undefined;
      });
    return reading;
  };
  new Gauge({
    name: 'envward_audit_events',
    help: "Events in the audit log, as the stamp's anchor records them (read when scraped).",
    registers: [registry],
    async collect() {
      const now = await anchor();
      if (now) this.set(now.events);
      else this.reset();
    },
  });
  new Gauge({
    name: 'envward_audit_head_info',
    help: "1, labelled with the audit log's head hash as the stamp's anchor records it: note it to check later with audit verify --expect-head.",
    labelNames: ['head'],
    registers: [registry],
    async collect() {
      const now = await anchor();
      this.reset();
      if (now) this.labels(now.head).set(1);
    },
  });
}

/**
 * The HTTP metrics in a registry of their own (not prom-client's global one,
 * so two services or tests in one process never collide), with the
 * environment as a default label on every series, Node's default process
 * metrics, `http_requests_total` and `http_request_duration_seconds` by
 * route template, method and status code, readiness gauges, and with
 * `readAuditAnchor` (a store's `audit.anchor`) the audit log's count and head.
 */
export function createHttpMetrics(
  environment: string,
  readAuditAnchor?: () => Promise<AuditAnchor | undefined>,
): HttpMetrics {
  const registry = new Registry();
  registry.setDefaultLabels({ environment });
  collectDefaultMetrics({ register: registry });
  const series = new RequestSeries();
  registry.registerMetric(
    scrapedMetric(
      'http_requests_total',
      'HTTP requests answered, by route template, method and status code.',
      'counter',
      series,
      counterValues,
    ),
  );
  registry.registerMetric(
    scrapedMetric(
      'http_request_duration_seconds',
      'Time from receiving an HTTP request to sending its response, in seconds.',
      'histogram',
      series,
      histogramValues('http_request_duration_seconds'),
    ),
  );
  const ready = new Gauge({
    name: 'envward_ready',
    help: '1 when the last readiness round passed, 0 otherwise (also while starting).',
    registers: [registry],
  });
  const checkOk = new Gauge({
    name: 'envward_readiness_check_ok',
    help: '1 when the readiness check passed in the last round, 0 when it failed.',
    labelNames: ['check'],
    registers: [registry],
  });
  ready.set(0);
  if (readAuditAnchor) registerAuditGauges(registry, readAuditAnchor);
  return {
    registry,
    observe: (route, method, statusCode, seconds) => series.observe(route, method, statusCode, seconds),
    recordReadiness(report) {
      ready.set(report.status === 'ready' ? 1 : 0);
      for (const check of report.checks) checkOk.labels(check.name).set(check.ok ? 1 : 0);
    },
  };
}

/**
 * Counts every finished response, the plugin's routes, 404s and errors
 * included, under its route template (`/accounts/:id`, never the raw path).
 */
export function countRequests(app: FastifyInstance, metrics: HttpMetrics): void {
  app.addHook('onResponse', (request: FastifyRequest, reply: FastifyReply, done: HookHandlerDoneFunction) => {
    metrics.observe(
      request.routeOptions.url ?? UNMATCHED_ROUTE,
      request.method,
      reply.statusCode,
      reply.elapsedTime / 1000,
    );
    done();
  });
}

/** `GET <path>`: the registry in Prometheus' text format. */
export function registerMetricsRoute(
  app: FastifyInstance,
  path: string,
  registry: Registry,
  routeOptions: (endpoint: 'metrics') => RouteShorthandOptions,
): void {
  app.get(path, routeOptions('metrics'), async (_request, reply) => {
    reply.type(registry.contentType);
    return registry.metrics();
  });
}
