import type { LiveConfig } from '../runtime/index.js';
import { configRevisionReport, statusFingerprint } from './config-revision.js';
import type { MigrationHead } from './migration-head.js';
import type { ReadinessMonitor, ReadinessReport } from './readiness.js';

/** What the ready route and `app.envward.readiness` read: a report and its JSON. */
export type ReadinessView = Pick<ReadinessMonitor, 'report' | 'body'>;

/** What the ready body adds to each report besides the live revision status. */
export interface ReadinessFacts {
  /** The application's version given to the plugin. */
  readonly version: string | undefined;
  readonly head: MigrationHead;
}

/**
 * The monitor's last report with the running version, the config revision
 * and the migration head, and a live configuration's revision status added
 * when asked (not per round: a revision shows at once, not at the next
 * round). The report and its JSON are made again only when the round, the
 * status or the head changed, so a probe still sends a cached string.
 *
 * The status never changes `status`: a revision that failed to apply here
 * leaves the service on its last valid snapshot, which it serves correctly;
 * taking every instance out of rotation for it would let one config change
 * (or the version skew of a rolling deploy) take the whole service down.
 */
export function readinessView(
  monitor: ReadinessMonitor,
  live: LiveConfig<unknown> | undefined,
  scrub: (text: string) => string,
  facts: ReadinessFacts,
): ReadinessView {
  let round: ReadinessReport | undefined;
  let fingerprint: string | undefined;
  let report = monitor.report;
  let body = monitor.body;
  const version = facts.version ?? null;
  const refresh = () => {
    const status = live?.status();
    const head = facts.head.current();
    const now = `${status ? statusFingerprint(status) : ''}|${head ?? ''}`;
    if (monitor.report === round && now === fingerprint) return;
    round = monitor.report;
    fingerprint = now;
    report = Object.freeze({
      ...round,
      version,
      configRevision: status ? status.revision : null,
      migrationHead: head,
      ...(status ? { revision: configRevisionReport(status, scrub) } : {}),
    });
    body = JSON.stringify(report);
  };
  return {
    get report() {
      refresh();
      return report;
    },
    get body() {
      refresh();
      return body;
    },
  };
}
