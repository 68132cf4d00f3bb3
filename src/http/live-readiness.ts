import type { LiveConfig } from '../runtime/index.js';
import { configRevisionReport, statusFingerprint } from './config-revision.js';
import type { ReadinessMonitor, ReadinessReport } from './readiness.js';

/** What the ready route and `app.envward.readiness` read: a report and its JSON. */
export type ReadinessView = Pick<ReadinessMonitor, 'report' | 'body'>;

/**
 * The monitor's last report, with a live configuration's revision status
 * added when asked (not per round: a revision shows at once, not at the
 * next round). The report and its JSON are made again only when the round
 * or the status changed, so a probe still sends a cached string.
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
): ReadinessView {
  if (!live) return monitor;
  let round: ReadinessReport | undefined;
  let fingerprint = '';
  let report = monitor.report;
  let body = monitor.body;
  const refresh = () => {
    const status = live.status();
    const now = statusFingerprint(status);
    if (monitor.report === round && now === fingerprint) return;
    round = monitor.report;
    fingerprint = now;
    report = Object.freeze({ ...round, revision: configRevisionReport(status, scrub) });
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
