import { Counter, Gauge, type Registry } from 'prom-client';
import type { LiveConfig } from '../runtime/index.js';

/**
 * The live configuration's series, read from `live.status()` when scraped
 * (nothing per request, nothing per revision): the revision applied, the
 * revisions applied and failed here, and the resyncs after a lost
 * connection. The counters are the LiveConfig's own totals since start, set
 * whole at each scrape. The registry's default label adds `environment`.
 */
export function registerRevisionMetrics(registry: Registry, live: LiveConfig<unknown>): void {
  new Gauge({
    name: 'envward_config_revision',
    help: 'The runtime config revision applied in this process (0: none).',
    registers: [registry],
    collect() {
      this.set(live.status().revision);
    },
  });
  new Counter({
    name: 'envward_config_reloads_total',
    help: 'Runtime config revisions this process applied, or failed to apply (it kept its last valid snapshot).',
    labelNames: ['outcome'],
    registers: [registry],
    collect() {
      const { counts } = live.status();
      this.reset();
      this.labels('applied').inc(counts.applied);
      this.labels('failed').inc(counts.failed);
    },
  });
  new Counter({
    name: 'envward_config_resyncs_total',
    help: 'Times this process read the latest config revision again after its listener lost the connection.',
    registers: [registry],
    collect() {
      this.reset();
      this.inc(live.status().counts.resyncs);
    },
  });
}
