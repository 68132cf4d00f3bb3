import { bundledYaml } from '../bundled/index.js';
import type { Project } from '../config/index.js';
import type { Tier } from '../environment/index.js';

/** The three receivers: who hears an alert. Placeholders until the user fills them in. */
export const ALERT_RECEIVERS = Object.freeze(['pager', 'tickets', 'low-noise'] as const);
export type AlertReceiver = (typeof ALERT_RECEIVERS)[number];

/** Where one environment's alerts go, by its tier. */
export interface AlertRoute {
  readonly environment: string;
  readonly tier: Tier;
  /** Alerts of severity `page` (and any other but `ticket`). */
  readonly receiver: AlertReceiver;
  /** Alerts of severity `ticket` (the rules' label for a non-urgent alert). */
  readonly ticketReceiver: AlertReceiver;
}

/**
 * Production pages; staging opens tickets; every other tier (development,
 * test, and any tier added later) goes to the low-noise receiver. A switch
 * with a default rather than a table per tier, so a new tier is quiet until
 * someone decides otherwise.
 */
function receiverFor(tier: Tier): AlertReceiver {
  switch (tier) {
    case 'production':
      return 'pager';
    case 'staging':
      return 'tickets';
    default:
      return 'low-noise';
  }
}

/** Every environment of the project and where its alerts go, in catalogue order. */
export function alertRoutes(project: Pick<Project, 'environments'>): readonly AlertRoute[] {
  return Object.freeze(
    project.environments.all.map((environment) => {
      const receiver = receiverFor(environment.tier);
      // A ticket-severity alert never pages, even in production.
      const ticketReceiver: AlertReceiver = receiver === 'pager' ? 'tickets' : receiver;
      return Object.freeze({ environment: environment.name, tier: environment.tier, receiver, ticketReceiver });
    }),
  );
}

const GROUP_BY = Object.freeze(['alertname', 'environment']);

/** How often each receiver hears again about an alert that keeps firing. */
const REPEAT_INTERVAL: Readonly<Record<AlertReceiver, string>> = Object.freeze({
  pager: '1h',
  tickets: '12h',
  'low-noise': '24h',
});

/** Example endpoints on a reserved name (RFC 6761 `.invalid`): a copy left unedited fails loudly in Alertmanager's log. */
function placeholderReceiver(name: AlertReceiver) {
  return {
    name,
    webhook_configs: [{ url: `https://${name}.example.invalid/envward`, send_resolved: true }],
  };
}

function routeOf(route: AlertRoute) {
  const matchers = [`environment="${route.environment}"`];
  const base = { receiver: route.receiver, matchers, repeat_interval: REPEAT_INTERVAL[route.receiver] };
  if (route.ticketReceiver === route.receiver) return base;
  return {
    ...base,
    routes: [
      {
        receiver: route.ticketReceiver,
        matchers: ['severity="ticket"'],
        repeat_interval: REPEAT_INTERVAL[route.ticketReceiver],
      },
    ],
  };
}

/**
 * An Alertmanager configuration (the object behind alertmanager.yml) that
 * routes by `environment` and `severity`, the labels `observe rules` puts on
 * every alert: one route per environment of the project, production-tier
 * ones to `pager` (severity `ticket` to `tickets`), staging-tier ones to
 * `tickets`, the rest, and environments the project does not know, to
 * `low-noise`. Grouped by alertname and environment; a `page` alert
 * inhibits the `ticket` alert of the same name and environment.
 */
export function alertmanagerConfig(project: Pick<Project, 'environments'>) {
  return {
    route: {
      receiver: 'low-noise' satisfies AlertReceiver,
      group_by: [...GROUP_BY],
      group_wait: '30s',
      group_interval: '5m',
      repeat_interval: REPEAT_INTERVAL['low-noise'],
      routes: alertRoutes(project).map(routeOf),
    },
    inhibit_rules: [
      { source_matchers: ['severity="page"'], target_matchers: ['severity="ticket"'], equal: [...GROUP_BY] },
    ],
    receivers: ALERT_RECEIVERS.map(placeholderReceiver),
  };
}

/**
 * alertmanager.yml for the project's environments (see `alertmanagerConfig`),
 * with a header saying which receivers to fill in.
 * @example
 * writeFileSync('alertmanager.yml', alertmanagerYaml(await openProject()));
 */
export function alertmanagerYaml(project: Pick<Project, 'environments'>): string {
  const header =
    '# Alertmanager routes by environment and severity, made by `envward observe alertmanager`.\n' +
    '# Receivers pager, tickets and low-noise point at example.invalid: put your own\n' +
    '# webhook, PagerDuty or e-mail settings in them. Regenerate when environments change.\n';
  return header + bundledYaml().stringify(alertmanagerConfig(project), { lineWidth: 0, aliasDuplicateObjects: false });
}
